"""WhatsApp Cloud API: handshake, signed messages in, media through the Graph API, statuses."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from spkt.channels.models import ChannelAccount, InboundPayload, InboundStatus
from spkt.channels.tests.helpers import (
    ACCESS_TOKEN,
    APP_SECRET,
    VERIFY_TOKEN,
    hub_signature,
    post_meta,
    raw,
)
from spkt.dutylog.models import Mutasi
from spkt.intake.models import (
    Attachment,
    Contact,
    Delivery,
    Message,
    OutboxItem,
    OutboxStatus,
)
from spkt.intake.outbox import outbox_deliver
from spkt.intake.services import contact_reply

WARGA = "6281234567890"


def url(slug: str = "wa-selatan") -> str:
    return reverse("channels:whatsapp-webhook", args=[slug])


def text(body: str = "Motor saya hilang di Pasar Sentral", mid: str = "wamid.A1", **kw) -> dict:
    return {
        "from": kw.get("sender", WARGA),
        "id": mid,
        "timestamp": str(int(time.time()) - 30),
        "type": "text",
        "text": {"body": body},
    }


def payload(*messages: dict, statuses: tuple = (), number: str = "1055") -> dict:
    value: dict = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "628111000", "phone_number_id": number},
    }
    if messages:
        value["contacts"] = [
            {"profile": {"name": "Rahma Suleman"}, "wa_id": WARGA},
            {"profile": {"name": "Budi"}, "wa_id": "6285200001111"},
        ]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA1", "changes": [{"field": "messages", "value": value}]}],
    }


def nothing_stored() -> bool:
    return not Contact.objects.exists() and not Message.objects.exists()


# --- Verification handshake -----------------------------------------------------------------------
def test_the_handshake_echoes_the_challenge_for_our_verify_token(client, whatsapp_account) -> None:
    answer = client.get(
        url(),
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert answer.status_code == 200
    assert answer.content == b"1158201444"
    assert answer["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "tebakan", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
def test_the_handshake_is_refused_without_our_verify_token(client, whatsapp_account, query) -> None:
    assert client.get(url(), query).status_code == 403


def test_the_handshake_of_an_unknown_account_is_404(client, whatsapp_account) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"}
    assert client.get(url("tidak-ada"), query).status_code == 404


# --- Messages in ----------------------------------------------------------------------------------
def test_a_signed_text_becomes_a_contact_with_its_mutasi_entry(client, whatsapp_account) -> None:
    answer = post_meta(client, url(), raw(payload(text())))
    assert answer.status_code == 200
    contact = Contact.objects.get()
    assert contact.unit == whatsapp_account.unit
    assert contact.channel == "whatsapp"
    assert contact.sender_name == "Rahma Suleman"
    assert contact.sender_address == WARGA
    assert contact.sender_key == f"tel:{WARGA}"
    assert contact.external_thread == WARGA
    message = contact.messages.get()
    assert message.body == "Motor saya hilang di Pasar Sentral"
    assert message.external_id == "wamid.A1"
    assert abs(time.time() - 30 - message.at.timestamp()) < 2  # the provider's timestamp
    assert Mutasi.objects.filter(unit=contact.unit, text__contains=contact.tracking_code).exists()


def test_the_same_message_id_delivered_twice_is_stored_once(client, whatsapp_account) -> None:
    body = raw(payload(text()))
    assert post_meta(client, url(), body).status_code == 200
    assert post_meta(client, url(), body).status_code == 200
    assert Message.objects.count() == 1
    assert Contact.objects.count() == 1


def test_a_poison_message_is_skipped_and_the_others_are_stored(client, whatsapp_account) -> None:
    body = raw(
        payload(
            text("Ada kecelakaan di Jl. Panjaitan", mid="wamid.good1"),
            text("   ", mid="wamid.empty"),  # contact_receive refuses an empty message
            {"from": WARGA, "type": "text"},  # no id: unreadable
            {
                "from": WARGA,
                "id": "wamid.badloc",
                "type": "location",
                "location": {"latitude": "utara", "longitude": 1},
            },
            text("Mohon bantuan", mid="wamid.good2", sender="6285200001111"),
        )
    )
    assert post_meta(client, url(), body).status_code == 200
    assert sorted(Message.objects.values_list("external_id", flat=True)) == [
        "wamid.good1",
        "wamid.good2",
    ]
    assert Contact.objects.get(external_thread="6285200001111").sender_name == "Budi"


def test_an_unexpected_failure_stores_the_others_and_is_tried_again(
    client, whatsapp_account, monkeypatch
) -> None:
    from spkt.channels import webhooks

    real = webhooks.contact_receive

    def flaky(*, unit, incoming, **kwargs):
        if incoming.external_id == "wamid.db":
            raise RuntimeError("database went away")
        return real(unit=unit, incoming=incoming, **kwargs)

    monkeypatch.setattr(webhooks, "contact_receive", flaky)
    body = raw(payload(text(mid="wamid.db"), text("Kedua", mid="wamid.ok")))
    # Stored and answered at once; the worker stores what it can and tries the rest again later.
    assert post_meta(client, url(), body).status_code == 200
    assert list(Message.objects.values_list("external_id", flat=True)) == ["wamid.ok"]
    stored = InboundPayload.objects.get()
    assert (stored.status, stored.attempts) == (InboundStatus.PENDING, 1)
    assert "database went away" in stored.error


def test_a_location_is_written_out_in_the_body(client, whatsapp_account) -> None:
    location = {
        "from": WARGA,
        "id": "wamid.L1",
        "timestamp": str(int(time.time())),
        "type": "location",
        "location": {
            "latitude": 0.5412,
            "longitude": 123.0595,
            "name": "Pasar Sentral",
            "address": "Jl. Sultan Botutihe",
        },
    }
    assert post_meta(client, url(), raw(payload(location))).status_code == 200
    assert (
        Message.objects.get().body
        == "Lokasi: 0.5412,123.0595 (Pasar Sentral / Jl. Sultan Botutihe)"
    )


def test_an_image_is_fetched_through_the_graph_api_with_the_token(
    client, whatsapp_account, provider
) -> None:
    provider.on(
        "GET",
        "/v21.0/MEDIA-IMG-1",
        {
            "messaging_product": "whatsapp",
            "url": provider.base + "/whatsapp/media/abc?ext=1",
            "mime_type": "image/jpeg",
            "file_size": 8,
            "id": "MEDIA-IMG-1",
        },
    )
    provider.on(
        "GET", "/whatsapp/media/abc?ext=1", raw=b"\xff\xd8\xffJPEG!", content_type="image/jpeg"
    )
    image = {
        "from": WARGA,
        "id": "wamid.I1",
        "timestamp": str(int(time.time())),
        "type": "image",
        "image": {"caption": "Foto motor", "mime_type": "image/jpeg", "id": "MEDIA-IMG-1"},
    }
    assert post_meta(client, url(), raw(payload(image))).status_code == 200
    assert post_meta(client, url(), raw(payload(image))).status_code == 200  # redelivered
    lookup, download = provider.requests()  # fetched once
    assert (lookup.method, lookup.path) == ("GET", "/v21.0/MEDIA-IMG-1")
    assert lookup.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert download.path == "/whatsapp/media/abc?ext=1"
    assert download.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    message = Message.objects.get()
    assert message.body == "Foto motor"
    attachment = message.attachments.get()
    assert attachment.content_type == "image/jpeg"
    assert attachment.filename.startswith("image-")
    assert attachment.size == 8
    with attachment.file.open("rb") as stored:
        assert stored.read() == b"\xff\xd8\xffJPEG!"


def test_a_document_keeps_its_file_name(client, whatsapp_account, provider) -> None:
    provider.on("GET", "/v21.0/DOC1", {"url": provider.base + "/dl/doc1", "id": "DOC1"})
    provider.on("GET", "/dl/doc1", raw=b"%PDF-1.7 laporan", content_type="application/pdf")
    document = {
        "from": WARGA,
        "id": "wamid.D1",
        "type": "document",
        "document": {
            "filename": "../../etc/kronologi.pdf",  # the sender chose it
            "mime_type": "application/pdf",
            "id": "DOC1",
        },
    }
    assert post_meta(client, url(), raw(payload(document))).status_code == 200
    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.content_type) == ("kronologi.pdf", "application/pdf")


def test_a_media_that_cannot_be_fetched_keeps_the_message_with_a_warning(
    client, whatsapp_account, provider
) -> None:
    provider.on("GET", "/v21.0/GONE", {"error": {"code": 100}}, status=404)
    image = {
        "from": WARGA,
        "id": "wamid.I2",
        "type": "image",
        "image": {"mime_type": "image/jpeg", "id": "GONE"},
    }
    assert post_meta(client, url(), raw(payload(image))).status_code == 200
    message = Message.objects.get()
    assert "tidak dapat diunduh" in message.warning
    assert "tidak dapat diunduh" in message.body  # no caption: the warning is what the desk sees
    assert not message.attachments.exists()


def test_a_media_of_a_refused_type_is_not_downloaded(client, whatsapp_account, provider) -> None:
    document = {
        "from": WARGA,
        "id": "wamid.D2",
        "type": "document",
        "document": {
            "caption": "Ini filenya",
            "filename": "setup.exe",
            "mime_type": "application/x-msdownload",
            "id": "EXE1",
        },
    }
    assert post_meta(client, url(), raw(payload(document))).status_code == 200
    assert provider.requests() == []
    message = Message.objects.get()
    assert message.body == "Ini filenya"
    assert "setup.exe" in message.warning
    assert not message.attachments.exists()


# --- Refused requests -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("signature", "status"),
    [
        (None, 401),
        ("", 401),
        ("sha256=" + "0" * 64, 403),
        ("sha1=abc", 403),
        ("garbage", 403),
        ("other-secret", 403),
    ],
)
def test_a_request_without_our_signature_stores_nothing(
    client, whatsapp_account, signature, status
) -> None:
    body = raw(payload(text()))
    if signature == "other-secret":
        signature = hub_signature(body, "not-" + APP_SECRET)
    assert post_meta(client, url(), body, signature=signature).status_code == status
    assert nothing_stored()


def test_a_signature_over_another_body_is_refused(client, whatsapp_account) -> None:
    signature = hub_signature(raw(payload(text("Halo"))))
    body = raw(payload(text("Halo, diubah di jalan")))
    assert post_meta(client, url(), body, signature=signature).status_code == 403
    assert nothing_stored()


def test_an_account_without_app_secret_accepts_nothing(client, whatsapp_account) -> None:
    whatsapp_account.set_secrets({"verify_token": VERIFY_TOKEN})
    whatsapp_account.save()
    body = raw(payload(text()))
    assert post_meta(client, url(), body, signature=hub_signature(body, "")).status_code == 403
    assert nothing_stored()


# --- Several units behind one Meta app ------------------------------------------------------------
def test_an_entry_for_another_units_number_goes_to_that_unit(
    client, whatsapp_account, utara
) -> None:
    other = ChannelAccount(
        unit=utara,
        channel="whatsapp",
        name="utara",
        slug="wa-utara",
        config={"phone_number_id": "2077"},
    )
    other.set_secrets({"app_secret": APP_SECRET, "verify_token": "x", "access_token": "y"})
    other.save()
    assert post_meta(client, url(), raw(payload(text(), number="2077"))).status_code == 200
    assert Contact.objects.get().unit == utara


def test_an_entry_for_a_number_of_another_app_is_not_stored(
    client, whatsapp_account, utara
) -> None:
    other = ChannelAccount(
        unit=utara,
        channel="whatsapp",
        name="utara",
        slug="wa-utara",
        config={"phone_number_id": "2077"},
    )
    other.set_secrets({"app_secret": "a-different-app", "verify_token": "x", "access_token": "y"})
    other.save()
    assert post_meta(client, url(), raw(payload(text(), number="2077"))).status_code == 200
    assert nothing_stored()


# --- Replies out and their statuses ---------------------------------------------------------------
def _reply(client, petugas, provider, wamid: str = "wamid.OUT1"):
    assert post_meta(client, url(), raw(payload(text()))).status_code == 200
    provider.on(
        "POST",
        "/v21.0/1055/messages",
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": WARGA, "wa_id": WARGA}],
            "messages": [{"id": wamid}],
        },
    )
    message = contact_reply(
        actor=petugas, contact=Contact.objects.get(), body="Laporan Anda kami terima."
    )
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.SENT
    message.refresh_from_db()
    return message


def test_a_reply_is_posted_to_the_cloud_api(client, whatsapp_account, petugas, provider) -> None:
    message = _reply(client, petugas, provider)
    (sent,) = provider.requests("POST")
    assert sent.path == "/v21.0/1055/messages"
    assert sent.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert sent.headers["content-type"] == "application/json"
    assert sent.json() == {
        "messaging_product": "whatsapp",
        "to": WARGA,
        "type": "text",
        "text": {"body": "Laporan Anda kami terima."},
    }
    assert (message.delivery, message.external_id) == (Delivery.SENT, "wamid.OUT1")


def status(state: str, wamid: str = "wamid.OUT1", **extra) -> dict:
    return {
        "id": wamid,
        "status": state,
        "timestamp": str(int(time.time())),
        "recipient_id": WARGA,
        **extra,
    }


def test_status_callbacks_move_the_delivery_forward_only(
    client, whatsapp_account, petugas, provider
) -> None:
    message = _reply(client, petugas, provider)
    for state, expected in [
        ("delivered", Delivery.DELIVERED),
        ("sent", Delivery.DELIVERED),  # late and out of order: ignored
        ("read", Delivery.READ),
        ("delivered", Delivery.READ),
        ("failed", Delivery.READ),
    ]:
        assert post_meta(client, url(), raw(payload(statuses=(status(state),)))).status_code == 200
        message.refresh_from_db()
        assert message.delivery == expected, state


def test_a_failed_status_marks_the_outbox_item_failed_for_a_retry(
    client, whatsapp_account, petugas, provider
) -> None:
    message = _reply(client, petugas, provider)
    failed = status("failed", errors=[{"code": 131047, "title": "Re-engagement message"}])
    assert post_meta(client, url(), raw(payload(statuses=(failed,)))).status_code == 200
    message.refresh_from_db()
    item = OutboxItem.objects.get(message=message)
    assert message.delivery == Delivery.FAILED
    assert item.status == OutboxStatus.FAILED
    assert item.last_error == "131047 Re-engagement message"


def test_a_status_for_an_unknown_message_changes_nothing(client, whatsapp_account) -> None:
    body = raw(payload(statuses=(status("read", wamid="wamid.unknown"),)))
    assert post_meta(client, url(), body).status_code == 200
    assert nothing_stored()
