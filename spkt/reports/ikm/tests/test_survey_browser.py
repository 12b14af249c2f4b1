"""A citizen scans the survey QR printed on the SKTLK and answers on a phone."""

from __future__ import annotations

import pytest

from spkt.conftest import ARTIFACTS, issue
from spkt.documents.services import document_pdf_ensure
from spkt.documents.tests.test_pdf import qr_codes
from spkt.reports.ikm.models import SCORE_FIELDS, SurveyResponse

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_survey_filled_from_the_sktlk_qr(browser, live_server, petugas, selatan) -> None:
    doc = issue(petugas, selatan)
    printed = qr_codes(document_pdf_ensure(document_id=doc.pk).pdf.read())
    survey = next(code for code in printed if "/survei/" in code)
    path = survey.split("/survei/", 1)[1]
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/survei/{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # 4 = sangat baik for every element but the fourth (cost), 3 there.
    for name in SCORE_FIELDS:
        page.check(f"input[name={name}][value='{3 if name == 'u4' else 4}']")
    page.screenshot(path=str(ARTIFACTS / "ikm-survey-phone.png"), full_page=True)
    page.click("button.primary")
    page.wait_for_selector("h1")
    assert "Terima kasih" in page.inner_text("h1")
    # The same QR again: already answered.
    page.goto(f"{live_server.url}/survei/{path}")
    assert "sudah diisi" in page.inner_text("body")
    page.wait_for_load_state("networkidle")
    page.close()
    response = SurveyResponse.objects.get(invitation__document=doc)
    assert [getattr(response, name) for name in SCORE_FIELDS] == [4, 4, 4, 3, 4, 4, 4, 4, 4]
