"""Issue 12, item 1, walked in Chromium as the desk: a WhatsApp about a lost KTP → "Buat SKTLK" →
the form already holds the name, the number and what was told → the desk adds what only the KTP
shows → the SKTLK is issued and the contact is closed with it."""

import pytest

from spkt.conftest import ARTIFACTS, PASSWORD
from spkt.documents.models import Document
from spkt.intake.models import Outcome, Status
from spkt.intake.services import Incoming, contact_receive


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_sktlk_from_a_whatsapp_closes_it(browser, live_server, petugas, selatan) -> None:
    contact = contact_receive(
        unit=selatan,
        incoming=Incoming(
            channel="whatsapp",
            body="KTP saya hilang di Pasar Sentral kemarin sore.",
            sender_name="Rahma Suleman",
            sender_address="+62 812-3456-7890",
            external_thread="6281234567890",
        ),
    )
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(live_server.url + f"/kontak/{contact.pk}/")
    page.fill("input[name=username]", "petugas")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button.primary")
    with page.expect_navigation():
        page.click("a[data-action=sktlk]")
    assert page.input_value("input[name=name]") == "Rahma Suleman"
    assert page.input_value("input[name=phone]") == "+6281234567890"
    assert "Pasar Sentral" in page.input_value("textarea[name=chronology]")
    page.screenshot(path=str(ARTIFACTS / "contact-to-sktlk-form.png"), full_page=True)
    typed = {
        "input[name=nik]": "7571025506850003",
        "input[name=birth_place]": "Gorontalo",
        "input[name=birth_date]": "1985-06-15",
        "input[name=address]": "Jl. Sultan Botutihe 12",
        "input[name=lost_on]": "2026-11-30",
        "input[name=lost_place]": "Pasar Sentral",
    }
    for selector, value in typed.items():
        page.fill(selector, value)
    page.select_option("select[name=gender]", "P")
    page.select_option("select[name=religion]", "Islam")
    page.check("input[name=item_KTP]")
    page.check("input[name=papers_KTP]")
    with page.expect_navigation():
        page.click("form button.primary")
    doc = Document.objects.get(doc_type="SKTLK")
    assert f"/dokumen/{doc.pk}/" in page.url
    page.screenshot(path=str(ARTIFACTS / "contact-to-sktlk-issued.png"), full_page=True)
    contact.refresh_from_db()
    assert (contact.status, contact.outcome, contact.outcome_document_id) == (
        Status.CLOSED,
        Outcome.SKTLK,
        doc.pk,
    )
