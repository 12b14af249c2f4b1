"""Facebook Messenger and Instagram: the shared Meta webhook."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.urls import reverse

from spkt.channels.tests.helpers import VERIFY_TOKEN, hub_signature, post_meta, raw
from spkt.dutylog.models import Mutasi
from spkt.intake.models import Contact, Delivery, Message, OutboxStatus
from spkt.intake.outbox import outbox_deliver
from spkt.intake.services import contact_reply

PSID = "2490011223344"


def url(slug: str = "fb-selatan") -> str:
    return reverse("channels:meta-webhook", args=[slug])


def event(mid: str = "m_AAA1", text: str = "Ada orang mencurigakan di depan SD", **message) -> dict:
    return {
        "sender": {"id": PSID},
        "recipient": {"id": "PAGE1"},
        "timestamp": int(time.time() * 1000) - 5000,
        "message": {"mid": mid, "text": text, **message},
    }


def payload(*events: dict, obj: str = "page", entry_id: str = "PAGE1") -> dict:
    return {
        "object": obj,
        "entry": [{"id": entry_id, "time": int(time.time() * 1000), "messaging": list(events)}],
    }


def test_the_handshake_echoes_the_challenge(client, facebook_account) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "abc"}
    assert client.get(url(), query).content == b"abc"
    query["hub.verify_token"] = "salah"
    assert client.get(url(), query).status_code == 403


def test_a_messenger_message_becomes_a_facebook_contact(client, facebook_account) -> None:
    assert post_meta(client, url(), raw(payload(event()))).status_code == 200
    contact = Contact.objects.get()
    assert contact.channel == "facebook"
    assert contact.sender_address == PSID
    assert contact.external_thread == PSID
    message = contact.messages.get()
    assert (message.external_id, message.body) == ("m_AAA1", "Ada orang mencurigakan di depan SD")
    assert Mutasi.objects.filter(text__contains=contact.tracking_code).exists()


def test_an_instagram_message_becomes_an_instagram_contact(client, instagram_account) -> None:
    body = raw(payload(event(mid="ig_1"), obj="instagram", entry_id="IG1"))
    assert post_meta(client, url("ig-selatan"), body).status_code == 200
    assert Contact.objects.get().channel == "instagram"


def test_our_own_echo_and_deleted_messages_are_ignored(client, facebook_account) -> None:
    body = raw(payload(event(mid="m_echo", is_echo=True), event(mid="m_del", is_deleted=True)))
    assert post_meta(client, url(), body).status_code == 200
    assert not Contact.objects.exists()


def test_duplicates_and_poison_in_one_payload(client, facebook_account) -> None:
    body = raw(
        payload(event(), event(), event(mid="m_empty", text=""), event(mid="m_AAA2", text="Lagi"))
    )
    assert post_meta(client, url(), body).status_code == 200
    assert post_meta(client, url(), body).status_code == 200
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["m_AAA1", "m_AAA2"]


def test_an_image_attachment_is_downloaded(client, facebook_account, provider) -> None:
    provider.on("GET", "/cdn/img/bukti.png?oh=1", raw=b"\x89PNG....", content_type="image/png")
    attachment = {"type": "image", "payload": {"url": provider.base + "/cdn/img/bukti.png?oh=1"}}
    body = raw(payload(event(text="", attachments=[attachment])))
    assert post_meta(client, url(), body).status_code == 200
    stored = Message.objects.get().attachments.get()
    assert (stored.filename, stored.content_type, stored.size) == ("bukti.png", "image/png", 8)


def test_a_wrong_signature_stores_nothing(client, facebook_account) -> None:
    body = raw(payload(event()))
    assert post_meta(client, url(), body, signature=hub_signature(body, "x")).status_code == 403
    assert post_meta(client, url(), body, signature=None).status_code == 401
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("channel", "slug", "obj"),
    [("facebook", "fb-selatan", "page"), ("instagram", "ig-selatan", "instagram")],
)
def test_a_reply_goes_to_the_send_api_and_comes_back_delivered_and_read(
    client, facebook_account, instagram_account, petugas, provider, channel, slug, obj
) -> None:
    entry_id = "PAGE1" if channel == "facebook" else "IG1"
    assert (
        post_meta(client, url(slug), raw(payload(event(), obj=obj, entry_id=entry_id))).status_code
        == 200
    )
    provider.on(
        "POST",
        "/v21.0/me/messages?access_token=EAAG-access-token",
        {"recipient_id": PSID, "message_id": "m_OUT1"},
    )
    message = contact_reply(
        actor=petugas, contact=Contact.objects.get(), body="Petugas segera ke lokasi."
    )
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.SENT
    (sent,) = provider.requests("POST")
    expected: dict[str, Any] = {
        "recipient": {"id": PSID},
        "message": {"text": "Petugas segera ke lokasi."},
    }
    if channel == "facebook":
        expected["messaging_type"] = "RESPONSE"
    assert sent.json() == expected
    assert sent.headers["content-type"] == "application/json"
    message.refresh_from_db()
    assert (message.delivery, message.external_id) == (Delivery.SENT, "m_OUT1")

    delivered = {
        "sender": {"id": PSID},
        "recipient": {"id": entry_id},
        "delivery": {"mids": ["m_OUT1"], "watermark": 1},
    }
    assert (
        post_meta(
            client, url(slug), raw(payload(delivered, obj=obj, entry_id=entry_id))
        ).status_code
        == 200
    )
    message.refresh_from_db()
    assert message.delivery == Delivery.DELIVERED
    read = {
        "sender": {"id": PSID},
        "recipient": {"id": entry_id},
        "read": {"watermark": int(time.time() * 1000) + 1000},
    }
    assert (
        post_meta(client, url(slug), raw(payload(read, obj=obj, entry_id=entry_id))).status_code
        == 200
    )
    message.refresh_from_db()
    assert message.delivery == Delivery.READ


def test_instagram_marks_the_seen_message_read(
    client, instagram_account, petugas, provider
) -> None:
    body = raw(payload(event(mid="ig_1"), obj="instagram", entry_id="IG1"))
    assert post_meta(client, url("ig-selatan"), body).status_code == 200
    provider.on(
        "POST",
        "/v21.0/me/messages?access_token=EAAG-access-token",
        {"recipient_id": PSID, "message_id": "ig_OUT"},
    )
    message = contact_reply(actor=petugas, contact=Contact.objects.get(), body="Baik.")
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.SENT
    seen = {"sender": {"id": PSID}, "recipient": {"id": "IG1"}, "read": {"mid": "ig_OUT"}}
    body = raw(payload(seen, obj="instagram", entry_id="IG1"))
    assert post_meta(client, url("ig-selatan"), body).status_code == 200
    message.refresh_from_db()
    assert message.delivery == Delivery.READ
