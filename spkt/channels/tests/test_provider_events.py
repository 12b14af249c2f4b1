"""Issue 15: the provider events a desk must see — standby deliveries, edits, deletions, shared links
and posts, Telegram groups and service messages, postbacks — and the kinds SPKT does not take,
logged once per kind and account.

Every fixture is written from the provider's own reference (cited above it), signed, posted to the
real webhook view, stored and processed as in production. Each test asserts what the desk sees and
that no contact, message or clock starts where it should not.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from spkt.channels import webhooks
from spkt.channels.models import ChannelAccount, InboundPayload, InboundStatus
from spkt.channels.tests.conftest import META_SECRETS, _account
from spkt.channels.tests.helpers import post_meta, post_telegram, raw
from spkt.core import clock
from spkt.core.models import AuditEvent
from spkt.dutylog.models import Mutasi
from spkt.intake.models import Contact, Message, MessageRevision, Notification, Status

WARGA = "6281234567890"
PSID = "2490011223344"
CHAT = 5550123
CLOCK_FIELDS = (
    "status",
    "received_at",
    "first_response_due_at",
    "first_response_at",
    "breached_at",
    "escalated_kapolsek_at",
    "claimed_at",
    "closed_at",
    "outcome",
)


@pytest.fixture(autouse=True)
def _fresh_notices():
    # "Logged once per kind" is per process: every test starts with nothing logged yet.
    webhooks._NOTICED.clear()
    yield
    webhooks._NOTICED.clear()


def seconds_ago(n: int) -> int:
    return int((clock.now() - timedelta(seconds=n)).timestamp())


def clock_of(contact: Contact) -> dict:
    contact.refresh_from_db()
    return {name: getattr(contact, name) for name in CLOCK_FIELDS}


def close(contact: Contact) -> None:
    now = clock.now()
    Contact.objects.filter(pk=contact.pk).update(
        status=Status.CLOSED, first_response_at=now, closed_at=now, outcome="info"
    )


def all_done() -> bool:
    return not InboundPayload.objects.exclude(status=InboundStatus.DONE).exists()


def desk_page(user, contact: Contact) -> str:
    desk = Client()
    desk.force_login(user)
    answer = desk.get(reverse("intake:detail", args=[contact.pk]))
    assert answer.status_code == 200
    return answer.content.decode()


def lines(caplog, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


# --- WhatsApp Cloud API ---------------------------------------------------------------------------
def wa_url() -> str:
    return reverse("channels:whatsapp-webhook", args=["wa-selatan"])


def wa_payload(*messages: dict, number: str = "1055", field: str = "messages") -> dict:
    # https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA1",
                "changes": [
                    {
                        "field": field,
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "628111000",
                                "phone_number_id": number,
                            },
                            "contacts": [{"profile": {"name": "Rahma Suleman"}, "wa_id": WARGA}],
                            "messages": list(messages),
                        },
                    }
                ],
            }
        ],
    }


def wa_text(body: str, mid: str = "wamid.ORIG1", ago: int = 120) -> dict:
    return {
        "from": WARGA,
        "id": mid,
        "timestamp": str(seconds_ago(ago)),
        "type": "text",
        "text": {"body": body},
    }


def wa_edit(original: str, body: str, mid: str = "wamid.EDIT1", ago: int = 30) -> dict:
    # https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/edit
    return {
        "from": WARGA,
        "id": mid,
        "timestamp": str(seconds_ago(ago)),
        "type": "edit",
        "edit": {
            "original_message_id": original,
            "message": {"type": "text", "text": {"body": body}},
        },
    }


def wa_revoke(original: str, mid: str = "wamid.REVOKE1", ago: int = 20) -> dict:
    # https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/revoke
    return {
        "from": WARGA,
        "id": mid,
        "timestamp": str(seconds_ago(ago)),
        "type": "revoke",
        "revoke": {"original_message_id": original},
    }


def wa_post(client, *messages: dict, **kw) -> None:
    assert post_meta(client, wa_url(), raw(wa_payload(*messages, **kw))).status_code == 200


def test_a_whatsapp_edit_changes_the_text_shown_and_keeps_the_original(
    client, whatsapp_account, petugas
) -> None:
    wa_post(client, wa_text("Motor saya hilang di Pasar Sentral"))
    contact = Contact.objects.get()
    close(contact)
    before = clock_of(contact)
    books = Mutasi.objects.count()

    wa_post(client, wa_edit("wamid.ORIG1", "Motor saya hilang di Pasar Minggu"))

    assert all_done()
    assert Contact.objects.count() == 1
    assert Message.objects.count() == 1
    message = Message.objects.get()
    assert message.body == "Motor saya hilang di Pasar Minggu"
    assert message.edited_at == clock.now().replace(microsecond=0) - timedelta(seconds=30)
    revision = MessageRevision.objects.get()
    assert (revision.message, revision.body) == (message, "Motor saya hilang di Pasar Sentral")
    assert revision.at == message.at
    assert revision.replaced_at == message.edited_at
    # Not a new contact, not a reopened one, no clock, no book entry, no alert.
    assert clock_of(contact) == before
    assert before["status"] == Status.CLOSED
    assert Mutasi.objects.count() == books
    assert not Notification.objects.exists()
    assert AuditEvent.objects.filter(action="intake.message.edited", target_id=str(message.pk))
    page = desk_page(petugas, contact)
    assert "Motor saya hilang di Pasar Minggu" in page
    assert "diedit" in page
    assert "Motor saya hilang di Pasar Sentral" in page


def test_an_open_contacts_clock_is_not_restarted_by_an_edit(client, whatsapp_account) -> None:
    wa_post(client, wa_text("Ada kecelakaan di jalan tol"))
    contact = Contact.objects.get()
    before = clock_of(contact)
    assert before["status"] == Status.OPEN
    wa_post(client, wa_edit("wamid.ORIG1", "Ada kecelakaan di jalan tol km 12"))
    assert clock_of(contact) == before
    assert Message.objects.get().body == "Ada kecelakaan di jalan tol km 12"


def test_an_edit_delivered_again_and_a_second_edit_are_both_history(
    client, whatsapp_account
) -> None:
    wa_post(client, wa_text("versi 1"))
    wa_post(client, wa_edit("wamid.ORIG1", "versi 2", ago=60))
    wa_post(client, wa_edit("wamid.ORIG1", "versi 2", ago=60))  # redelivered
    wa_post(client, wa_edit("wamid.ORIG1", "versi 3", mid="wamid.EDIT2", ago=10))
    assert Message.objects.get().body == "versi 3"
    assert list(MessageRevision.objects.values_list("body", flat=True)) == ["versi 1", "versi 2"]


def test_an_edit_arriving_after_a_later_one_only_joins_the_history(
    client, whatsapp_account
) -> None:
    wa_post(client, wa_text("versi 1"))
    wa_post(client, wa_edit("wamid.ORIG1", "versi 3", mid="wamid.EDIT2", ago=10))
    wa_post(client, wa_edit("wamid.ORIG1", "versi 2", mid="wamid.EDIT1", ago=60))
    assert Message.objects.get().body == "versi 3"
    assert sorted(MessageRevision.objects.values_list("body", flat=True)) == ["versi 1", "versi 2"]


def test_a_whatsapp_caption_edit_changes_the_caption(client, whatsapp_account) -> None:
    wa_post(client, wa_text("foto pelaku"))
    edit = wa_edit("wamid.ORIG1", "")
    edit["edit"]["message"] = {"type": "image", "image": {"id": "MEDIA1", "caption": "foto pelaku"}}
    edit["edit"]["message"]["image"]["caption"] = "foto pelaku, baju merah"
    wa_post(client, edit)
    assert Message.objects.get().body == "foto pelaku, baju merah"


def test_a_whatsapp_revoke_marks_the_original_and_keeps_its_content(
    client, whatsapp_account, petugas
) -> None:
    wa_post(client, wa_text("Saya dipukul tetangga"))
    contact = Contact.objects.get()
    close(contact)
    before = clock_of(contact)

    wa_post(client, wa_revoke("wamid.ORIG1"))
    wa_post(client, wa_revoke("wamid.ORIG1"))  # delivered again: nothing more

    assert all_done()
    assert Contact.objects.count() == 1
    assert Message.objects.count() == 1
    message = Message.objects.get()
    assert message.body == "Saya dipukul tetangga"  # kept for the record
    assert message.deleted_at == clock.now().replace(microsecond=0) - timedelta(seconds=20)
    assert clock_of(contact) == before
    assert AuditEvent.objects.filter(action="intake.message.deleted_by_sender").count() == 1
    page = desk_page(petugas, contact)
    assert "dihapus oleh pengirim" in page
    assert "Saya dipukul tetangga" in page


def test_an_edit_or_revoke_of_an_unknown_message_changes_nothing_and_is_logged_once(
    client, whatsapp_account, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="spkt.channels.webhooks")
    wa_post(client, wa_edit("wamid.NEVER", "teks baru"))
    wa_post(client, wa_edit("wamid.NEVER2", "teks lain", mid="wamid.EDIT9"))
    wa_post(client, wa_revoke("wamid.NEVER"))
    assert all_done()
    assert not Contact.objects.exists()
    assert not Message.objects.exists()
    assert not MessageRevision.objects.exists()
    assert len(lines(caplog, "edit of an unknown message")) == 1
    assert len(lines(caplog, "revoke of an unknown message")) == 1
    assert "wa-selatan" in lines(caplog, "edit of an unknown message")[0]


def test_another_units_message_cannot_be_edited_or_deleted(client, whatsapp_account, utara) -> None:
    other = _account(utara, "whatsapp", "wa-utara", {"phone_number_id": "2077"}, META_SECRETS)
    other_url = reverse("channels:whatsapp-webhook", args=[other.slug])
    body = raw(wa_payload(wa_text("laporan di utara"), number="2077"))
    assert post_meta(client, other_url, body).status_code == 200
    wa_post(client, wa_edit("wamid.ORIG1", "diubah dari selatan"), wa_revoke("wamid.ORIG1"))
    message = Message.objects.get()
    assert message.contact.unit == utara
    assert (message.body, message.edited_at, message.deleted_at) == ("laporan di utara", None, None)


@pytest.mark.parametrize(
    "broken",
    [
        {"type": "edit", "edit": "bukan objek"},
        {"type": "edit", "edit": {"message": {"type": "text", "text": {"body": "x"}}}},
        {"type": "edit", "edit": {"original_message_id": ["wamid.ORIG1"]}},
        {"type": "revoke"},
        {"type": "revoke", "revoke": {"original_message_id": 12345}},
        {"type": "edit", "timestamp": "kemarin"},
        {"type": "revoke", "timestamp": "99999999999999"},
        {"type": "edit", "edit": {"original_message_id": "wamid.ORIG1" * 5000}},
    ],
)
def test_broken_edits_and_revokes_change_nothing(client, whatsapp_account, broken) -> None:
    wa_post(client, wa_text("teks asli"))
    event = {**wa_edit("wamid.ORIG1", "teks baru"), **broken}
    wa_post(client, event)
    message = Message.objects.get()
    assert (message.body, message.edited_at, message.deleted_at) == ("teks asli", None, None)
    assert Contact.objects.count() == 1


def test_unknown_and_ignored_whatsapp_kinds_are_logged_once_per_kind(
    client, whatsapp_account, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="spkt.channels.webhooks")
    reaction = {
        "from": WARGA,
        "id": "wamid.R1",
        "timestamp": str(seconds_ago(5)),
        "type": "reaction",
        "reaction": {"message_id": "wamid.X", "emoji": "👍"},
    }
    order = {**reaction, "id": "wamid.O1", "type": "order", "order": {"catalog_id": "1"}}
    wa_post(client, reaction, {**reaction, "id": "wamid.R2"})
    wa_post(client, order, {**order, "id": "wamid.O2"})
    wa_post(client, field="account_update")
    assert len(lines(caplog, "message type reaction not handled")) == 1
    assert len(lines(caplog, "message type order not handled")) == 1
    assert len(lines(caplog, "field account_update not handled")) == 1
    # The order is still a citizen's message: the desk sees it with the placeholder.
    assert Message.objects.count() == 2


# --- Messenger and Instagram ----------------------------------------------------------------------
def meta_url(slug: str = "fb-selatan") -> str:
    return reverse("channels:meta-webhook", args=[slug])


def meta_payload(
    *events: dict, obj: str = "page", entry_id: str = "PAGE1", under: str = "messaging"
) -> dict:
    # https://developers.facebook.com/docs/messenger-platform/reference/webhook-events
    return {
        "object": obj,
        "entry": [{"id": entry_id, "time": seconds_ago(0) * 1000, under: list(events)}],
    }


def meta_event(recipient: str = "PAGE1", ago: int = 60, **kind) -> dict:
    return {
        "sender": {"id": PSID},
        "recipient": {"id": recipient},
        "timestamp": seconds_ago(ago) * 1000,
        **kind,
    }


def meta_message(mid: str = "m_ORIG1", text: str = "Ada orang mencurigakan", **extra) -> dict:
    # https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
    return meta_event(message={"mid": mid, "text": text, **extra})


def fb_post(client, *events: dict, **kw) -> None:
    assert post_meta(client, meta_url(), raw(meta_payload(*events, **kw))).status_code == 200


def ig_post(client, *events: dict, **kw) -> None:
    body = raw(meta_payload(*events, obj="instagram", entry_id="IG1", **kw))
    assert post_meta(client, meta_url("ig-selatan"), body).status_code == 200


def test_a_standby_message_is_stored(client, facebook_account) -> None:
    # https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/standby
    fb_post(client, meta_message(), under="standby")
    assert all_done()
    message = Contact.objects.get().messages.get()
    assert (message.external_id, message.body) == ("m_ORIG1", "Ada orang mencurigakan")


def test_the_same_message_under_messaging_and_standby_is_stored_once(
    client, facebook_account
) -> None:
    both = meta_payload(meta_message(), meta_message())
    both["entry"][0]["standby"] = [meta_message()]
    assert post_meta(client, meta_url(), raw(both)).status_code == 200
    fb_post(client, meta_message(), under="standby")
    assert Message.objects.count() == 1
    assert Contact.objects.count() == 1


def test_a_postback_stores_the_button_title(client, facebook_account) -> None:
    # https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/messaging_postbacks
    press = meta_event(postback={"mid": "m_PB1", "title": "Mulai", "payload": "GET_STARTED"})
    fb_post(client, press)
    fb_post(client, press)  # delivered again
    message = Contact.objects.get().messages.get()
    assert (message.external_id, message.body) == ("m_PB1", "Mulai")


def test_a_standby_postback_without_payload_and_with_seconds_is_stored(
    client, facebook_account
) -> None:
    # Standby postbacks carry no payload; the reference shows the timestamp as seconds.
    press = meta_event(postback={"mid": "m_PB2", "title": "Lapor Kehilangan"})
    press["timestamp"] = str(seconds_ago(30))
    fb_post(client, press, under="standby")
    message = Message.objects.get()
    assert message.body == "Lapor Kehilangan"
    assert message.at == clock.now().replace(microsecond=0) - timedelta(seconds=30)


@pytest.mark.parametrize("postback", [{}, {"title": ""}, {"title": {"x": 1}}, "tombol"])
def test_an_empty_or_broken_postback_is_not_a_contact(client, facebook_account, postback) -> None:
    fb_post(client, meta_event(postback=postback))
    assert not Contact.objects.exists()


def test_a_messenger_fallback_link_shows_title_and_url(client, facebook_account) -> None:
    # Messenger puts a fallback's title and URL beside its payload.
    link = {
        "type": "fallback",
        "title": "Jadwal SIM Keliling",
        "url": "https://example.org/sim-keliling",
        "payload": None,
    }
    fb_post(client, meta_message(text="", attachments=[link]))
    body = Message.objects.get().body
    assert "Jadwal SIM Keliling" in body
    assert "https://example.org/sim-keliling" in body
    assert "belum dapat ditampilkan" not in body


def test_an_instagram_post_share_shows_caption_and_link_once(client, instagram_account) -> None:
    # https://developers.facebook.com/documentation/instagram-platform/webhooks/new
    post = {
        "ig_post_media_id": "18139494541428835",
        "title": "Penipuan berkedok undian, hati-hati",
        "url": "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18139494541428835",
    }
    share = meta_message(
        mid="ig_SHARE1",
        text="",
        attachments=[{"type": "share", "payload": post}, {"type": "ig_post", "payload": post}],
    )
    ig_post(client, share)
    body = Message.objects.get().body
    assert body.count("Penipuan berkedok undian, hati-hati") == 1
    assert post["url"] in body
    assert "belum dapat ditampilkan" not in body


def test_an_instagram_reel_story_mention_and_story_reply_show_their_links(
    client, instagram_account
) -> None:
    # https://developers.facebook.com/docs/instagram-platform/webhooks/examples
    reel = {
        "type": "ig_reel",
        "payload": {
            "reel_video_id": "1",
            "title": "Balap liar",
            "url": "https://ig.example/reel/1",
        },
    }
    mention = {"type": "story_mention", "payload": {"url": "https://ig.example/story/2"}}
    ig_post(client, meta_message(mid="ig_R1", text="", attachments=[reel]))
    ig_post(client, meta_message(mid="ig_S1", text="", attachments=[mention]))
    story_reply = meta_message(
        mid="ig_S2",
        text="Ini di depan rumah saya",
        reply_to={"story": {"url": "https://ig.example/story/3", "id": "3"}},
    )
    ig_post(client, story_reply)
    bodies = list(Message.objects.order_by("pk").values_list("body", flat=True))
    assert "Balap liar" in bodies[0]
    assert "https://ig.example/reel/1" in bodies[0]
    assert "https://ig.example/story/2" in bodies[1]
    assert "story" in bodies[1]
    assert bodies[2].startswith("Ini di depan rumah saya")
    assert "https://ig.example/story/3" in bodies[2]
    assert not any("belum dapat ditampilkan" in b for b in bodies)


def test_a_share_without_title_or_url_still_shows_the_placeholder(
    client, instagram_account, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="spkt.channels.webhooks")
    ig_post(
        client, meta_message(mid="ig_E1", text="", attachments=[{"type": "share", "payload": {}}])
    )
    ig_post(
        client, meta_message(mid="ig_E2", text="", attachments=[{"type": "share", "payload": {}}])
    )
    assert all(
        "belum dapat ditampilkan" in b for b in Message.objects.values_list("body", flat=True)
    )
    assert len(lines(caplog, "attachment type share not handled")) == 1


def test_an_instagram_unsend_marks_the_original(client, instagram_account) -> None:
    # Instagram: ``is_deleted`` with the original's mid, under ``message``.
    ig_post(client, meta_message(mid="ig_M1", text="Nomor penipu 0812"))
    contact = Contact.objects.get()
    close(contact)
    before = clock_of(contact)
    ig_post(client, meta_message(mid="ig_M1", text="", is_deleted=True))
    assert all_done()
    message = Message.objects.get()
    assert message.deleted_at is not None
    assert message.body == "Nomor penipu 0812"
    assert clock_of(contact) == before
    assert Contact.objects.count() == 1


def test_a_messenger_edit_changes_the_text_shown(client, facebook_account) -> None:
    # https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message_edits
    fb_post(client, meta_message(text="Kunci motor saya hilang"))
    edit = meta_event(
        ago=10, message_edit={"mid": "m_ORIG1", "text": "Kunci mobil saya hilang", "num_edit": 1}
    )
    fb_post(client, edit)
    fb_post(client, edit)
    message = Message.objects.get()
    assert message.body == "Kunci mobil saya hilang"
    assert list(message.revisions.values_list("body", flat=True)) == ["Kunci motor saya hilang"]


def test_other_meta_events_are_logged_once_and_open_nothing(
    client, facebook_account, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="spkt.channels.webhooks")
    # https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-reactions
    react = meta_event(reaction={"mid": "m_X", "action": "react", "reaction": "love"})
    fb_post(client, react, react)
    fb_post(
        client, meta_event(referral={"ref": "iklan", "source": "SHORTLINK", "type": "OPEN_THREAD"})
    )
    assert not Contact.objects.exists()
    assert len(lines(caplog, "event reaction not handled")) == 1
    assert len(lines(caplog, "event referral not handled")) == 1
    assert "fb-selatan" in lines(caplog, "event reaction")[0]


# --- Telegram Bot API -----------------------------------------------------------------------------
def tg_url() -> str:
    return reverse("channels:telegram-webhook", args=["tg-selatan"])


def tg_message(message_id: int = 42, chat: dict | None = None, ago: int = 120, **fields) -> dict:
    # https://core.telegram.org/bots/api#message
    return {
        "message_id": message_id,
        "from": {"id": CHAT, "is_bot": False, "first_name": "Rahma"},
        "chat": chat or {"id": CHAT, "type": "private", "first_name": "Rahma"},
        "date": seconds_ago(ago),
        **(fields or {"text": "Dompet saya hilang di angkot"}),
    }


def tg_post(client, update_id: int, **update) -> None:
    # https://core.telegram.org/bots/api#update
    body = raw({"update_id": update_id, **update})
    assert post_telegram(client, tg_url(), body).status_code == 200


GROUP = {"id": -1001234567890, "type": "supergroup", "title": "Warga RW 05"}


def test_a_telegram_edit_changes_the_text_shown_and_opens_nothing(
    client, telegram_account, petugas
) -> None:
    tg_post(client, 1, message=tg_message())
    contact = Contact.objects.get()
    close(contact)
    before = clock_of(contact)
    edited = tg_message(text="Dompet saya hilang di angkot jurusan Kota", edit_date=seconds_ago(15))
    tg_post(client, 2, edited_message=edited)
    tg_post(client, 3, edited_message=edited)  # the same edit again (another update id)
    assert all_done()
    assert Contact.objects.count() == 1
    assert Message.objects.count() == 1
    message = Message.objects.get()
    assert message.body == "Dompet saya hilang di angkot jurusan Kota"
    assert list(message.revisions.values_list("body", flat=True)) == [
        "Dompet saya hilang di angkot"
    ]
    assert clock_of(contact) == before
    assert "diedit" in desk_page(petugas, contact)


def test_a_telegram_edit_of_an_unknown_message_opens_nothing(client, telegram_account) -> None:
    tg_post(client, 1, edited_message=tg_message(message_id=77, edit_date=seconds_ago(5)))
    assert not Contact.objects.exists()


def test_group_messages_are_not_contacts_by_default(client, telegram_account, caplog) -> None:
    caplog.set_level(logging.INFO, logger="spkt.channels.webhooks")
    tg_post(client, 1, message=tg_message(chat=GROUP))
    tg_post(client, 2, message=tg_message(message_id=43, chat=GROUP))
    tg_post(client, 3, message=tg_message(chat={"id": -5, "type": "group", "title": "RT"}))
    assert not Contact.objects.exists()
    assert len(lines(caplog, "message in a supergroup chat")) == 1
    assert len(lines(caplog, "message in a group chat")) == 1


def test_an_account_may_take_group_messages(client, telegram_account) -> None:
    telegram_account.config["telegram_groups"] = True
    telegram_account.save()
    tg_post(client, 1, message=tg_message(chat=GROUP))
    contact = Contact.objects.get()
    assert contact.external_thread == str(GROUP["id"])
    # Service messages stay out even then.
    tg_post(client, 2, message=tg_message(message_id=44, chat=GROUP, pinned_message=tg_message()))
    assert Message.objects.count() == 1


@pytest.mark.parametrize("setting", ["true", 1, "yes", None])
def test_only_a_true_setting_takes_groups(client, telegram_account, setting) -> None:
    telegram_account.config["telegram_groups"] = setting
    telegram_account.save()
    tg_post(client, 1, message=tg_message(chat=GROUP))
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "service",
    [
        {"pinned_message": {"message_id": 41, "chat": {"id": CHAT, "type": "private"}, "date": 1}},
        {"migrate_to_chat_id": -1009876543210},
        {"migrate_from_chat_id": -5},
        {"new_chat_members": [{"id": 9, "is_bot": False, "first_name": "Budi"}]},
        {"left_chat_member": {"id": 9, "is_bot": False, "first_name": "Budi"}},
        {"new_chat_title": "Warga RW 05 (baru)"},
        {"message_auto_delete_timer_changed": {"message_auto_delete_time": 86400}},
    ],
)
def test_service_messages_never_open_a_contact(client, telegram_account, service) -> None:
    telegram_account.config["telegram_groups"] = True
    telegram_account.save()
    tg_post(client, 1, message=tg_message(**service))
    tg_post(client, 2, message=tg_message(message_id=50, chat=GROUP, **service))
    assert not Contact.objects.exists()


def test_a_service_message_in_an_open_thread_adds_nothing(client, telegram_account) -> None:
    tg_post(client, 1, message=tg_message())
    contact = Contact.objects.get()
    before = clock_of(contact)
    tg_post(client, 2, message=tg_message(message_id=43, pinned_message=tg_message()))
    assert Message.objects.count() == 1
    assert clock_of(contact) == before


def test_other_update_kinds_are_logged_once_per_kind(client, telegram_account, caplog) -> None:
    caplog.set_level(logging.INFO, logger="spkt.channels.webhooks")
    query = {
        "id": "1",
        "from": {"id": CHAT, "is_bot": False, "first_name": "R"},
        "chat_instance": "x",
    }
    tg_post(client, 1, callback_query=query)
    tg_post(client, 2, callback_query=query)
    tg_post(client, 3, channel_post=tg_message(chat={"id": -100, "type": "channel", "title": "C"}))
    assert not Contact.objects.exists()
    assert len(lines(caplog, "update callback_query not handled")) == 1
    assert len(lines(caplog, "update channel_post not handled")) == 1
    assert "tg-selatan" in lines(caplog, "update callback_query")[0]


# --- The group setting in the admin ---------------------------------------------------------------
def admin_form(unit, config: dict) -> dict:
    return {
        "unit": unit.pk,
        "channel": "telegram",
        "name": "Bot Polsek",
        "slug": "tg-polsek",
        "config": json.dumps(config),
        "active": "on",
        "bot_token": "999:rahasia-bot",
        "webhook_secret": "rahasia-webhook",
    }


@pytest.mark.parametrize("value", ["true", 1, "ya", [True]])
def test_the_admin_refuses_a_group_setting_that_is_not_a_boolean(
    client, root, selatan, value
) -> None:
    answer = client.post(
        reverse("admin:channels_channelaccount_add"),
        admin_form(selatan, {"telegram_groups": value}),
    )
    assert answer.status_code == 200
    assert "telegram_groups harus true atau false." in answer.content.decode()
    assert not ChannelAccount.objects.filter(slug="tg-polsek").exists()


def test_the_admin_saves_the_group_setting(client, root, selatan) -> None:
    answer = client.post(
        reverse("admin:channels_channelaccount_add"),
        admin_form(selatan, {"telegram_groups": True}),
    )
    assert answer.status_code == 302
    assert ChannelAccount.objects.get(slug="tg-polsek").config["telegram_groups"] is True


def test_kinds_named_by_the_payload_are_printable_and_bounded(
    client, telegram_account, caplog, monkeypatch
) -> None:
    caplog.set_level(logging.INFO, logger="spkt.channels.webhooks")
    monkeypatch.setattr(webhooks, "NOTICED_MAX", 3)
    tg_post(client, 1, **{"palsu\nERROR forged line": {}})
    for n in range(2, 10):
        tg_post(client, n, **{f"kind_{n}": {}})
    logged = lines(caplog, "not handled")
    assert "update palsu?ERROR forged line not handled" in logged[0]
    assert len(logged) == 3
    assert not Contact.objects.exists()
