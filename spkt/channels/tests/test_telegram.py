"""Telegram Bot API: the secret-token header, updates in, files through getFile."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from spkt.channels.tests.helpers import BOT_TOKEN, post_telegram, raw
from spkt.dutylog.models import Mutasi
from spkt.intake.models import Contact, Message

CHAT = 5550123


def url(slug: str = "tg-selatan") -> str:
    return reverse("channels:telegram-webhook", args=[slug])


def update(message_id: int = 42, chat: int = CHAT, update_id: int = 900001, **fields) -> dict:
    message = {
        "message_id": message_id,
        "from": {"id": chat, "is_bot": False, "first_name": "Rahma", "last_name": "Suleman"},
        "chat": {"id": chat, "type": "private", "first_name": "Rahma"},
        "date": int(time.time()) - 10,
    }
    message.update(fields or {"text": "Dompet saya hilang di angkot"})
    return {"update_id": update_id, "message": message}


def test_a_text_becomes_a_contact_with_its_mutasi_entry(client, telegram_account) -> None:
    assert post_telegram(client, url(), raw(update())).status_code == 200
    contact = Contact.objects.get()
    assert contact.channel == "telegram"
    assert contact.sender_name == "Rahma Suleman"
    assert contact.sender_address == str(CHAT)
    assert contact.external_thread == str(CHAT)
    message = contact.messages.get()
    assert message.body == "Dompet saya hilang di angkot"
    assert message.external_id == f"{CHAT}:42"
    assert Mutasi.objects.filter(text__contains=contact.tracking_code).exists()


def test_the_same_update_delivered_twice_is_stored_once(client, telegram_account) -> None:
    body = raw(update())
    assert post_telegram(client, url(), body).status_code == 200
    assert post_telegram(client, url(), body).status_code == 200
    assert Message.objects.count() == 1


def test_the_same_message_number_in_two_chats_is_two_messages(client, telegram_account) -> None:
    assert post_telegram(client, url(), raw(update(chat=111))).status_code == 200
    assert post_telegram(client, url(), raw(update(chat=222, update_id=2))).status_code == 200
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["111:42", "222:42"]


def test_a_reply_to_our_message_continues_the_thread(client, telegram_account) -> None:
    assert post_telegram(client, url(), raw(update())).status_code == 200
    follow = update(
        message_id=43, update_id=2, text="Warnanya coklat", reply_to_message={"message_id": 42}
    )
    assert post_telegram(client, url(), raw(follow)).status_code == 200
    assert Contact.objects.get().messages.count() == 2


def test_a_photo_is_fetched_in_its_largest_size(client, telegram_account, provider) -> None:
    provider.on(
        "GET",
        f"/bot{BOT_TOKEN}/getFile?file_id=BIG",
        {"ok": True, "result": {"file_id": "BIG", "file_path": "photos/file_7.jpg"}},
    )
    provider.on(
        "GET",
        f"/file/bot{BOT_TOKEN}/photos/file_7.jpg",
        raw=b"\xff\xd8JPEG",
        content_type="image/jpeg",
    )
    photo = update(
        photo=[
            {"file_id": "SMALL", "file_unique_id": "s", "width": 90, "height": 90},
            {"file_id": "BIG", "file_unique_id": "b", "width": 1280, "height": 1280},
        ],
        caption="Plat nomor pelaku",
    )
    assert post_telegram(client, url(), raw(photo)).status_code == 200
    assert [s.path for s in provider.requests()] == [
        f"/bot{BOT_TOKEN}/getFile?file_id=BIG",
        f"/file/bot{BOT_TOKEN}/photos/file_7.jpg",
    ]
    message = Message.objects.get()
    assert message.body == "Plat nomor pelaku"
    attachment = message.attachments.get()
    assert (attachment.content_type, attachment.size) == ("image/jpeg", 6)
    assert attachment.filename == f"foto-{CHAT}-42.jpg"


def test_a_document_keeps_its_name_and_type(client, telegram_account, provider) -> None:
    provider.on(
        "GET",
        f"/bot{BOT_TOKEN}/getFile?file_id=DOC",
        {"ok": True, "result": {"file_path": "documents/file_3.pdf"}},
    )
    provider.on("GET", f"/file/bot{BOT_TOKEN}/documents/file_3.pdf", raw=b"%PDF-1.4")
    document = update(
        document={"file_id": "DOC", "file_name": "stnk.pdf", "mime_type": "application/pdf"}
    )
    assert post_telegram(client, url(), raw(document)).status_code == 200
    attachment = Message.objects.get().attachments.get()
    assert (attachment.filename, attachment.content_type) == ("stnk.pdf", "application/pdf")


def test_a_file_over_the_limit_is_not_downloaded(client, telegram_account, provider) -> None:
    video = update(video={"file_id": "V", "mime_type": "video/mp4", "file_size": 50 * 1024 * 1024})
    assert post_telegram(client, url(), raw(video)).status_code == 200
    assert provider.requests() == []
    assert "terlalu besar" in Message.objects.get().warning


def test_a_location_is_written_out(client, telegram_account) -> None:
    where = update(location={"latitude": 0.5387, "longitude": 123.0625})
    assert post_telegram(client, url(), raw(where)).status_code == 200
    assert Message.objects.get().body == "Lokasi: 0.5387,123.0625"


def test_edits_and_other_updates_are_not_contacts(client, telegram_account) -> None:
    edited = {"update_id": 5, "edited_message": update()["message"]}
    assert post_telegram(client, url(), raw(edited)).status_code == 200
    assert (
        post_telegram(client, url(), raw({"update_id": 6, "my_chat_member": {}})).status_code == 200
    )
    assert not Contact.objects.exists()


def test_an_empty_message_is_acknowledged_and_not_stored(client, telegram_account) -> None:
    assert post_telegram(client, url(), raw(update(text="  "))).status_code == 200
    assert not Contact.objects.exists()


@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("", 401), ("tebakan", 403)])
def test_a_request_without_our_secret_token_stores_nothing(
    client, telegram_account, secret, status
) -> None:
    assert post_telegram(client, url(), raw(update()), secret=secret).status_code == status
    assert not Contact.objects.exists()
    assert not Message.objects.exists()
