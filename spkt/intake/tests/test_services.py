from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from spkt.core import clock
from spkt.core.ledger import verify
from spkt.dutylog.models import Mutasi
from spkt.intake.clock import sla_sweep
from spkt.intake.models import Contact, Delivery, Notification, OutboxItem, OutboxStatus, Status
from spkt.intake.outbox import SENDERS, DeliveryError, outbox_deliver
from spkt.intake.services import (
    Incoming,
    IncomingFile,
    contact_acknowledge,
    contact_receive,
    contact_reply,
    phone_log,
    ticket_call_next,
    ticket_issue,
)


def wa(body: str = "Ada motor parkir di trotoar 3 hari", **kw: Any) -> Incoming:
    return Incoming(
        channel="whatsapp",
        body=body,
        sender_name="Warga",
        sender_address="+62 812-3456-7890",
        external_thread="6281234567890",
        **kw,
    )


def test_a_contact_gets_its_clock_and_a_mutasi_entry(selatan) -> None:
    contact = contact_receive(unit=selatan, incoming=wa())
    assert contact.first_response_due_at - contact.received_at == timedelta(minutes=5)
    assert contact.sender_key == "tel:6281234567890"
    assert Mutasi.objects.filter(text__contains=contact.tracking_code).exists()
    assert verify().ok


def test_the_same_provider_thread_continues_an_open_contact(selatan) -> None:
    first = contact_receive(unit=selatan, incoming=wa(external_id="wamid.1"))
    again = contact_receive(unit=selatan, incoming=wa("Fotonya menyusul", external_id="wamid.2"))
    assert again.pk == first.pk
    assert first.messages.count() == 2
    assert contact_receive(unit=selatan, incoming=wa(external_id="wamid.2")).pk == first.pk
    assert first.messages.count() == 2  # redelivered by the provider: stored once


def test_a_second_contact_from_the_same_person_is_offered_as_duplicate(selatan) -> None:
    phone = contact_receive(
        unit=selatan, incoming=Incoming(channel="sms", body="Tolong", sender_address="081234567890")
    )
    other = contact_receive(
        unit=selatan,
        incoming=Incoming(channel="phone", body="Tolong", sender_address="+6281234567890"),
    )
    assert other.possible_duplicate_of == phone


@pytest.mark.parametrize(
    "incoming",
    [
        Incoming(channel="whatsapp", body=""),
        Incoming(channel="pager", body="x"),
        Incoming(
            channel="email",
            body="x",
            files=[IncomingFile("a.exe", "application/x-msdownload", b"MZ")],
        ),
        Incoming(
            channel="email",
            body="x",
            files=[IncomingFile("a.pdf", "application/pdf", b"0" * (11 * 1024 * 1024))],
        ),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_stored(selatan, incoming) -> None:
    with pytest.raises(ValidationError):
        contact_receive(unit=selatan, incoming=incoming)
    assert not Contact.objects.exists()


def test_a_reply_goes_through_the_outbox_and_counts_as_first_response(
    petugas, selatan, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    sent = []
    monkeypatch.setitem(
        SENDERS, "whatsapp", lambda item: sent.append(item.message.body) or "wamid.out.1"
    )
    contact = contact_receive(unit=selatan, incoming=wa())
    with django_capture_on_commit_callbacks(execute=True):
        message = contact_reply(actor=petugas, contact=contact, body="Terima kasih")
    contact.refresh_from_db()
    message.refresh_from_db()
    assert contact.status == Status.ANSWERED
    assert contact.first_response_by == petugas
    assert sent == ["Terima kasih"]
    assert message.delivery == Delivery.SENT
    assert message.external_id == "wamid.out.1"
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.SENT  # never twice
    assert sent == ["Terima kasih"]


def test_a_failing_delivery_is_retried_with_backoff_then_shown_failed(
    petugas, selatan, monkeypatch
) -> None:
    def down(item):
        raise DeliveryError("gateway down")

    monkeypatch.setitem(SENDERS, "sms", down)
    contact = contact_receive(
        unit=selatan, incoming=Incoming(channel="sms", body="Halo", sender_address="0812")
    )
    message = contact_reply(actor=petugas, contact=contact, body="Dicatat")
    item = message.outbox
    assert outbox_deliver(item.pk) == OutboxStatus.PENDING
    item.refresh_from_db()
    assert item.next_attempt_at > clock.now()
    assert item.attempts == 1
    for _ in range(7):
        OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=clock.now())
        status = outbox_deliver(item.pk)
    assert status == OutboxStatus.FAILED
    message.refresh_from_db()
    assert message.delivery == Delivery.FAILED


def test_the_clock_marks_a_breach_once_and_escalates_once(selatan, ka_spkt, kapolsek) -> None:
    contact = contact_receive(unit=selatan, incoming=wa())
    later = contact.first_response_due_at + timedelta(seconds=1)
    assert sla_sweep(now=later) == (1, 0)
    assert sla_sweep(now=later) == (0, 0)
    assert sla_sweep(now=later + timedelta(minutes=5)) == (0, 1)
    assert sla_sweep(now=later + timedelta(minutes=9)) == (0, 0)
    assert Notification.objects.filter(user=kapolsek, kind="escalation").count() == 1
    assert Mutasi.objects.filter(red=True, text__contains=contact.tracking_code).count() == 2


def test_an_answered_contact_never_breaches(selatan, petugas) -> None:
    contact = contact_receive(unit=selatan, incoming=wa())
    contact_acknowledge(actor=petugas, contact=contact)
    assert sla_sweep(now=contact.first_response_due_at + timedelta(hours=1)) == (0, 0)
    with pytest.raises(ValidationError):
        contact_acknowledge(actor=petugas, contact=contact)


def test_walk_in_tickets_start_the_clock_and_calling_answers(selatan, petugas) -> None:
    a, b = ticket_issue(unit=selatan), ticket_issue(unit=selatan)
    assert (a.queue_ticket, b.queue_ticket) == ("A-01", "A-02")
    called = ticket_call_next(actor=petugas, unit=selatan)
    assert called.pk == a.pk
    assert called.first_response_at is not None
    assert ticket_call_next(actor=petugas, unit=selatan).pk == b.pk
    assert ticket_call_next(actor=petugas, unit=selatan) is None


def test_a_phone_call_is_logged_answered(selatan, petugas) -> None:
    contact = phone_log(actor=petugas, unit=selatan, caller="0812 555", summary="Tanya SKCK")
    assert contact.status == Status.ANSWERED
    with pytest.raises(ValidationError):
        phone_log(actor=petugas, unit=selatan, caller="0812", summary=" ")


def test_a_file_name_with_path_parts_is_stored_safely(selatan) -> None:
    contact = contact_receive(
        unit=selatan,
        incoming=Incoming(
            channel="email",
            body="foto",
            files=[IncomingFile("../../etc/x.png", "image/png", b"\x89PNG")],
        ),
    )
    att = contact.messages.get().attachments.get()
    assert att.filename == "../../etc/x.png"
    assert ".." not in att.file.name


def test_the_inbox_never_hides_a_waiting_contact_behind_answered_ones(
    selatan, petugas, monkeypatch
) -> None:
    from spkt.intake import selectors

    monkeypatch.setattr(selectors, "INBOX_LIMIT", 2)
    for n in range(3):
        answered = contact_receive(
            unit=selatan,
            incoming=Incoming(channel="sms", body=f"halo {n}", sender_address=f"08120000{n}"),
        )
        contact_acknowledge(actor=petugas, contact=answered)
    waiting = contact_receive(
        unit=selatan, incoming=Incoming(channel="sms", body="tolong", sender_address="0813999")
    )
    assert [c.pk for c in selectors.inbox(unit=selatan).waiting] == [waiting.pk]


def test_a_full_inbox_says_how_many_more_wait(selatan, petugas, client, monkeypatch) -> None:
    """The page shows the most urgent; the rest are counted, never silently dropped."""
    from spkt.intake import selectors

    monkeypatch.setattr(selectors, "INBOX_LIMIT", 2)
    received = [
        contact_receive(
            unit=selatan,
            incoming=Incoming(channel="sms", body=f"tolong {n}", sender_address=f"0813000{n}"),
        )
        for n in range(5)
    ]
    contact_acknowledge(actor=petugas, contact=received[4])
    inbox = selectors.inbox(unit=selatan)
    assert [c.pk for c in inbox.waiting] == [received[0].pk, received[1].pk]  # earliest due first
    assert (inbox.waiting_total, inbox.waiting_hidden) == (4, 2)
    assert (inbox.handling, inbox.handling_total, inbox.handling_hidden) == ([], 1, 1)
    client.force_login(petugas)
    page = client.get("/kontak/").content.decode()
    assert "2 kontak lain juga menunggu" in page
    assert "dan 1 kontak lain yang sedang ditangani" in page
    monkeypatch.setattr(selectors, "INBOX_LIMIT", 10)
    roomy = selectors.inbox(unit=selatan)
    assert (roomy.waiting_total, roomy.waiting_hidden, roomy.handling_total) == (4, 0, 1)
