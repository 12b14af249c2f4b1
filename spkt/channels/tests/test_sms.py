"""The SMS gateway protocol (docs/channels.md): signed, timestamped JSON both ways."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.urls import reverse

from spkt.channels.tests.helpers import SMS_SECRET, post_sms, raw
from spkt.channels.webhooks import sms_sign
from spkt.dutylog.models import Mutasi
from spkt.intake.models import Contact, Delivery, Message, OutboxItem, OutboxStatus
from spkt.intake.outbox import outbox_deliver
from spkt.intake.services import contact_reply


def url(slug: str = "sms-selatan") -> str:
    return reverse("channels:sms-webhook", args=[slug])


WITA = timezone(timedelta(hours=8))


def sent_at() -> datetime:
    """When the gateway received the SMS: three minutes ago by the test clock (read per test)."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)


def sms(gateway_id: str = "gw-1001", text: str = "Ada tawuran di Jl. Nani Wartabone", **kw) -> dict:
    return {
        "id": gateway_id,
        "from": "081234567890",
        "to": "+628111000222",
        "text": text,
        "received_at": sent_at().astimezone(WITA).isoformat(),
        **kw,
    }


def nothing_stored() -> bool:
    return not Contact.objects.exists() and not Message.objects.exists()


def test_a_signed_sms_becomes_a_contact_with_its_mutasi_entry(client, sms_account) -> None:
    assert post_sms(client, url(), raw(sms())).status_code == 200
    contact = Contact.objects.get()
    assert contact.channel == "sms"
    assert contact.sender_address == "081234567890"
    assert contact.sender_key == "tel:6281234567890"
    assert contact.external_thread == "081234567890"
    message = contact.messages.get()
    assert (message.external_id, message.body) == ("gw-1001", "Ada tawuran di Jl. Nani Wartabone")
    assert message.at == sent_at()  # the gateway's time, given in WITA
    assert Mutasi.objects.filter(text__contains=contact.tracking_code).exists()


def test_a_replayed_request_within_the_window_is_stored_once(client, sms_account) -> None:
    body, at = raw(sms()), int(time.time())
    assert post_sms(client, url(), body, at=at).status_code == 200
    assert post_sms(client, url(), body, at=at).status_code == 200
    assert Message.objects.count() == 1


@pytest.mark.parametrize("age", [301, 3600, -301])
def test_a_request_with_an_old_or_future_timestamp_is_refused(client, sms_account, age) -> None:
    # Correctly signed, but not now: a captured request replayed later.
    assert post_sms(client, url(), raw(sms()), at=int(time.time()) - age).status_code == 403
    assert nothing_stored()


def test_a_request_without_signature_or_timestamp_is_401(client, sms_account) -> None:
    body = raw(sms())
    assert post_sms(client, url(), body, signed=False).status_code == 401
    answer = client.post(
        url(),
        data=body,
        content_type="application/json",
        headers={"X-SPKT-Signature": sms_sign(SMS_SECRET, "1", body)},
    )
    assert answer.status_code == 401
    assert nothing_stored()


@pytest.mark.parametrize("secret", ["tebakan", ""])
def test_a_wrong_signature_is_403(client, sms_account, secret) -> None:
    assert post_sms(client, url(), raw(sms()), secret=secret).status_code == 403
    assert nothing_stored()


def test_a_timestamp_that_is_not_a_number_is_403(client, sms_account) -> None:
    body = raw(sms())
    headers = {
        "X-SPKT-Timestamp": "kemarin",
        "X-SPKT-Signature": sms_sign(SMS_SECRET, "kemarin", body),
    }
    answer = client.post(url(), data=body, content_type="application/json", headers=headers)
    assert answer.status_code == 403
    assert nothing_stored()


@pytest.mark.parametrize(
    "payload",
    [
        {"from": "0812", "text": "tanpa id"},
        {"id": "gw-9", "text": "tanpa pengirim"},
        {"id": "gw-9", "from": "0812"},
        {"id": "gw-9", "from": "0812", "text": "x", "received_at": "2026-11-28T09:15:00"},
        {"id": "gw-9", "from": "0812", "text": "x", "received_at": "kemarin"},
        {"type": "gambar", "id": "gw-9"},
        {"type": "status", "id": "gw-9", "status": "hilang"},
    ],
)
def test_a_payload_outside_the_protocol_is_400(client, sms_account, payload) -> None:
    assert post_sms(client, url(), raw(payload)).status_code == 400
    assert nothing_stored()


def test_an_empty_sms_is_acknowledged_and_not_stored(client, sms_account) -> None:
    assert post_sms(client, url(), raw(sms(text=" "))).status_code == 200
    assert nothing_stored()


def _reply(client, petugas, provider, answer: dict | None = None, status: int = 200):
    assert post_sms(client, url(), raw(sms())).status_code == 200
    provider.on(
        "POST",
        "/gateway/send",
        answer if answer is not None else {"id": "gw-out-77"},
        status=status,
    )
    message = contact_reply(
        actor=petugas, contact=Contact.objects.get(), body="Petugas menuju lokasi."
    )
    return message, outbox_deliver(message.outbox.pk)


def test_a_reply_is_posted_signed_to_the_gateway(client, sms_account, petugas, provider) -> None:
    message, result = _reply(client, petugas, provider)
    assert result == OutboxStatus.SENT
    (sent,) = provider.requests("POST")
    assert sent.path == "/gateway/send"
    assert sent.headers["content-type"] == "application/json"
    timestamp = sent.headers["x-spkt-timestamp"]
    assert abs(int(timestamp) - time.time()) < 5
    assert sent.headers["x-spkt-signature"] == sms_sign(SMS_SECRET, timestamp, sent.body)
    assert json.loads(sent.body) == {
        "to": "+6281234567890",
        "text": "Petugas menuju lokasi.",
        "reference": f"spkt-{message.pk}",
    }
    message.refresh_from_db()
    assert (message.delivery, message.external_id) == (Delivery.SENT, "gw-out-77")


def test_delivery_reports_update_the_reply(client, sms_account, petugas, provider) -> None:
    message, _ = _reply(client, petugas, provider)
    report = {"type": "status", "id": "gw-out-77", "status": "delivered"}
    assert post_sms(client, url(), raw(report)).status_code == 200
    message.refresh_from_db()
    assert message.delivery == Delivery.DELIVERED


def test_a_failure_report_marks_the_reply_failed(client, sms_account, petugas, provider) -> None:
    message, _ = _reply(client, petugas, provider)
    report = {"type": "status", "id": "gw-out-77", "status": "failed", "error": "nomor tidak aktif"}
    assert post_sms(client, url(), raw(report)).status_code == 200
    item = OutboxItem.objects.get(message=message)
    assert (item.status, item.last_error) == (OutboxStatus.FAILED, "nomor tidak aktif")
