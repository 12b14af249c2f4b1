"""The desk side of activity 1: inbox, contact page, walk-in queue, phone, letters, public pages."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from spkt.conftest import issue
from spkt.core.models import AuditEvent
from spkt.dutylog.models import Mutasi
from spkt.intake.models import (
    Attachment,
    Contact,
    Delivery,
    Direction,
    IncomingLetter,
    Message,
    OutboxStatus,
    Status,
)
from spkt.intake.outbox import SENDERS, PermanentDeliveryError, register_sender
from spkt.intake.services import (
    Incoming,
    IncomingFile,
    contact_close,
    contact_receive,
    contact_reply,
    ticket_call_next,
    ticket_issue,
)
from spkt.intake.tests.contacts import wa

READERS = ["kapolsek", "reskrim", "penilai"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def whatsapp_gateway():
    """Swap the WhatsApp sender for the test; the one spkt.channels registered comes back."""
    previous = SENDERS.get("whatsapp")
    yield lambda sender: register_sender("whatsapp", sender)
    if previous is None:
        SENDERS.pop("whatsapp", None)
    else:
        SENDERS["whatsapp"] = previous


@pytest.fixture
def sent(whatsapp_gateway):
    """A WhatsApp gateway that accepts everything."""
    outbox: list[str] = []
    whatsapp_gateway(lambda item: outbox.append(item.message.body) or "wamid.out")
    return outbox


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def page(response) -> str:
    return response.content.decode()


# --- Who may open what ------------------------------------------------------------------------
def desk_urls(contact: Contact) -> list[tuple[str, str]]:
    message = contact.messages.first()
    return [
        ("get", reverse("intake:inbox")),
        ("get", reverse("intake:detail", args=[contact.pk])),
        ("post", reverse("intake:contact-claim", args=[contact.pk])),
        ("post", reverse("intake:contact-reply", args=[contact.pk])),
        ("post", reverse("intake:contact-acknowledge", args=[contact.pk])),
        ("post", reverse("intake:contact-close", args=[contact.pk])),
        ("post", reverse("intake:contact-link", args=[contact.pk])),
        ("post", reverse("intake:message-retry", args=[message.pk])),
        ("post", reverse("intake:ticket-call")),
        ("get", reverse("intake:phone-log")),
        ("get", reverse("intake:letters")),
        ("get", reverse("intake:letter-new")),
    ]


def test_anonymous_users_are_sent_to_login_from_every_desk_page(client: Client, contact) -> None:
    for method, url in desk_urls(contact):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    assert not Contact.objects.exclude(claimed_by=None).exists()


def test_a_poll_after_the_session_expired_sends_the_page_to_login(client: Client) -> None:
    response = client.get(
        reverse("intake:inbox"), headers={"HX-Request": "true", "HX-Current-URL": "/kontak/"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("persona", READERS)
def test_roles_that_only_read_cannot_write(client: Client, contact, persona, request) -> None:
    login(client, request.getfixturevalue(persona))
    assert client.get(reverse("intake:inbox")).status_code == 200
    assert client.get(reverse("intake:detail", args=[contact.pk])).status_code == 200
    for method, url in desk_urls(contact):
        if method == "post" or url.endswith(("telepon/", "surat/baru/")):
            response = getattr(client, method)(url, {"body": "x", "outcome": "info"})
            assert response.status_code == 403, url
    contact.refresh_from_db()
    assert contact.claimed_by is None
    assert contact.status == Status.OPEN
    assert not Message.objects.filter(direction=Direction.OUT).exists()


def test_another_station_gets_not_found_for_every_contact_page(
    client: Client, contact, outsider, selatan
) -> None:
    login(client, outsider)
    for method, url in desk_urls(contact):
        if "/kontak/panggil/" in url or url.endswith(("telepon/", "surat/", "surat/baru/")):
            continue  # the outsider's own unit: not about this contact
        if url == reverse("intake:inbox"):
            url += f"?unit={selatan.pk}"
        assert getattr(client, method)(url).status_code == 404, url
    assert client.get(reverse("intake:letters") + f"?unit={selatan.pk}").status_code == 404
    own = client.get(reverse("intake:inbox"))
    assert own.status_code == 200
    assert contact.tracking_code not in page(own)
    assert "Warga Biawu" not in page(own)


def test_write_urls_refuse_get(client: Client, contact, petugas) -> None:
    login(client, petugas)
    assert client.get(reverse("intake:contact-claim", args=[contact.pk])).status_code == 405
    assert client.get(reverse("intake:contact-reply", args=[contact.pk])).status_code == 405


# --- Inbox -------------------------------------------------------------------------------------
def test_the_inbox_lists_open_contacts_by_due_time_with_countdown_and_duplicate_hint(
    client: Client, selatan, petugas
) -> None:
    first = contact_receive(
        unit=selatan, incoming=Incoming(channel="sms", body="Tolong", sender_address="0812 1111")
    )
    second = contact_receive(
        unit=selatan,
        incoming=Incoming(
            channel="email", body="Cara lapor penipuan?", sender_address="a@b.id", subject="Tanya"
        ),
    )
    dup = contact_receive(
        unit=selatan,
        incoming=Incoming(channel="whatsapp", body="Halo lagi", sender_address="+62 812-1111"),
    )
    closed = contact_receive(unit=selatan, incoming=wa(external_thread="x"))
    contact_close(actor=petugas, contact=closed, outcome="info")
    login(client, petugas)
    html = page(client.get(reverse("intake:inbox")))
    order = [html.index(f'data-contact-id="{c.pk}"') for c in (first, second, dup)]
    assert order == sorted(order)
    assert f'data-contact-id="{closed.pk}"' not in html
    assert "data-due=" in html
    assert "SMS" in html
    assert "Cara lapor penipuan?" in html
    assert "Tanya" in html
    assert f"Mungkin sama dengan kontak {first.tracking_code}" in html
    assert 'data-action="claim"' in html
    assert "Panggil berikutnya" in html


def test_readers_see_the_inbox_without_write_buttons(client: Client, contact, penilai) -> None:
    login(client, penilai)
    html = page(client.get(reverse("intake:inbox")))
    assert f'data-contact-id="{contact.pk}"' in html
    assert 'data-action="claim"' not in html
    assert "Panggil berikutnya" not in html


def test_polres_staff_open_a_station_inbox_by_unit(
    client: Client, contact, polres_staff, selatan
) -> None:
    login(client, polres_staff)
    assert contact.tracking_code not in page(client.get(reverse("intake:inbox")))
    html = page(client.get(reverse("intake:inbox") + f"?unit={selatan.pk}"))
    assert f'data-contact-id="{contact.pk}"' in html


def poll(client: Client, etag: str | None = None):
    headers = {"HX-Request": "true"}
    if etag:
        headers["If-None-Match"] = etag
    return client.get(reverse("intake:inbox"), headers=headers)


def test_the_poll_returns_the_list_only_with_an_etag_and_304_when_nothing_changed(
    client: Client, contact, selatan, petugas
) -> None:
    login(client, petugas)
    full = client.get(reverse("intake:inbox"))
    assert not full.has_header("ETag")
    first = poll(client)
    assert first.status_code == 200
    assert "<html" not in page(first)
    assert f'data-contact-id="{contact.pk}"' in page(first)
    etag = first["ETag"]
    assert "HX-Request" in first["Vary"]
    assert "no-cache" in first["Cache-Control"]

    with CaptureQueriesContext(connection) as queries:
        same = poll(client, etag)
    assert same.status_code == 304
    assert same.content == b""
    # One read of the unit's highest inbox_version (an index probe), no list.
    reads = [q for q in queries.captured_queries if "intake_contact" in q["sql"]]
    assert len(reads) == 1
    assert "inbox_version" in reads[0]["sql"]

    newer = contact_receive(
        unit=selatan, incoming=Incoming(channel="sms", body="Baru", sender_address="0813")
    )
    changed = poll(client, etag)
    assert changed.status_code == 200
    assert f'data-contact-id="{newer.pk}"' in page(changed)
    assert changed["ETag"] != etag


def test_a_claim_or_a_new_message_changes_the_etag(
    client: Client, contact, selatan, utara, petugas, ka_spkt
) -> None:
    login(client, petugas)
    etag = poll(client)["ETag"]
    other = Client()
    other.force_login(ka_spkt)
    other.post(reverse("intake:contact-claim", args=[contact.pk]))
    after_claim = poll(client, etag)
    assert after_claim.status_code == 200
    assert "ka_spkt" in page(after_claim)
    etag = after_claim["ETag"]
    contact_receive(unit=selatan, incoming=wa("Fotonya menyusul", external_id="wamid.2"))
    after_message = poll(client, etag)
    assert after_message.status_code == 200
    etag = after_message["ETag"]
    # A reply, a close, and a change at another station: only this unit's changes count.
    contact_receive(unit=utara, incoming=wa("Di Utara", external_id="wamid.9"))
    assert poll(client, etag).status_code == 304
    other.post(reverse("intake:contact-reply", args=[contact.pk]), {"body": "Kami ke sana."})
    after_reply = poll(client, etag)
    assert after_reply.status_code == 200
    etag = after_reply["ETag"]
    Contact.objects.filter(pk=contact.pk).update(status=Status.CLOSED)  # any write path at all
    assert poll(client, etag).status_code == 200


def test_the_etag_differs_per_user(client: Client, contact, petugas, penilai) -> None:
    login(client, petugas)
    mine = poll(client)["ETag"]
    reader = Client()
    reader.force_login(penilai)
    assert poll(reader, mine).status_code == 200  # different buttons: not the same list


def _inbox_queries(client: Client, htmx: bool) -> int:
    headers = {"HX-Request": "true"} if htmx else {}
    client.get(reverse("intake:inbox"), headers=headers)  # warm the session and role caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("intake:inbox"), headers=headers)
    assert response.status_code == 200
    return len(queries)


def test_the_inbox_takes_the_same_number_of_queries_for_1_and_20_contacts(
    client: Client, selatan, petugas, ka_spkt
) -> None:
    login(client, petugas)
    contact_receive(unit=selatan, incoming=wa(external_thread="t0"))
    one_page, one_poll = _inbox_queries(client, False), _inbox_queries(client, True)
    for i in range(1, 20):
        c = contact_receive(
            unit=selatan,
            incoming=Incoming(channel="sms", body=f"Pesan {i}", sender_address=f"0812000{i:03d}"),
        )
        if i % 3 == 0:
            Contact.objects.filter(pk=c.pk).update(claimed_by=ka_spkt)
        if i % 4 == 0:
            ticket_issue(unit=selatan)
    ticket_call_next(actor=petugas, unit=selatan)
    assert _inbox_queries(client, False) == one_page
    assert _inbox_queries(client, True) == one_poll


# --- Claim, reply, acknowledge ---------------------------------------------------------------
def test_the_officer_claims_in_one_click_and_lands_on_the_contact(
    client: Client, contact, petugas
) -> None:
    login(client, petugas)
    response = client.post(reverse("intake:contact-claim", args=[contact.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:detail", args=[contact.pk])
    contact.refresh_from_db()
    assert contact.claimed_by == petugas


def test_a_closed_contact_cannot_be_claimed(client: Client, contact, petugas) -> None:
    contact_close(actor=petugas, contact=contact, outcome="info")
    login(client, petugas)
    response = client.post(reverse("intake:contact-claim", args=[contact.pk]), follow=True)
    assert "Kontak ini sudah selesai." in page(response)


def test_the_contact_page_shows_the_thread_quick_replies_and_convert_buttons(
    client: Client, contact, petugas
) -> None:
    contact_receive(
        unit=contact.unit,
        incoming=wa("Ini fotonya", files=[IncomingFile("motor.png", "image/png", PNG)]),
    )
    login(client, petugas)
    html = page(client.get(reverse("intake:detail", args=[contact.pk])))
    assert "Ada motor parkir di trotoar tiga hari" in html
    assert "motor.png" in html
    assert f"Nomor pelacakan: {contact.tracking_code}." in html
    assert "Silakan datang ke SPKT Polsek Kota Selatan dengan membawa KTP." in html
    assert "Petugas kami segera menuju lokasi." in html
    assert 'name="body"' in html
    sumber = f"sumber=kontak%3A{contact.pk}"
    assert reverse("documents:sktlk-new") + f"?{sumber}&amp;cari=6281234567890" in html
    assert reverse("documents:lp-new") + f"?model=B&amp;{sumber}" in html
    assert 'value="field_help"' in html
    assert 'data-action="acknowledge"' not in html  # WhatsApp is answered in writing


@pytest.mark.parametrize("persona", READERS)
def test_readers_see_the_contact_without_composer(
    client: Client, contact, persona, request
) -> None:
    login(client, request.getfixturevalue(persona))
    html = page(client.get(reverse("intake:detail", args=[contact.pk])))
    assert "Ada motor parkir" in html
    assert 'name="body"' not in html
    assert 'data-action="close"' not in html


def test_the_thread_polls_as_a_fragment(client: Client, contact, petugas) -> None:
    login(client, petugas)
    response = client.get(
        reverse("intake:detail", args=[contact.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in page(response)
    assert "Ada motor parkir" in page(response)


def test_a_reply_goes_out_on_the_same_channel_and_answers_the_contact(
    client: Client, contact, petugas, sent, django_capture_on_commit_callbacks
) -> None:
    login(client, petugas)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("intake:contact-reply", args=[contact.pk]), {"body": "Terima kasih"}
        )
    assert response.status_code == 302
    assert sent == ["Terima kasih"]
    contact.refresh_from_db()
    assert contact.status == Status.ANSWERED
    assert contact.first_response_by == petugas
    reply = contact.messages.get(direction=Direction.OUT)
    assert reply.delivery == Delivery.SENT
    assert reply.outbox.channel == "whatsapp"
    html = page(client.get(response["Location"]))
    # The worker ran after the view answered (on commit): the desk was told it was queued.
    assert "Balasan diantrekan untuk dikirim lewat WhatsApp ke +62 812-3456-7890" in html
    assert "Balasan terkirim" not in html
    assert 'data-route="whatsapp"' in html
    assert "Terkirim" in html


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Balasan tidak boleh kosong."),
        ("   ", "Balasan tidak boleh kosong."),
        ("x" * 4001, "Balasan terlalu panjang (maksimal 4000 karakter)."),
    ],
)
def test_a_bad_reply_is_refused_and_nothing_is_stored(
    client: Client, contact, petugas, body, error
) -> None:
    login(client, petugas)
    response = client.post(reverse("intake:contact-reply", args=[contact.pk]), {"body": body})
    assert response.status_code == 400
    assert error in page(response)
    assert not Message.objects.filter(direction=Direction.OUT).exists()
    contact.refresh_from_db()
    assert contact.first_response_at is None


def test_a_walk_in_cannot_be_replied_to_in_writing(client: Client, selatan, petugas) -> None:
    walkin = ticket_issue(unit=selatan)
    login(client, petugas)
    response = client.post(reverse("intake:contact-reply", args=[walkin.pk]), {"body": "Halo"})
    assert response.status_code == 400
    assert "Kontak ini tidak memiliki alamat balasan" in page(response)
    assert not Message.objects.filter(direction=Direction.OUT).exists()


def test_a_post_without_csrf_token_is_refused(contact, petugas, selatan) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(petugas)
    response = strict.post(reverse("intake:contact-reply", args=[contact.pk]), {"body": "Halo"})
    assert response.status_code == 403
    assert "Formulir kedaluwarsa" in page(response)
    assert not Message.objects.filter(direction=Direction.OUT).exists()
    assert strict.post(reverse("intake:kiosk", args=[selatan.code])).status_code == 403
    assert not Contact.objects.filter(channel="walkin").exists()


def test_an_in_person_answer_is_recorded_for_channels_without_reply(
    client: Client, selatan, petugas
) -> None:
    web = contact_receive(
        unit=selatan,
        incoming=Incoming(channel="web", body="Mau tanya SKCK", sender_address="warga@x.id"),
    )
    login(client, petugas)
    html = page(client.get(reverse("intake:detail", args=[web.pk])))
    assert 'data-action="acknowledge"' in html
    assert 'name="body"' not in html
    response = client.post(
        reverse("intake:contact-acknowledge", args=[web.pk]), {"note": "Dijawab lewat telepon"}
    )
    assert response.status_code == 302
    web.refresh_from_db()
    assert web.first_response_by == petugas
    note = web.messages.get(direction=Direction.OUT)
    assert note.public is False
    again = client.post(reverse("intake:contact-acknowledge", args=[web.pk]), {"note": ""})
    assert again.status_code == 400
    assert "Kontak ini sudah ditanggapi." in page(again)
    assert web.messages.filter(direction=Direction.OUT).count() == 1


# --- Close, link, retry -----------------------------------------------------------------------
def test_closing_with_an_outcome_takes_the_contact_off_the_inbox(
    client: Client, contact, petugas
) -> None:
    login(client, petugas)
    response = client.post(reverse("intake:contact-close", args=[contact.pk]), {"outcome": "info"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.status, contact.outcome) == (Status.CLOSED, "info")
    assert f'data-contact-id="{contact.pk}"' not in page(client.get(reverse("intake:inbox")))


def test_field_help_asks_for_confirmation_then_closes_with_its_outcome(
    client: Client, contact, petugas
) -> None:
    login(client, petugas)
    answer = client.post(
        reverse("intake:contact-close", args=[contact.pk]), {"outcome": "field_help"}
    )
    confirm = reverse("fieldhelp:task-new") + f"?kontak={contact.pk}"
    assert answer.status_code == 302
    assert answer["Location"] == confirm
    contact.refresh_from_db()
    assert contact.status != Status.CLOSED  # not closed silently
    from spkt.fieldhelp.services import task_types_for

    tptkp = next(t for t in task_types_for(contact.unit) if t.code == "tptkp")
    answer = client.post(
        confirm, {"task_type": tptkp.pk, "address": "Jl. Raja Eyato", "priority": "normal"}
    )
    assert answer.status_code == 302
    contact.refresh_from_db()
    assert contact.outcome == "field_help"
    assert contact.field_tasks.get().type == tptkp
    assert Mutasi.objects.filter(text__contains="Bantuan lapangan").exists()


def test_closing_as_sktlk_links_the_document_by_number(
    client: Client, contact, petugas, selatan
) -> None:
    doc = issue(petugas, selatan)
    login(client, petugas)
    assert doc.number in page(client.get(reverse("intake:detail", args=[contact.pk])))
    client.post(
        reverse("intake:contact-close", args=[contact.pk]),
        {"outcome": "sktlk", "document_number": doc.number},
    )
    contact.refresh_from_db()
    assert contact.outcome_document == doc


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"outcome": "dibuang"}, "Hasil tidak dikenal."),
        ({"outcome": ""}, "Pilih hasil penanganan."),
        ({"outcome": "info", "document_number": "SKTLK/1"}, "hanya untuk hasil SKTLK"),
        ({"outcome": "sktlk", "document_number": "SKTLK/999/XI/2026"}, "tidak ditemukan"),
    ],
)
def test_a_bad_close_is_refused(client: Client, contact, petugas, data, error) -> None:
    login(client, petugas)
    response = client.post(reverse("intake:contact-close", args=[contact.pk]), data)
    assert response.status_code == 400
    assert error in page(response)
    contact.refresh_from_db()
    assert contact.status == Status.OPEN


def test_another_stations_document_cannot_close_a_contact(
    client: Client, contact, petugas, outsider, utara
) -> None:
    theirs = issue(outsider, utara)
    login(client, petugas)
    response = client.post(
        reverse("intake:contact-close", args=[contact.pk]),
        {"outcome": "sktlk", "document_number": theirs.number},
    )
    assert response.status_code == 400
    contact.refresh_from_db()
    assert contact.outcome_document is None


def test_the_duplicate_is_linked_as_one_incident(client: Client, selatan, petugas) -> None:
    sms = contact_receive(
        unit=selatan, incoming=Incoming(channel="sms", body="Tolong", sender_address="081234567890")
    )
    call = contact_receive(
        unit=selatan,
        incoming=Incoming(channel="phone", body="Tolong", sender_address="+6281234567890"),
    )
    login(client, petugas)
    assert 'data-action="link"' in page(client.get(reverse("intake:detail", args=[call.pk])))
    client.post(reverse("intake:contact-link", args=[call.pk]), {"to": sms.pk})
    call.refresh_from_db()
    assert call.linked_to == sms
    assert call.possible_duplicate_of is None


@pytest.mark.parametrize("to", ["other", "self", "abc", ""])
def test_linking_to_a_foreign_or_unknown_contact_is_refused(
    client: Client, contact, other, petugas, to
) -> None:
    login(client, petugas)
    value = {"other": other.pk, "self": contact.pk}.get(to, to)
    response = client.post(reverse("intake:contact-link", args=[contact.pk]), {"to": value})
    assert response.status_code == 400
    assert "Kontak tidak dapat ditautkan." in page(response) or "Pilih kontak" in page(response)
    contact.refresh_from_db()
    assert contact.linked_to is None


def test_a_failed_delivery_is_shown_and_retried(
    client: Client, contact, petugas, whatsapp_gateway, django_capture_on_commit_callbacks
) -> None:
    def refuse(item):
        raise PermanentDeliveryError("nomor tidak terdaftar")

    whatsapp_gateway(refuse)
    with django_capture_on_commit_callbacks(execute=True):
        reply = contact_reply(actor=petugas, contact=contact, body="Dicatat")
    reply.refresh_from_db()
    assert reply.delivery == Delivery.FAILED
    login(client, petugas)
    html = page(client.get(reverse("intake:detail", args=[contact.pk])))
    assert "Gagal" in html
    assert 'data-action="retry"' in html
    delivered: list[str] = []
    whatsapp_gateway(lambda item: delivered.append(item.message.body) or "id")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:message-retry", args=[reply.pk]), follow=True)
    assert "dikirim ulang" in page(response)
    assert delivered == ["Dicatat"]
    reply.refresh_from_db()
    assert reply.delivery == Delivery.SENT
    assert reply.outbox.status == OutboxStatus.SENT
    again = client.post(reverse("intake:message-retry", args=[reply.pk]), follow=True)
    assert "tidak dalam status gagal" in page(again)
    assert delivered == ["Dicatat"]


# --- Attachments --------------------------------------------------------------------------------
def test_attachments_download_within_the_unit_only(
    client: Client, selatan, petugas, outsider
) -> None:
    contact_receive(
        unit=selatan,
        incoming=wa("Foto", files=[IncomingFile("motor.png", "image/png", PNG)]),
    )
    att = Attachment.objects.get()
    login(client, petugas)
    response = client.get(reverse("intake:attachment", args=[att.pk]))
    assert response.status_code == 200
    assert response.getvalue() == PNG
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="intake.attachment.downloaded").count() == 1
    inline = client.get(reverse("intake:attachment", args=[att.pk]) + "?inline=1")
    assert "inline" in inline["Content-Disposition"]
    assert AuditEvent.objects.filter(action="intake.attachment.downloaded").count() == 1
    login(client, outsider)
    assert client.get(reverse("intake:attachment", args=[att.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("intake:attachment", args=[att.pk])).status_code == 302


# --- Walk-in queue ------------------------------------------------------------------------------
def test_the_kiosk_issues_a_ticket_with_a_tracking_qr_and_the_preregistration_link(
    client: Client, selatan
) -> None:
    assert "Ambil nomor antrean" in page(client.get(reverse("intake:kiosk", args=[selatan.code])))
    response = client.post(reverse("intake:kiosk", args=[selatan.code]))
    assert response.status_code == 302
    ticket = Contact.objects.get(channel="walkin")
    assert response["Location"] == reverse(
        "intake:kiosk-ticket", args=[selatan.code, ticket.tracking_code]
    )
    html = page(client.get(response["Location"]))
    assert "A-01" in html
    assert "<svg" in html
    assert reverse("intake:track", args=[ticket.tracking_code]) in html
    assert reverse("portal:prereg", args=[selatan.code, "sktlk"]) in html


def test_unknown_kiosks_and_other_units_tickets_are_not_found(client: Client, selatan, utara):
    assert client.get(reverse("intake:kiosk", args=["tidak-ada"])).status_code == 404
    assert client.post(reverse("intake:kiosk", args=["tidak-ada"])).status_code == 404
    ticket = ticket_issue(unit=utara)
    url = reverse("intake:kiosk-ticket", args=[selatan.code, ticket.tracking_code])
    assert client.get(url).status_code == 404


def test_the_kiosk_is_rate_limited_per_address(client: Client, selatan) -> None:
    url = reverse("intake:kiosk", args=[selatan.code])
    for _ in range(30):
        assert client.post(url).status_code == 302
    refused = client.post(url)
    assert refused.status_code == 429
    assert "Terlalu banyak nomor" in page(refused)
    assert Contact.objects.filter(channel="walkin").count() == 30
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert elsewhere.post(url).status_code == 302


def test_calling_the_next_ticket_answers_it_and_the_lobby_shows_it(
    client: Client, selatan, petugas
) -> None:
    first, second = ticket_issue(unit=selatan), ticket_issue(unit=selatan)
    login(client, petugas)
    response = client.post(reverse("intake:ticket-call"))
    assert response["Location"] == reverse("intake:detail", args=[first.pk])
    first.refresh_from_db()
    assert first.called_at is not None
    assert first.first_response_by == petugas
    lobby = Client().get(reverse("intake:lobby", args=[selatan.code]))
    assert lobby.status_code == 200
    assert "data-called>A-01<" in page(lobby)
    client.post(reverse("intake:ticket-call"))
    board = Client().get(
        reverse("intake:lobby", args=[selatan.code]), headers={"HX-Request": "true"}
    )
    assert "<html" not in page(board)
    assert "data-called>A-02<" in page(board)
    empty = client.post(reverse("intake:ticket-call"), follow=True)
    assert "Tidak ada antrean yang menunggu." in page(empty)
    assert second.pk != first.pk


def test_walk_ins_are_called_in_order_from_the_inbox_not_claimed(
    client: Client, selatan, petugas
) -> None:
    first, second = ticket_issue(unit=selatan), ticket_issue(unit=selatan)
    login(client, petugas)
    html = page(client.get(reverse("intake:inbox")))
    rows = {
        c.pk: html.split(f'data-contact-id="{c.pk}"')[1].split("</li>")[0] for c in (first, second)
    }
    assert 'data-action="call"' in rows[first.pk]
    assert 'data-action="call"' not in rows[second.pk]
    assert 'data-action="claim"' not in rows[first.pk] + rows[second.pk]


def test_the_lobby_of_an_unknown_unit_is_not_found(client: Client, db) -> None:
    assert client.get(reverse("intake:lobby", args=["tidak-ada"])).status_code == 404


# --- Phone and letters --------------------------------------------------------------------------
def test_a_phone_call_is_logged_in_three_fields(client: Client, petugas) -> None:
    login(client, petugas)
    assert client.get(reverse("intake:phone-log")).status_code == 200
    response = client.post(
        reverse("intake:phone-log"),
        {"caller": "0812 555 1234", "name": "", "summary": "Tanya syarat SKCK"},
    )
    call = Contact.objects.get(channel="phone")
    assert response["Location"] == reverse("intake:detail", args=[call.pk])
    assert call.status == Status.ANSWERED
    assert call.first_response_by == petugas


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"caller": "0812", "summary": " "}, "Isi ringkasan pembicaraan."),
        ({"caller": "nomor saya", "summary": "Tanya"}, "Nomor telepon tidak valid."),
        ({"caller": "0812", "summary": "x" * 4001}, "Ringkasan terlalu panjang"),
    ],
)
def test_a_bad_phone_log_is_refused(client: Client, petugas, data, error) -> None:
    login(client, petugas)
    response = client.post(reverse("intake:phone-log"), data)
    assert response.status_code == 400
    assert error in page(response)
    assert not Contact.objects.exists()


def letter_post(**overrides):
    data = {
        "sender": "Kelurahan Biawu",
        "subject": "Permohonan pengamanan kegiatan",
        "letter_number": "005/KB/XI/2026",
        "letter_date": "2026-11-20",
        "scan": SimpleUploadedFile("surat.pdf", PDF, content_type="application/pdf"),
    }
    data.update(overrides)
    return data


def test_an_incoming_letter_is_registered_with_its_scan(
    client: Client, petugas, outsider, reskrim
) -> None:
    login(client, petugas)
    response = client.post(reverse("intake:letter-new"), letter_post())
    assert response.status_code == 302
    letter = IncomingLetter.objects.get()
    assert letter.contact.channel == "letter"
    assert letter.scan.read() == PDF
    html = page(client.get(reverse("intake:letters")))
    assert letter.agenda_number in html
    assert "Kelurahan Biawu" in html
    scan = client.get(reverse("intake:letter-scan", args=[letter.pk]))
    assert scan.status_code == 200
    assert scan["Content-Type"] == "application/pdf"
    login(client, reskrim)
    assert letter.agenda_number in page(client.get(reverse("intake:letters")))
    login(client, outsider)
    assert client.get(reverse("intake:letter-scan", args=[letter.pk])).status_code == 404
    assert letter.agenda_number not in page(client.get(reverse("intake:letters")))


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        (
            {"scan": SimpleUploadedFile("besar.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))},
            "Berkas terlalu besar (maksimal 10 MB).",
        ),
        ({"scan": SimpleUploadedFile("virus.exe", b"MZ\x90\0")}, "Jenis berkas tidak diizinkan"),
        ({"scan": SimpleUploadedFile("palsu.pdf", b"<html>")}, "Jenis berkas tidak diizinkan"),
        ({"scan": SimpleUploadedFile("surat.png", PDF)}, "Jenis berkas tidak diizinkan"),
        ({"sender": ""}, "Pengirim surat wajib diisi."),
        ({"letter_date": "2999-01-01"}, "Tanggal surat tidak boleh di masa depan."),
    ],
)
def test_a_bad_letter_is_refused_and_nothing_is_stored(
    client: Client, petugas, overrides, error
) -> None:
    login(client, petugas)
    response = client.post(reverse("intake:letter-new"), letter_post(**overrides))
    assert response.status_code == 400
    assert error in page(response)
    assert not IncomingLetter.objects.exists()
    assert not Contact.objects.exists()


def test_the_letter_register_takes_the_same_number_of_queries_for_1_and_10_letters(
    client: Client, petugas
) -> None:
    login(client, petugas)
    client.post(reverse("intake:letter-new"), letter_post())
    client.get(reverse("intake:letters"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("intake:letters"))
    for i in range(9):
        client.post(reverse("intake:letter-new"), letter_post(subject=f"Surat {i}", scan=""))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("intake:letters"))
    assert IncomingLetter.objects.count() == 10
    assert len(many) == len(one)


# --- Public tracking ----------------------------------------------------------------------------
def test_the_tracking_page_shows_the_citizen_only_what_is_meant_for_them(
    client: Client, contact, petugas, sent, django_capture_on_commit_callbacks
) -> None:
    petugas.first_name = "Yusufbrigpol"
    petugas.save()
    with django_capture_on_commit_callbacks(execute=True):
        contact_reply(actor=petugas, contact=contact, body="Petugas kami segera menuju lokasi.")
    Message.objects.create(
        contact=contact,
        direction=Direction.OUT,
        body="Catatan internal: pelapor sering iseng",
        at=contact.received_at,
        author=petugas,
        public=False,
        delivery=Delivery.SENT,
    )
    response = client.get(reverse("intake:track", args=[contact.tracking_code.lower()]))
    html = page(response)
    assert response.status_code == 200
    assert "Ada motor parkir di trotoar tiga hari" in html
    assert "Petugas kami segera menuju lokasi." in html
    assert "Catatan internal" not in html
    assert "Yusufbrigpol" not in html
    assert "petugas</" not in html
    assert "6281234567890" not in html
    assert "Sudah ditanggapi petugas" in html


def test_an_unknown_tracking_code_is_not_found(client: Client, db) -> None:
    response = client.get(reverse("intake:track", args=["ZZZZZZZZZZ"]))
    assert response.status_code == 404
    assert "Kode tidak ditemukan" in page(response)
    assert client.get(reverse("intake:track", args=["x" * 40])).status_code == 404


def test_a_walk_in_follows_the_queue_and_is_offered_preregistration(
    client: Client, selatan, petugas
) -> None:
    ticket = ticket_issue(unit=selatan)
    html = page(client.get(reverse("intake:track", args=[ticket.tracking_code])))
    assert "Menunggu dipanggil" in html
    assert reverse("portal:prereg", args=[selatan.code, "sktlk"]) in html
    ticket_call_next(actor=petugas, unit=selatan)
    polled = client.get(
        reverse("intake:track", args=[ticket.tracking_code]), headers={"HX-Request": "true"}
    )
    assert "sudah dipanggil" in page(polled)
    assert polled.status_code == 286  # HTMX stops polling once the number was called
