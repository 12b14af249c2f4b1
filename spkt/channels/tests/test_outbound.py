"""Replies through the outbox: each channel's sender against the fake provider, and how provider
errors become a retry or a permanent failure."""

from __future__ import annotations

import socket

import pytest

from spkt.channels.tests.helpers import ACCESS_TOKEN, BOT_TOKEN
from spkt.core import http
from spkt.intake.models import Delivery, OutboxItem, OutboxStatus
from spkt.intake.outbox import outbox_deliver
from spkt.intake.services import Incoming, contact_receive, contact_reply

# channel -> (account fixture, incoming sender fields, provider path of a send)
CHANNELS = {
    "whatsapp": ("whatsapp_account", "6281234567890", "/v21.0/1055/messages"),
    "facebook": (
        "facebook_account",
        "2490011223344",
        "/v21.0/me/messages?access_token=" + ACCESS_TOKEN,
    ),
    "instagram": (
        "instagram_account",
        "17841400000",
        "/v21.0/me/messages?access_token=" + ACCESS_TOKEN,
    ),
    "telegram": ("telegram_account", "5550123", f"/bot{BOT_TOKEN}/sendMessage"),
    "sms": ("sms_account", "081234567890", "/gateway/send"),
}
SUCCESS = {
    "whatsapp": {"messages": [{"id": "wamid.OUT"}]},
    "facebook": {"recipient_id": "2490011223344", "message_id": "m_OUT"},
    "instagram": {"recipient_id": "17841400000", "message_id": "m_OUT"},
    "telegram": {"ok": True, "result": {"message_id": 88, "chat": {"id": 5550123}}},
    "sms": {"id": "gw-OUT"},
}
EXTERNAL_ID = {
    "whatsapp": "wamid.OUT",
    "facebook": "m_OUT",
    "instagram": "m_OUT",
    "telegram": "5550123:88",
    "sms": "gw-OUT",
}


@pytest.fixture(params=list(CHANNELS))
def reply(request, selatan, petugas, provider):
    """A reply waiting in the outbox of a contact that came in on the channel."""
    channel = request.param
    fixture, address, path = CHANNELS[channel]
    account = request.getfixturevalue(fixture)
    contact = contact_receive(
        unit=selatan,
        incoming=Incoming(
            channel=channel,
            body="Tolong, ada pencurian",
            sender_address=address,
            external_thread=address,
            external_id=f"in-{channel}",
        ),
    )
    message = contact_reply(actor=petugas, contact=contact, body="Kami segera datang.")
    return channel, path, account, message


def outcome(message) -> tuple[str, str, OutboxItem]:
    item = OutboxItem.objects.get(message=message)
    message.refresh_from_db()
    return item.status, message.delivery, item


def test_a_reply_is_sent_and_takes_the_providers_id(reply, provider) -> None:
    channel, path, _account, message = reply
    provider.on("POST", path, SUCCESS[channel])
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.SENT
    assert [r.path for r in provider.requests()] == [path]
    message.refresh_from_db()
    assert (message.delivery, message.external_id) == (Delivery.SENT, EXTERNAL_ID[channel])


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_a_5xx_or_429_is_retried_later(reply, provider, status) -> None:
    _channel, path, _account, message = reply
    provider.on("POST", path, {"error": {"code": 2, "message": "busy"}}, status=status)
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.PENDING
    item_status, delivery, item = outcome(message)
    assert (item_status, delivery, item.attempts) == (OutboxStatus.PENDING, Delivery.PENDING, 1)
    assert f"HTTP {status}" in item.last_error
    assert item.next_attempt_at > item.message.at


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_a_4xx_fails_for_good(reply, provider, status) -> None:
    _channel, path, _account, message = reply
    provider.on(
        "POST",
        path,
        {"ok": False, "error_code": status, "description": "Bad Request: chat not found"},
        status=status,
    )
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.FAILED
    item_status, delivery, item = outcome(message)
    assert (item_status, delivery) == (OutboxStatus.FAILED, Delivery.FAILED)
    assert f"HTTP {status}" in item.last_error


def test_a_provider_error_never_leaks_a_token_into_last_error(reply, provider) -> None:
    _channel, path, _account, message = reply
    provider.on(
        "POST", path, raw=b"<html>upstream down</html>", status=502, content_type="text/html"
    )
    outbox_deliver(message.outbox.pk)
    _s, _d, item = outcome(message)
    assert "upstream down" in item.last_error
    assert ACCESS_TOKEN not in item.last_error
    assert BOT_TOKEN not in item.last_error


def test_the_retry_after_a_5xx_succeeds(reply, provider) -> None:
    channel, path, _account, message = reply
    provider.on("POST", path, {}, status=503)
    provider.on("POST", path, SUCCESS[channel])
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.PENDING
    OutboxItem.objects.filter(pk=message.outbox.pk).update(next_attempt_at=message.at)
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.SENT
    assert len(provider.requests("POST")) == 2


def test_an_accepted_send_without_an_id_is_shown_failed_not_resent(reply, provider) -> None:
    _channel, path, _account, message = reply
    provider.on("POST", path, raw=b"OK", content_type="text/plain")
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.FAILED


@pytest.mark.parametrize("code", [4, 80007, 130429, 131056])
def test_metas_rate_limits_under_http_400_are_retried(
    whatsapp_account, selatan, petugas, provider, code
) -> None:
    contact = contact_receive(
        unit=selatan,
        incoming=Incoming(
            channel="whatsapp", body="Halo", sender_address="6281", external_thread="6281"
        ),
    )
    message = contact_reply(actor=petugas, contact=contact, body="Halo juga")
    provider.on(
        "POST",
        "/v21.0/1055/messages",
        {"error": {"code": code, "message": "Rate limit hit"}},
        status=400,
    )
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.PENDING
    assert f"(error {code})" in OutboxItem.objects.get(message=message).last_error


def test_outside_the_whatsapp_window_fails_for_good(
    whatsapp_account, selatan, petugas, provider
) -> None:
    contact = contact_receive(
        unit=selatan,
        incoming=Incoming(
            channel="whatsapp", body="Halo", sender_address="6281", external_thread="6281"
        ),
    )
    message = contact_reply(actor=petugas, contact=contact, body="Halo juga")
    provider.on(
        "POST",
        "/v21.0/1055/messages",
        {"error": {"code": 131047, "message": "Re-engagement message"}},
        status=400,
    )
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.FAILED


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_no_answer_is_retried(reply) -> None:
    channel, _path, account, message = reply
    dead = f"http://127.0.0.1:{_closed_port()}"
    key = "send_url" if channel == "sms" else "api_base"
    account.config[key] = dead + "/x"
    account.save()
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.PENDING
    assert "no answer" in OutboxItem.objects.get(message=message).last_error


def test_a_provider_slower_than_the_timeout_is_retried(
    telegram_account, selatan, petugas, provider, monkeypatch
) -> None:
    monkeypatch.setattr(http, "TIMEOUT", 0.2)
    contact = contact_receive(
        unit=selatan, incoming=Incoming(channel="telegram", body="Halo", external_thread="5550123")
    )
    message = contact_reply(actor=petugas, contact=contact, body="Halo juga")
    provider.on("POST", f"/bot{BOT_TOKEN}/sendMessage", SUCCESS["telegram"], delay=0.6)
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.PENDING


def test_a_unit_without_an_account_fails_for_good(selatan, petugas) -> None:
    contact = contact_receive(
        unit=selatan, incoming=Incoming(channel="telegram", body="Halo", external_thread="5550123")
    )
    message = contact_reply(actor=petugas, contact=contact, body="Halo juga")
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.FAILED
    assert "no active telegram account" in OutboxItem.objects.get(message=message).last_error


def test_another_units_account_is_never_used(telegram_account, utara, outsider, provider) -> None:
    contact = contact_receive(
        unit=utara, incoming=Incoming(channel="telegram", body="Halo", external_thread="5550123")
    )
    message = contact_reply(actor=outsider, contact=contact, body="Halo juga")
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.FAILED
    assert provider.requests() == []


def test_telegram_gets_the_chat_id_as_a_number(
    telegram_account, selatan, petugas, provider
) -> None:
    contact = contact_receive(
        unit=selatan,
        incoming=Incoming(channel="telegram", body="Halo", external_thread="-100200300"),
    )
    message = contact_reply(actor=petugas, contact=contact, body="Halo juga")
    provider.on("POST", f"/bot{BOT_TOKEN}/sendMessage", {"ok": True, "result": {"message_id": 5}})
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.SENT
    (sent,) = provider.requests("POST")
    assert sent.headers["content-type"] == "application/json"
    assert sent.json() == {"chat_id": -100200300, "text": "Halo juga"}
