"""Issue 12, item 2, walked in Chromium: a kiosk ticket, its QR opened on a phone (390x844), the
pre-registration filled while waiting, the ticket's own code given back; then the desk calls the
number and finds "Buat SKTLK" already filled. Screenshots at 1366x768 and 390x844."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.core.cache import cache

from spkt.conftest import ARTIFACTS, PASSWORD
from spkt.documents.models import Document, PreRegistration
from spkt.intake.models import Contact, Outcome, Status

DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _fits(page) -> None:
    over = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert over <= 0, f"{page.url} runs {over} px off the edge"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_ticket_pre_registered_on_a_phone_is_filled_at_the_desk(
    browser, live_server, petugas, selatan
) -> None:
    cache.clear()
    kiosk = browser.new_page(viewport={"width": 800, "height": 1280})
    kiosk.goto(live_server.url + f"/kontak/kios/{selatan.code}/")
    with kiosk.expect_navigation():
        kiosk.click("[data-action=take-ticket]")
    number = kiosk.locator("[data-ticket-number]").inner_text().strip()
    scanned = urlparse(kiosk.locator("[data-prereg]").inner_text().strip())
    kiosk.screenshot(path=str(ARTIFACTS / "ticket-prereg-kiosk.png"), full_page=True)
    kiosk.close()
    ticket = Contact.objects.get(queue_ticket=number, unit=selatan)
    assert scanned.query == f"tiket={ticket.tracking_code}"

    # The citizen, on her phone, from the QR.
    phone = browser.new_page(viewport=PHONE)
    phone.goto(live_server.url + scanned.path + "?" + scanned.query)
    assert number in phone.locator("[data-ticket]").inner_text()
    phone.screenshot(path=str(ARTIFACTS / "ticket-prereg-form-390.png"), full_page=True)
    _fits(phone)
    for name, value in {
        "name": "Rahma Suleman",
        "nik": "7571025506850003",
        "birth_place": "Gorontalo",
        "birth_date": "1985-06-15",
        "phone": "081234567890",
        "address": "Jl. Sultan Botutihe 12, Biawu",
        "lost_on": "2026-11-30",
        "lost_place": "Pasar Sentral, Biawu",
    }.items():
        phone.fill(f"input[name={name}]", value)
    phone.select_option("select[name=gender]", "P")
    phone.check("input[name=item_KTP]")
    with phone.expect_navigation():
        phone.click("form button.primary")
    assert phone.locator("[data-code]").inner_text().strip() == ticket.tracking_code
    phone.screenshot(path=str(ARTIFACTS / "ticket-prereg-done-390.png"), full_page=True)
    _fits(phone)
    with phone.expect_navigation():
        phone.click("[data-track]")
    assert phone.locator("[data-preregistered]").is_visible()
    phone.close()
    wide = browser.new_page(viewport=DESK)  # the same link opened on a computer
    wide.goto(live_server.url + scanned.path + "?" + scanned.query)
    wide.screenshot(path=str(ARTIFACTS / "ticket-prereg-form-1366.png"), full_page=True)
    _fits(wide)
    wide.close()

    # The desk calls the number: the contact says the form is filled; one click opens it.
    desk = browser.new_page(viewport=DESK)
    desk.goto(live_server.url + "/kontak/")
    desk.fill("input[name=username]", "petugas")
    desk.fill("input[name=password]", PASSWORD)
    with desk.expect_navigation():
        desk.click("button.primary")
    with desk.expect_navigation():
        desk.click("[data-action=call-next]")
    assert f"/kontak/{ticket.pk}/" in desk.url
    assert desk.locator("[data-preregistration=SKTLK]").is_visible()
    desk.screenshot(path=str(ARTIFACTS / "ticket-prereg-contact-1366.png"), full_page=True)
    with desk.expect_navigation():
        desk.click("a[data-action=sktlk]")
    assert desk.input_value("input[name=name]") == "Rahma Suleman"
    assert desk.input_value("input[name=nik]") == "7571025506850003"
    assert desk.is_checked("input[name=item_KTP]")
    desk.screenshot(path=str(ARTIFACTS / "ticket-prereg-sktlk-form-1366.png"), full_page=True)
    desk.check("input[name=papers_KTP]")
    with desk.expect_navigation():
        desk.click("form.card button.primary")
    doc = Document.objects.get(doc_type="SKTLK")
    assert f"/dokumen/{doc.pk}/" in desk.url
    ticket.refresh_from_db()
    assert (ticket.status, ticket.outcome, ticket.outcome_document_id) == (
        Status.CLOSED,
        Outcome.SKTLK,
        doc.pk,
    )
    assert PreRegistration.objects.get().document == doc
    desk.close()
