"""LP model B in a real browser: the desk writes it, Reskrim reviews, the desk issues LP + STTLP."""

from datetime import timedelta

import pytest

from spkt.conftest import ARTIFACTS, PASSWORD
from spkt.core import clock
from spkt.core.timeutil import local
from spkt.documents.models import DocType, Document, Pasal


def login(browser, url: str, username: str):
    page = browser.new_page(viewport={"width": 1100, "height": 900}, accept_downloads=True)
    page.goto(url + "/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_lp_b_is_reviewed_and_issued_with_its_sttlp(
    browser, live_server, petugas, reskrim, selatan, tmp_path
) -> None:
    _pasal, _ = Pasal.objects.get_or_create(
        book="KUHP_2023", article="477", defaults={"title": "Pencurian dengan pemberatan"}
    )
    desk = login(browser, live_server.url, "petugas")
    desk.click("nav >> text=Laporan Polisi")
    desk.fill("input[name=name]", "Hendra Pakaya")
    desk.fill("input[name=nik]", "7571021203790002")
    desk.fill("input[name=birth_place]", "Limboto")
    desk.fill("input[name=birth_date]", "1979-03-12")
    desk.select_option("select[name=gender]", "L")
    desk.fill("input[name=address]", "Jl. Pertiwi No. 5, Limba B")
    when = local(clock.now() - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M")
    desk.fill("input[name=event_when]", when)
    desk.fill("input[name=event_where]", "Jl. Pertiwi No. 5")
    desk.fill("input[name=event_what]", "Rumah dibobol, laptop hilang")
    desk.fill("input[name=witnesses-0-name]", "Siti Mooduto")
    desk.fill("textarea[name=account]", "Pintu belakang rumah pelapor dirusak.")
    desk.fill("[data-pasal-search]", "477")  # the type-ahead over the pasal multi-select
    desk.keyboard.press("Enter")
    desk.click("[data-action=save-draft]")
    assert desk.locator("[data-draft-status]").get_attribute("data-draft-status") == "draft"
    assert desk.locator("[data-action=issue-lp]").is_disabled()
    draft_url = desk.url

    review = login(browser, live_server.url, "reskrim")
    review.click("nav >> text=Reskrim")
    review.click("[data-draft]")
    review.fill("textarea[name=recommendation]", "Memenuhi unsur pencurian dengan pemberatan.")
    # The desk's pasal is proposed; Reskrim confirms it (or changes it in the same type-ahead).
    assert "Pasal 477" in review.locator(".pasal-picker .chips").inner_text()
    review.screenshot(path=str(ARTIFACTS / "lp-review.png"), full_page=True)
    review.click("[data-action=review]")
    assert review.locator("[data-draft-status]").get_attribute("data-draft-status") == "reviewed"

    desk.goto(draft_url)
    desk.click("[data-action=issue-lp]")
    lp = Document.objects.get(doc_type=DocType.LP_B)
    assert desk.locator("p.docno").inner_text() == lp.number
    assert desk.locator("[data-tracking]").inner_text() == lp.tracking_code
    desk.screenshot(path=str(ARTIFACTS / "lp-detail.png"), full_page=True)
    desk.click("[data-child]")
    sttlp = Document.objects.get(doc_type=DocType.STTLP)
    assert desk.locator("p.docno").inner_text() == sttlp.number
    with desk.expect_download() as download:
        desk.click("[data-action=download]")
    pdf = tmp_path / "sttlp.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
