"""SMS Gateway for Android: its signed webhooks in, replies out through its REST API, against a
real local HTTP server playing the app (tests/helpers.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.conf import settings
from django.urls import reverse

from spkt.channels import smsgate, smstext
from spkt.channels.models import InboundPayload, InboundStatus
from spkt.channels.smsgate import sign
from spkt.channels.tests.helpers import ANDROID_KEY, ANDROID_PASSWORD, ANDROID_USER, raw
from spkt.intake.models import Contact, Delivery, Message, OutboxItem, OutboxStatus
from spkt.intake.outbox import outbox_deliver
from spkt.intake.services import contact_reply

URL = "/hooks/sms/sms-android/"
WITA = timezone(timedelta(hours=8))


def phone_time() -> datetime:
    """When the phone got the SMS: three minutes ago by the test clock (read per test)."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)


def event(kind: str = "sms:received", event_id: str = "Ey6ECgOkVVFjz3CL48B8C", **payload):
    inner = {
        "messageId": "abc123",
        "message": "Ada kecelakaan di Jl. Panjaitan",
        "phoneNumber": "+6281234567890",
        "simNumber": 1,
        # As the app writes it: milliseconds and the phone's own offset.
        "receivedAt": phone_time().astimezone(WITA).isoformat(timespec="milliseconds"),
    }
    inner.update(payload)
    return {
        "deviceId": "ffffffffceb0b1db0000018e937c815b",
        "event": kind,
        "id": event_id,
        "payload": {k: v for k, v in inner.items() if v is not None},
        "webhookId": "LreFUt-Z3sSq0JufY9uWB",
    }


def post(client, body: bytes, *, key: str = ANDROID_KEY, at: int | None = None, signed=True):
    timestamp = str(int(time.time()) if at is None else at)
    headers = {"X-Timestamp": timestamp}
    if signed:
        headers["X-Signature"] = sign(key, timestamp, body)
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def test_the_webhook_url_is_the_sms_one() -> None:
    assert reverse("channels:sms-webhook", args=["sms-android"]) == URL


def test_a_signed_sms_becomes_a_contact(client, android_account) -> None:
    answer = post(client, raw(event()))
    assert (answer.status_code, answer.content) == (200, b"ok")
    contact = Contact.objects.get()
    assert (contact.channel, contact.sender_key) == ("sms", "tel:6281234567890")
    message = contact.messages.get()
    assert message.body == "Ada kecelakaan di Jl. Panjaitan"
    assert message.external_id == "asg:Ey6ECgOkVVFjz3CL48B8C"
    assert message.at == phone_time()  # the phone's time, given in WITA


def test_the_signature_is_over_body_then_timestamp(client, android_account) -> None:
    # Not the SPKT protocol's "<timestamp>.<body>": the app's own scheme (docs/features/webhooks).
    body, timestamp = raw(event()), str(int(time.time()))
    assert (
        sign(ANDROID_KEY, timestamp, body)
        == hmac.new(ANDROID_KEY.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()
    )
    wrong = hmac.new(ANDROID_KEY.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    headers = {"X-Timestamp": timestamp, "X-Signature": wrong.hexdigest()}
    answer = client.post(URL, data=body, content_type="application/json", headers=headers)
    assert answer.status_code == 403
    assert not InboundPayload.objects.exists()


def test_an_event_delivered_again_is_stored_once(client, android_account) -> None:
    body = raw(event())
    assert post(client, body).status_code == 200
    assert post(client, body).status_code == 200
    assert InboundPayload.objects.count() == 1
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"signed": False}, 401),
        ({"key": "kunci-tebakan"}, 403),
        ({"key": ""}, 403),
        ({"age": 301}, 403),  # a captured request replayed later
        ({"age": -301}, 403),
    ],
)
def test_unsigned_or_wrongly_signed_webhooks_are_refused(client, android_account, kwargs, status):
    kwargs = dict(kwargs)
    if "age" in kwargs:
        kwargs["at"] = int(time.time()) - kwargs.pop("age")
    assert post(client, raw(event()), **kwargs).status_code == status
    assert not InboundPayload.objects.exists()
    assert not Contact.objects.exists()


def test_a_request_without_timestamp_is_401(client, android_account) -> None:
    body = raw(event())
    headers = {"X-Signature": sign(ANDROID_KEY, "1", body)}
    answer = client.post(URL, data=body, content_type="application/json", headers=headers)
    assert answer.status_code == 401


def test_an_sms_without_sender_number_is_kept_as_a_dead_letter(client, android_account) -> None:
    assert post(client, raw(event(phoneNumber=None))).status_code == 200
    assert not Contact.objects.exists()
    payload = InboundPayload.objects.get()
    assert payload.status == InboundStatus.DEAD
    assert "nomor pengirim" in payload.error
    assert "Ada kecelakaan" in payload.body  # nothing lost: the admin can read it


def test_an_over_long_body_is_filed_cut_with_a_warning(client, android_account) -> None:
    text = "x" * (smstext.MAX_TEXT + 500)
    assert post(client, raw(event(message=text))).status_code == 200
    message = Message.objects.get()
    assert len(message.body) == smstext.MAX_TEXT
    assert "terlalu panjang" in message.warning
    assert json.loads(InboundPayload.objects.get().body)["payload"]["message"] == text


def test_a_body_over_the_request_limit_is_413(client, android_account, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    assert post(client, raw(event(message="y" * 4000))).status_code == 413
    assert not InboundPayload.objects.exists()


def test_an_unknown_event_is_ignored_and_logged_once(client, android_account, caplog) -> None:
    smsgate._ignored_logged.discard("system:ping")
    body = raw({"event": "system:ping", "id": "p1", "payload": {"health": {"status": "pass"}}})
    with caplog.at_level(logging.WARNING, logger="spkt.channels.smsgate"):
        first, second = post(client, body), post(client, body)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.content.startswith(b"ignored")
    assert not InboundPayload.objects.exists()
    assert [r.getMessage() for r in caplog.records].count(
        "android sms gateway: event 'system:ping' ignored (logged once)"
    ) == 1


def test_a_body_that_is_not_an_event_is_refused_with_200(client, android_account) -> None:
    # The app delivers again on anything but 2xx; a body that is not JSON never gets better.
    assert post(client, b"bukan json").status_code == 200
    assert post(client, raw({"event": "sms:received", "id": "x"})).status_code == 200
    assert not InboundPayload.objects.exists()


def _reply(client, petugas, provider, text="Petugas menuju lokasi.", answer=None, status=202):
    assert post(client, raw(event())).status_code == 200
    provider.on(
        "POST",
        "/android/message",
        answer if answer is not None else {"id": "spkt-x", "state": "Pending"},
        status=status,
    )
    message = contact_reply(actor=petugas, contact=Contact.objects.get(), body=text)
    return message, outbox_deliver(message.outbox.pk)


def test_a_reply_goes_out_through_the_gateway_api(client, android_account, petugas, provider):
    message, result = _reply(client, petugas, provider, answer=None)
    assert result == OutboxStatus.SENT
    (sent,) = provider.requests("POST")
    assert sent.path == "/android/message"
    expected = base64.b64encode(f"{ANDROID_USER}:{ANDROID_PASSWORD}".encode()).decode()
    assert sent.headers["authorization"] == f"Basic {expected}"
    assert sent.json() == {
        "id": f"spkt-{message.pk}",
        "textMessage": {"text": "Petugas menuju lokasi."},
        "phoneNumbers": ["+6281234567890"],
        "withDeliveryReport": True,
    }
    message.refresh_from_db()
    assert (message.delivery, message.external_id) == (Delivery.SENT, "spkt-x")


def test_a_long_reply_is_sent_whole_for_the_app_to_split(
    client, android_account, petugas, provider
):
    text = "Mohon datang ke SPKT dengan membawa KTP. " * 10
    _reply(client, petugas, provider, text=text.strip())
    (sent,) = provider.requests("POST")
    assert sent.json()["textMessage"]["text"] == text.strip()


def test_status_webhooks_move_the_reply_along(client, android_account, petugas, provider):
    message, _ = _reply(client, petugas, provider, answer={"id": "spkt-9"})
    body = raw(event("sms:delivered", "ev-2", messageId="spkt-9", message=None))
    assert post(client, body).status_code == 200
    message.refresh_from_db()
    assert message.delivery == Delivery.DELIVERED


def test_a_failed_webhook_marks_the_reply_failed(client, android_account, petugas, provider):
    message, _ = _reply(client, petugas, provider, answer={"id": "spkt-9"})
    body = raw(event("sms:failed", "ev-3", messageId="spkt-9", reason="Invalid number"))
    assert post(client, body).status_code == 200
    item = OutboxItem.objects.get(message=message)
    assert (item.status, item.last_error) == (OutboxStatus.FAILED, "Invalid number")


def test_wrong_credentials_fail_the_reply_for_good(client, android_account, petugas, provider):
    _message, result = _reply(
        client, petugas, provider, answer={"message": "Unauthorized"}, status=401
    )
    assert result == OutboxStatus.FAILED


def _test_connection(client, account):
    return client.post(
        reverse("admin:channels_channelaccount_changelist"),
        {"action": "test_connection", "_selected_action": [account.pk]},
        follow=True,
    )


def test_the_connection_test_finds_the_webhooks(client, root, android_account, provider):
    hook = settings.SPKT_PUBLIC_BASE_URL + URL
    provider.on(
        "GET",
        "/android/webhooks",
        [
            {"id": str(n), "url": hook, "event": e}
            for n, e in enumerate(["sms:received", "sms:sent", "sms:delivered", "sms:failed"])
        ],
    )
    page = _test_connection(client, android_account).content.decode()
    assert "keempat webhook mengarah ke SPKT" in page
    (asked,) = provider.requests("GET")
    assert asked.headers["authorization"].startswith("Basic ")


def test_the_connection_test_names_missing_webhooks(client, root, android_account, provider):
    provider.on("GET", "/android/webhooks", [])
    page = _test_connection(client, android_account).content.decode()
    assert "belum didaftarkan untuk: sms:received, sms:sent" in page


def test_the_connection_test_reports_refused_credentials(client, root, android_account, provider):
    provider.on("GET", "/android/webhooks", {"message": "Unauthorized"}, status=401)
    page = _test_connection(client, android_account).content.decode()
    assert "menolak username/password" in page
