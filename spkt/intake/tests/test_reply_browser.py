"""Issue 11, item 3 in a real browser: a citizen writes on the public web form with a phone number,
the desk answers in the inbox, the outbox delivers by SMS (SMS Gateway for Android's API, played by
the demo's provider stub on a free port) and the contact page says "Terkirim"."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from spkt.channels.sinks import serve
from spkt.channels.tests.mailserver import free_port
from spkt.conftest import ARTIFACTS, PASSWORD
from spkt.demo import demo_sink_accounts
from spkt.intake.models import Contact, Delivery, Direction, OutboxStatus


@pytest.fixture
def sinks(tmp_path):
    smtp_port, provider_port = free_port(), free_port()
    smtp, provider = serve(
        host="127.0.0.1",
        smtp_port=smtp_port,
        provider_port=provider_port,
        directory=tmp_path / "sinks",
    )
    yield smtp_port, provider_port, provider.sink
    for server in (smtp, provider):
        server.shutdown()
        server.server_close()


def _contact_of(tracking_code: str) -> Contact:
    """The web form is stored, answered, then made a contact by the worker: wait for it."""
    for _ in range(100):
        contact = Contact.objects.filter(tracking_code=tracking_code).first()
        if contact is not None:
            return contact
        time.sleep(0.1)
    raise AssertionError(f"no contact {tracking_code}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_web_form_message_is_answered_by_sms(
    browser, live_server, selatan, petugas, sinks
) -> None:
    smtp_port, provider_port, sink = sinks
    demo_sink_accounts(selatan, smtp_port=smtp_port, provider_port=provider_port)

    citizen = browser.new_page(viewport={"width": 390, "height": 844})
    citizen.goto(live_server.url + f"/lapor/{selatan.code}/pesan/")
    citizen.fill("input[name=name]", "Siti Aisyah")
    citizen.fill("input[name=reply_to]", "0812 3456 7890")
    citizen.fill("textarea[name=message]", "Lampu jalan mati dan ada balap liar tiap malam.")
    citizen.click("button.primary")
    code = re.search(r"\b[A-Z2-9]{8,12}\b", citizen.locator("main").inner_text())
    assert code, citizen.locator("main").inner_text()
    contact = _contact_of(code.group(0))
    assert contact.channel == "web"

    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    desk.goto(live_server.url + "/masuk/")
    desk.fill("input[name=username]", "petugas")
    desk.fill("input[name=password]", PASSWORD)
    desk.click("button.primary")
    desk.goto(live_server.url + "/kontak/")
    row = desk.locator(f'[data-contact-id="{contact.pk}"]')
    expect(row).to_be_visible()
    row.locator("[data-action=claim]").click()
    expect(desk.locator("h1")).to_contain_text("Siti Aisyah")
    reply = desk.locator("[data-action=reply]")
    expect(reply).to_have_text("Kirim lewat SMS ke 0812 3456 7890")  # said before typing
    desk.fill("textarea[name=body]", "Terima kasih, patroli kami cek malam ini.")
    reply.click()
    expect(desk.locator(".messages")).to_have_text("Balasan terkirim lewat SMS ke 0812 3456 7890.")
    out = desk.locator(".msg.out")
    expect(out.locator("[data-route=sms]")).to_have_text("lewat SMS ke 0812 3456 7890")
    expect(out.locator("[data-delivery-label]")).to_have_text("Terkirim")
    desk.screenshot(path=str(ARTIFACTS / "reply-web-by-sms.png"), full_page=True)

    # What the citizen's phone got, through the gateway's API.
    [sms] = sink.entries()
    assert (sms["kind"], sms["to"]) == ("sms", "+6281234567890")
    assert sms["text"] == "Terima kasih, patroli kami cek malam ini."
    message = contact.messages.get(direction=Direction.OUT)
    assert message.delivery == Delivery.SENT
    assert message.outbox.channel == "sms"
    assert message.outbox.status == OutboxStatus.SENT
