"""Scenes 1 and 2 in a real browser: a WhatsApp arrives while the inbox is open and is answered
with a quick reply; a walk-in takes a ticket at the kiosk and follows the call on the phone."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from spkt.conftest import ARTIFACTS, PASSWORD
from spkt.core import clock
from spkt.intake.models import Contact, Delivery, Direction
from spkt.intake.outbox import SENDERS, register_sender
from spkt.intake.services import Incoming, contact_receive, ticket_call_next


@pytest.fixture
def whatsapp():
    """The provider's side: what the gateway was asked to send (runs in the server thread)."""
    outbox: list[str] = []
    previous = SENDERS.get("whatsapp")
    register_sender("whatsapp", lambda item: outbox.append(item.message.body) or "wamid.out.1")
    yield outbox
    if previous is None:
        SENDERS.pop("whatsapp", None)
    else:
        SENDERS["whatsapp"] = previous


def _signed_whatsapp_webhook(base_url: str, text: str) -> int:
    import hashlib
    import hmac
    import json
    import time
    import urllib.request

    from spkt.channels.models import ChannelAccount
    from spkt.org.models import Unit

    unit = Unit.objects.get(code="kota-selatan")
    account = ChannelAccount(
        unit=unit,
        channel="whatsapp",
        name="WA",
        slug="wa-browser",
        config={"phone_number_id": "1055", "api_base": "http://127.0.0.1:9"},
    )
    account.set_secrets({"app_secret": "browser-secret", "verify_token": "v", "access_token": "t"})
    account.save()
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": "1055"},
                                "contacts": [
                                    {"profile": {"name": "Warga Biawu"}, "wa_id": "6281234567890"}
                                ],
                                "messages": [
                                    {
                                        "from": "6281234567890",
                                        "id": "wamid.browser.1",
                                        "timestamp": str(int(time.time())),
                                        "type": "text",
                                        "text": {"body": text},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
    digest = hmac.new(b"browser-secret", body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(  # noqa: S310 (the test's own live server)
        f"{base_url}/hooks/whatsapp/wa-browser/",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status


def _local_only(page, live_server) -> list[str]:
    blocked: list[str] = []
    page.route(
        "**/*",
        lambda route: (
            (blocked.append(route.request.url), route.abort())
            if not route.request.url.startswith(live_server.url)
            else route.continue_()
        ),
    )
    return blocked


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_whatsapp_appears_in_the_open_inbox_and_is_answered_with_a_quick_reply(
    browser, live_server, petugas, selatan, whatsapp
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    blocked = _local_only(page, live_server)
    polls: list[int] = []
    page.on(
        "response",
        lambda r: polls.append(r.status) if r.request.headers.get("hx-request") else None,
    )

    now = clock.now()
    amber = contact_receive(
        unit=selatan,
        incoming=Incoming(
            channel="sms",
            body="Tolong ada keributan",
            sender_address="0812 1111 2222",
            received_at=now - timedelta(minutes=3, seconds=30),
        ),
    )
    late = contact_receive(
        unit=selatan,
        incoming=Incoming(
            channel="email",
            body="Bagaimana cara melapor penipuan?",
            sender_address="rahma@example.id",
            received_at=now - timedelta(minutes=7),
        ),
    )
    page.goto(live_server.url + "/kontak/")
    page.fill("input[name=username]", "petugas")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    expect(page.locator("h1")).to_contain_text("Kontak masuk")
    page.click("h1")  # a first touch of the page lets the browser play the chime
    expect(page.locator(f'[data-contact-id="{amber.pk}"] .countdown')).to_have_class(
        re.compile(r"\bamber\b")
    )
    late_clock = page.locator(f'[data-contact-id="{late.pk}"] .countdown')
    expect(late_clock).to_have_class(re.compile(r"\bred\b"))
    expect(late_clock).to_have_text(re.compile(r"^\u22122:\d\d$"))

    # The message arrives the way WhatsApp delivers it: a signed webhook to the running server.
    status = _signed_whatsapp_webhook(
        live_server.url, "Ada motor parkir di trotoar tiga hari, Jl. Pangeran Hidayat"
    )
    assert status == 200
    contact = Contact.objects.get(channel="whatsapp", sender_key="tel:6281234567890")
    row = page.locator(f'[data-contact-id="{contact.pk}"]')
    expect(row).to_be_visible(timeout=20_000)  # the 15-second poll, without a reload
    expect(row.locator(".countdown")).to_have_text(re.compile(r"^[34]:\d\d$"))
    assert page.evaluate("window.spktInbox.chimes") == 1
    assert page.evaluate("document.title").startswith("(1) ")
    page.screenshot(path=str(ARTIFACTS / "inbox-desk.png"), full_page=True)

    # The next poll finds nothing new: 304, and the list stays as it is.
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as polled:
        page.evaluate(
            "htmx.ajax('GET', location.pathname, {source: '#inbox', target: '#inbox',"
            " swap: 'innerHTML'})"
        )
    assert polled.value.status == 304
    assert polled.value.request.headers.get("if-none-match")
    expect(row).to_be_visible()

    row.locator("[data-action=claim]").click()
    expect(page.locator("h1")).to_contain_text("Warga Biawu")
    page.wait_for_load_state("load")  # inbox.js (deferred) fills in the quick replies
    page.click("button[data-quick] >> nth=0")
    body = page.locator("textarea[name=body]").input_value()
    assert f"Nomor pelacakan: {contact.tracking_code}." in body
    page.click("[data-action=reply]")
    expect(page.locator(".messages")).to_contain_text("Balasan terkirim lewat WhatsApp ke ")
    expect(page.locator(".msg.out [data-delivery-label]")).to_have_text("Terkirim")
    page.screenshot(path=str(ARTIFACTS / "contact-desk.png"), full_page=True)

    contact.refresh_from_db()
    assert contact.claimed_by == petugas
    assert contact.first_response_by == petugas
    assert whatsapp == [body]
    assert contact.messages.get(direction=Direction.OUT).delivery == Delivery.SENT
    assert polls
    assert set(polls) <= {200, 304}  # polls that found nothing new were 304
    assert blocked == []

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    _local_only(phone, live_server)
    phone.context.add_cookies(page.context.cookies())
    phone.goto(live_server.url + "/kontak/")
    phone.screenshot(path=str(ARTIFACTS / "inbox-phone.png"), full_page=True)
    phone.goto(live_server.url + f"/kontak/{contact.pk}/")
    phone.screenshot(path=str(ARTIFACTS / "contact-phone.png"), full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing runs off the side of the phone


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_walk_in_takes_a_ticket_and_follows_the_call_on_the_phone(
    browser, live_server, petugas, selatan
) -> None:
    kiosk = browser.new_page(viewport={"width": 1280, "height": 800})
    blocked = _local_only(kiosk, live_server)
    kiosk.goto(live_server.url + f"/kontak/kios/{selatan.code}/")
    kiosk.screenshot(path=str(ARTIFACTS / "kiosk.png"))
    kiosk.click("[data-action=take-ticket]")
    expect(kiosk.locator("[data-ticket-number]")).to_have_text("A-01")
    kiosk.screenshot(path=str(ARTIFACTS / "kiosk-ticket.png"), full_page=True)
    ticket = Contact.objects.get(channel="walkin")
    track_url = kiosk.locator(".ticket [data-track]").inner_text()
    assert track_url.endswith(f"/kontak/lacak/{ticket.tracking_code}/")

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    _local_only(phone, live_server)
    phone.goto(live_server.url + f"/kontak/lacak/{ticket.tracking_code}/")
    expect(phone.locator("[data-status]")).to_contain_text("Menunggu dipanggil")
    phone.screenshot(path=str(ARTIFACTS / "track-phone.png"), full_page=True)

    lobby = browser.new_page(viewport={"width": 1280, "height": 720})
    _local_only(lobby, live_server)
    lobby.goto(live_server.url + f"/kontak/layar/{selatan.code}/")
    expect(lobby.locator("[data-waiting]")).to_have_text("1")
    ticket_call_next(actor=petugas, unit=selatan)
    expect(lobby.locator("[data-called]")).to_have_text("A-01", timeout=12_000)
    lobby.screenshot(path=str(ARTIFACTS / "lobby.png"))
    expect(phone.locator("[data-status]")).to_contain_text("sudah dipanggil", timeout=20_000)
    assert blocked == []
