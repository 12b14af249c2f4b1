"""Every citizen can be answered (ADR 0044): a web-form or phone contact is answered on what the
citizen gave, through the outbox, on a concrete delivery channel; the desk is told what happened.
Delivery goes over real SMTP and HTTP to the demo sinks (spkt.channels.sinks) on free ports."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from spkt.channels.email import email_send
from spkt.channels.models import ChannelAccount
from spkt.channels.sinks import serve
from spkt.channels.tests.mailserver import free_port
from spkt.demo import DEMO_EMAIL_SLUG, DEMO_SMS_SLUG, DEMO_WHATSAPP_SLUG, demo_sink_accounts
from spkt.intake.models import Channel, Contact, Delivery, Direction, Message, OutboxStatus, Outcome
from spkt.intake.outbox import register_sender
from spkt.intake.routes import reply_route
from spkt.intake.services import (
    Incoming,
    contact_close,
    contact_receive,
    contact_reply,
    letter_register,
    phone_log,
    ticket_issue,
)


@pytest.fixture
def sinks(tmp_path):
    """The demo sinks on free ports, writing into a throwaway directory (no delivery reports)."""
    smtp_port, provider_port = free_port(), free_port()
    smtp, provider = serve(
        host="127.0.0.1",
        smtp_port=smtp_port,
        provider_port=provider_port,
        directory=tmp_path / "sinks",
    )
    smtp.ports = (smtp_port, provider_port)  # type: ignore[attr-defined]  # for the tests below
    yield smtp, provider
    for server in (smtp, provider):
        server.shutdown()
        server.server_close()


@pytest.fixture
def demo_accounts(selatan, sinks):
    register_sender(Channel.EMAIL, email_send)
    smtp_port, provider_port = sinks[0].ports
    assert demo_sink_accounts(selatan, smtp_port=smtp_port, provider_port=provider_port) == 3
    return sinks[1].sink


def web(selatan, address: str, body: str = "Lampu jalan mati di depan rumah") -> Contact:
    return contact_receive(
        unit=selatan,
        incoming=Incoming(
            channel="web", sender_name="Siti", sender_address=address, subject=body, body=body
        ),
    )


def account(unit, channel: str, slug: str, **config) -> ChannelAccount:
    return ChannelAccount.objects.create(
        unit=unit, channel=channel, name=slug, slug=slug, config=config
    )


def received(sink) -> list[dict]:
    return sink.entries()


# --- The rule ---------------------------------------------------------------------------------------
def test_an_email_address_is_answered_by_the_units_email_account(selatan) -> None:
    contact = web(selatan, "warga@example.id")
    assert not reply_route(contact)
    assert "belum memiliki akun email" in reply_route(contact).reason
    account(selatan, "email", "mail-selatan")
    route = reply_route(contact)
    assert (route.channel, route.address) == ("email", "warga@example.id")


def test_a_phone_number_is_answered_by_sms_first_then_whatsapp(selatan, utara) -> None:
    contact = web(selatan, "0812 3456 7890")
    account(utara, "sms", "sms-utara")  # another station's account does not count
    route = reply_route(contact)
    assert not route
    assert "belum memiliki akun SMS atau WhatsApp" in route.reason
    assert "0812 3456 7890" in route.reason
    wa = account(selatan, "whatsapp", "wa-selatan")
    assert reply_route(contact).channel == "whatsapp"
    sms = account(selatan, "sms", "sms-selatan")
    assert reply_route(contact).channel == "sms"
    ChannelAccount.objects.filter(pk=sms.pk).update(active=False)
    assert reply_route(contact).channel == "whatsapp"
    ChannelAccount.objects.filter(pk=wa.pk).update(active=False)
    assert not reply_route(contact)


def test_a_phone_call_with_a_number_is_answered_by_sms(selatan, petugas) -> None:
    account(selatan, "sms", "sms-selatan")
    call = phone_log(actor=petugas, unit=selatan, caller="0813 4001 2002", summary="Tanya SKCK")
    assert reply_route(call).channel == "sms"
    anonymous = phone_log(actor=petugas, unit=selatan, caller="", summary="Tanya SKCK")
    assert "tidak memiliki alamat balasan" in reply_route(anonymous).reason


def test_walk_ins_and_letters_have_no_written_route(selatan, petugas) -> None:
    account(selatan, "sms", "sms-selatan")
    account(selatan, "email", "mail-selatan")
    walkin = ticket_issue(unit=selatan)
    assert "tidak memiliki alamat balasan" in reply_route(walkin).reason
    letter = letter_register(actor=petugas, unit=selatan, sender="Lurah Biawu", subject="Undangan")
    assert "Surat dijawab dengan surat" in reply_route(letter.contact).reason


def test_a_messaging_contact_is_answered_on_its_own_channel(selatan) -> None:
    contact = contact_receive(
        unit=selatan,
        incoming=Incoming(
            channel="whatsapp", body="Halo", sender_address="6281245550101", external_thread="x"
        ),
    )
    account(selatan, "sms", "sms-selatan")
    assert reply_route(contact).channel == "whatsapp"


def test_without_a_route_nothing_is_stored(selatan, petugas) -> None:
    contact = web(selatan, "0812 3456 7890")
    with pytest.raises(ValidationError, match="belum memiliki akun SMS atau WhatsApp"):
        contact_reply(actor=petugas, contact=contact, body="Kami cek malam ini")
    assert not Message.objects.filter(direction=Direction.OUT).exists()
    contact.refresh_from_db()
    assert contact.first_response_at is None


# --- Delivery over the real protocols ----------------------------------------------------------------
def test_a_web_contact_with_a_phone_number_is_answered_by_sms(
    selatan, petugas, demo_accounts, django_capture_on_commit_callbacks
) -> None:
    contact = web(selatan, "0812 3456 7890")
    with django_capture_on_commit_callbacks(execute=True):
        message = contact_reply(
            actor=petugas, contact=contact, body="Petugas patroli menuju lokasi"
        )
    message.refresh_from_db()
    assert message.outbox.channel == "sms"
    assert message.outbox.status == OutboxStatus.SENT
    assert message.delivery == Delivery.SENT
    assert message.external_id == f"spkt-{message.pk}"  # the app's id, named by its webhooks
    [sms] = received(demo_accounts)
    assert (sms["kind"], sms["to"], sms["text"]) == (
        "sms",
        "+6281234567890",
        "Petugas patroli menuju lokasi",
    )


def test_without_an_sms_account_the_number_gets_whatsapp(
    selatan, petugas, demo_accounts, django_capture_on_commit_callbacks
) -> None:
    ChannelAccount.objects.filter(slug=DEMO_SMS_SLUG).update(active=False)
    contact = web(selatan, "+62 812-3456-7890")
    with django_capture_on_commit_callbacks(execute=True):
        message = contact_reply(actor=petugas, contact=contact, body="Kami cek malam ini")
    message.refresh_from_db()
    assert message.outbox.channel == "whatsapp"
    assert message.delivery == Delivery.SENT
    assert message.external_id.startswith("wamid.DEMO")
    [wa] = received(demo_accounts)
    assert (wa["kind"], wa["to"], wa["text"]) == ("whatsapp", "6281234567890", "Kami cek malam ini")


def test_a_web_contact_with_an_email_address_is_answered_by_mail(
    selatan, petugas, demo_accounts, django_capture_on_commit_callbacks, tmp_path
) -> None:
    contact = web(selatan, "siti@example.id", body="Cara membuat SKCK?")
    with django_capture_on_commit_callbacks(execute=True):
        message = contact_reply(actor=petugas, contact=contact, body="Datang dengan KTP dan KK.")
    message.refresh_from_db()
    assert message.outbox.channel == "email"
    assert message.delivery == Delivery.SENT
    [mail] = received(demo_accounts)
    assert mail["kind"] == "email"
    assert mail["to"] == "siti@example.id"
    assert mail["subject"] == "Re: Cara membuat SKCK?"
    assert mail["text"] == "Datang dengan KTP dan KK."
    assert mail["sender"] == "spkt@polsek-kota-selatan.demo"
    raw = (tmp_path / "sinks" / mail["file"]).read_bytes()
    assert message.external_id.encode() in raw  # our Message-ID: the answer threads back by it


def test_the_closing_invitation_takes_the_same_route(
    selatan, petugas, demo_accounts, django_capture_on_commit_callbacks
) -> None:
    contact = web(selatan, "0812 3456 7890")
    with django_capture_on_commit_callbacks(execute=True):
        contact_close(actor=petugas, contact=contact, outcome=Outcome.INFO)
    message = Message.objects.get(contact=contact, direction=Direction.OUT)
    assert message.outbox.channel == "sms"
    [sms] = received(demo_accounts)
    assert sms["kind"] == "sms"
    assert contact.tracking_code in sms["text"]
    assert sms["text"] == message.body


# --- The desk -----------------------------------------------------------------------------------------
def login(client: Client, user) -> None:
    client.force_login(user)


def flash(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_the_composer_names_the_route_before_typing(
    client: Client, selatan, petugas, demo_accounts
):
    contact = web(selatan, "0812 3456 7890")
    login(client, petugas)
    html = client.get(reverse("intake:detail", args=[contact.pk])).content.decode()
    assert "Kirim lewat SMS ke 0812 3456 7890" in html
    ChannelAccount.objects.filter(slug__in=[DEMO_SMS_SLUG, DEMO_WHATSAPP_SLUG]).update(active=False)
    html = client.get(reverse("intake:detail", args=[contact.pk])).content.decode()
    assert 'name="body"' not in html
    assert "data-no-route" in html
    assert "belum memiliki akun SMS atau WhatsApp" in html


@pytest.mark.django_db(transaction=True)
def test_the_desk_is_told_the_reply_was_sent(client: Client, selatan, petugas, demo_accounts):
    # No outer transaction: the reply commits in the view and the (immediate) worker sends it
    # before the desk's message is written.
    contact = web(selatan, "0812 3456 7890")
    login(client, petugas)
    response = client.post(
        reverse("intake:contact-reply", args=[contact.pk]),
        {"body": "Kami segera ke sana"},
        follow=True,
    )
    assert response.status_code == 200
    assert flash(response) == "Balasan terkirim lewat SMS ke 0812 3456 7890."
    html = response.content.decode()
    assert 'data-route="sms"' in html
    assert "lewat SMS ke 0812 3456 7890" in html
    assert re.search(r"data-delivery-label>Terkirim<", html)
    assert [e["to"] for e in received(demo_accounts)] == ["+6281234567890"]


@pytest.mark.django_db(transaction=True)
def test_the_desk_is_told_the_reply_failed(client: Client, selatan, petugas, demo_accounts):
    ChannelAccount.objects.filter(slug=DEMO_SMS_SLUG).update(config={"gateway": "android"})
    contact = web(selatan, "0812 3456 7890")
    login(client, petugas)
    response = client.post(
        reverse("intake:contact-reply", args=[contact.pk]),
        {"body": "Kami segera ke sana"},
        follow=True,
    )
    said = flash(response)
    assert said.startswith("Balasan tersimpan tetapi gagal dikirim lewat SMS ke 0812 3456 7890.")
    assert "terkirim" not in said.replace("tersimpan", "")
    html = response.content.decode()
    assert "delivery-failed" in html
    assert "no api_url" in html  # the reason, beside the failed message
    assert 'data-action="retry"' in html
    assert received(demo_accounts) == []


def test_the_desk_is_told_the_reply_is_queued(
    client: Client, selatan, petugas, demo_accounts
) -> None:
    # Inside the test's transaction the worker has not run when the view answers.
    contact = web(selatan, "siti@example.id")
    login(client, petugas)
    response = client.post(
        reverse("intake:contact-reply", args=[contact.pk]),
        {"body": "Datang dengan KTP"},
        follow=True,
    )
    assert flash(response) == (
        "Balasan diantrekan untuk dikirim lewat Email ke siti@example.id; statusnya tampil di "
        "percakapan."
    )
    assert "Menunggu dikirim" in response.content.decode()


def test_a_contact_without_a_route_is_refused_with_the_reason(
    client: Client, selatan, petugas
) -> None:
    contact = web(selatan, "siti@example.id")
    login(client, petugas)
    response = client.post(reverse("intake:contact-reply", args=[contact.pk]), {"body": "Halo"})
    assert response.status_code == 400
    assert "belum memiliki akun email yang aktif" in response.content.decode()
    assert not Message.objects.filter(direction=Direction.OUT).exists()


@pytest.mark.parametrize("body", ["", "   ", "x" * 4001, "x" * 200_000])
def test_a_bad_reply_to_a_web_contact_is_refused(
    client: Client, selatan, petugas, demo_accounts, body
) -> None:
    contact = web(selatan, "0812 3456 7890")
    login(client, petugas)
    response = client.post(reverse("intake:contact-reply", args=[contact.pk]), {"body": body})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Balasan tidak boleh kosong." in html or "Balasan terlalu panjang" in html
    assert not Message.objects.filter(direction=Direction.OUT).exists()
    assert received(demo_accounts) == []


def test_another_stations_contact_cannot_be_answered(
    client: Client, selatan, utara, outsider, demo_accounts
) -> None:
    contact = web(selatan, "0812 3456 7890")
    login(client, outsider)
    response = client.post(reverse("intake:contact-reply", args=[contact.pk]), {"body": "Halo"})
    assert response.status_code == 404
    assert not Message.objects.filter(direction=Direction.OUT).exists()
    assert received(demo_accounts) == []


def test_the_api_says_a_web_contact_is_replyable_only_with_a_route(
    client: Client, selatan, petugas, demo_accounts
) -> None:
    contact = web(selatan, "0812 3456 7890")
    login(client, petugas)
    url = reverse("api:contact", args=[contact.pk])
    assert client.get(url).json()["replyable"] is True
    ChannelAccount.objects.filter(slug__in=[DEMO_SMS_SLUG, DEMO_WHATSAPP_SLUG]).update(active=False)
    assert client.get(url).json()["replyable"] is False


def test_the_demo_accounts_are_made_once(selatan, sinks) -> None:
    smtp_port, provider_port = sinks[0].ports
    assert demo_sink_accounts(selatan, smtp_port=smtp_port, provider_port=provider_port) == 3
    assert demo_sink_accounts(selatan, smtp_port=smtp_port, provider_port=provider_port) == 0
    mail = ChannelAccount.objects.get(slug=DEMO_EMAIL_SLUG)
    assert mail.config["smtp_port"] == smtp_port
    assert json.loads(json.dumps(mail.config))["send_only"] is True


@pytest.mark.django_db(transaction=True)
def test_the_demo_phone_reports_the_sms_delivered(live_server, selatan, petugas, tmp_path) -> None:
    """The stub reports like the app: signed sms:sent and sms:delivered to SPKT's own webhook,
    which the worker files: the desk then sees "Sampai" (delivered to the phone)."""
    import time

    from spkt.channels.sinks import DeliveryReports
    from spkt.demo import DEMO_SMS_KEY

    hook = live_server.url + reverse("channels:sms-webhook", args=[DEMO_SMS_SLUG])
    smtp_port, provider_port = free_port(), free_port()
    smtp, provider = serve(
        host="127.0.0.1",
        smtp_port=smtp_port,
        provider_port=provider_port,
        directory=tmp_path / "sinks",
        reports=DeliveryReports(hook, DEMO_SMS_KEY, delay=0.5),
    )
    try:
        demo_sink_accounts(selatan, smtp_port=smtp_port, provider_port=provider_port)
        contact = web(selatan, "0812 3456 7890")
        message = contact_reply(actor=petugas, contact=contact, body="Kami cek malam ini")
        for _ in range(100):  # the phone's reports come from the stub's thread: up to 10 s
            message.refresh_from_db()
            if message.delivery == Delivery.DELIVERED:
                break
            time.sleep(0.1)
    finally:
        for server in (smtp, provider):
            server.shutdown()
            server.server_close()
    assert message.delivery == Delivery.DELIVERED
    assert message.outbox.status == OutboxStatus.SENT


def test_the_api_list_reads_the_accounts_once_per_page(
    client: Client, selatan, petugas, demo_accounts
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(5):
        web(selatan, f"0812 3456 78{n:02d}")
    client.force_login(petugas)
    with CaptureQueriesContext(connection) as queries:
        listed = client.get(reverse("api:contacts")).json()["results"]
    assert [c["replyable"] for c in listed] == [True] * 5
    reads = [q["sql"] for q in queries if "channels_channelaccount" in q["sql"]]
    assert len(reads) == 1
