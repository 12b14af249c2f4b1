"""Writes for activity 1. Every contact gets one clock (received → first response due after the
unit's response minutes); every step is written to the Buku Mutasi of the shift; replies go out
on the channel the contact came from, through the outbox."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from spkt.core import clock, codes
from spkt.core.audit import audit_log
from spkt.core.booktext import book_language
from spkt.core.db import locked_get_or_create
from spkt.core.timeutil import local
from spkt.documents.models import DocType, Document, PreRegistration
from spkt.dutylog.models import MutasiCategory
from spkt.dutylog.services import mutasi_append, mutasi_append_later
from spkt.intake.models import (
    Attachment,
    Category,
    Channel,
    Contact,
    DailyCounter,
    Delivery,
    Direction,
    IncomingLetter,
    Message,
    OutboxItem,
    Outcome,
    Status,
)
from spkt.org.models import Unit, User

MAX_ATTACHMENT = 10 * 1024 * 1024
ALLOWED_TYPES = (
    "image/jpeg",
    "image/png",
    "image/webp",
    "application/pdf",
    "audio/ogg",
    "audio/mpeg",
    "video/mp4",
    "text/plain",
    "image/tiff",  # what most email-to-fax gateways send
    "message/rfc822",  # a forwarded mail, or the raw source of a malformed one
    # Phone photos and office files citizens mail in (letters, lists, statements). Served only as
    # downloads with nosniff; macro-enabled formats stay out (docs/adr/0043).
    "image/gif",
    "image/heic",
    "image/heif",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/rtf",
    "text/csv",
)


@dataclass
class IncomingFile:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Incoming:
    """A message as a channel adapter hands it over."""

    channel: str
    body: str
    sender_name: str = ""
    sender_address: str = ""
    subject: str = ""
    external_id: str = ""
    external_thread: str = ""
    in_reply_to: str = ""  # the external id of our own message this answers (email threading)
    received_at: datetime | None = None
    files: list[IncomingFile] = field(default_factory=list)
    warning: str = ""


def sender_key(channel: str, address: str) -> str:
    """Normalise a phone number, email address or handle, so one person is one key."""
    address = (address or "").strip().lower()
    if not address:
        return ""
    if "@" in address and channel in (Channel.EMAIL, Channel.FAX, Channel.WEB):
        return "email:" + address
    digits = re.sub(r"\D", "", address)
    if (
        channel in (Channel.SMS, Channel.WHATSAPP, Channel.PHONE, Channel.WALKIN, Channel.WEB)
        and digits
    ):
        if digits.startswith("0"):
            digits = "62" + digits[1:]
        return "tel:" + digits
    return f"{channel}:{address}"


def _check_files(files: list[IncomingFile]) -> None:
    for f in files:
        if len(f.data) > MAX_ATTACHMENT:
            raise ValidationError(
                _("Lampiran %(name)s terlalu besar (maksimal 10 MB).") % {"name": f.filename}
            )
        if f.content_type.split(";")[0].strip().lower() not in ALLOWED_TYPES:
            raise ValidationError(
                _("Jenis lampiran %(name)s tidak diizinkan.") % {"name": f.filename}
            )


def safe_filename(name: str) -> str:
    """A sender-chosen file name as a storage name: no path parts, nothing unsafe."""
    base = os.path.basename((name or "").replace("\\", "/"))
    try:
        cleaned = get_valid_filename(base)[-80:]
    except SuspiciousFileOperation:
        cleaned = ""
    return cleaned or "lampiran"


def _store_files(message: Message, files: list[IncomingFile]) -> None:
    for f in files:
        att = Attachment(
            message=message,
            filename=f.filename[:255],
            content_type=f.content_type[:120],
            size=len(f.data),
        )
        att.file.save(safe_filename(f.filename), ContentFile(f.data), save=False)
        att.save()


def _thread_of(unit: Unit, incoming: Incoming) -> Contact | None:
    """An open contact this message continues: a reply to one of our messages, or the same
    provider thread (WhatsApp number, Telegram chat) while the contact is still open."""
    if incoming.in_reply_to:
        found = (
            Contact.objects.filter(unit=unit, messages__external_id=incoming.in_reply_to)
            .exclude(status=Status.CLOSED)
            .first()
        )
        if found:
            return found
    if incoming.external_thread and incoming.channel in (
        Channel.WHATSAPP,
        Channel.TELEGRAM,
        Channel.FACEBOOK,
        Channel.INSTAGRAM,
        Channel.SMS,
    ):
        # The id first: most messages of a burst open a new contact, and a full row costs more.
        thread_id = (
            Contact.objects.filter(
                unit=unit, channel=incoming.channel, external_thread=incoming.external_thread
            )
            .exclude(status=Status.CLOSED)
            .order_by("-received_at")
            .values_list("pk", flat=True)
            .first()
        )
        return None if thread_id is None else Contact.objects.get(pk=thread_id)
    return None


@transaction.atomic
def contact_receive(
    *,
    unit: Unit,
    incoming: Incoming,
    actor: User | None = None,
    category: str = Category.OTHER,
    queue_ticket: str = "",
    answered: bool = False,
    tracking_code: str = "",
    book_later: bool = False,
) -> Contact:
    """Record an incoming message: a new contact with its clock, or the next message of an open
    one. ``answered`` marks contacts answered as they arrive (a phone call picked up);
    ``tracking_code`` is the code the citizen was already given (the web form, ADR 0040).
    ``book_later``: the Buku Mutasi entry waits (``mutasi_append_later``) for the caller, a
    worker's batch, to flush the unit's book once before it commits (ADR 0051)."""
    if incoming.channel not in Channel.values:
        raise ValidationError(_("Saluran tidak dikenal."))
    if (
        not (incoming.body or "").strip()
        and not incoming.files
        and incoming.channel != Channel.WALKIN
    ):
        raise ValidationError(_("Pesan kosong."))
    _check_files(incoming.files)
    if incoming.external_id:
        # Providers deliver at least once: the same message id twice is one message. The unit
        # row lock serialises concurrent deliveries of the same id; NO KEY UPDATE, so the rows
        # other transactions insert for the unit (their foreign-key checks) never wait on it.
        Unit.objects.select_for_update(no_key=True).filter(pk=unit.pk).exists()
        earlier_id = (
            Message.objects.filter(
                contact__unit=unit,
                contact__channel=incoming.channel,
                direction=Direction.IN,
                external_id=incoming.external_id[:255],
            )
            .values_list("contact_id", flat=True)
            .first()
        )
        if earlier_id is not None:
            return Contact.objects.get(pk=earlier_id)
    now = incoming.received_at or clock.now()
    contact = _thread_of(unit, incoming)
    new = contact is None
    if contact is None:
        key = sender_key(incoming.channel, incoming.sender_address)
        window = now - timedelta(minutes=unit.duplicate_window_minutes)
        earlier_contact_id = (
            Contact.objects.filter(unit=unit, sender_key=key, received_at__gte=window)
            .order_by("-received_at")
            .values_list("pk", flat=True)
            .first()
            if key
            else None
        )
        contact = Contact(
            unit=unit,
            channel=incoming.channel,
            tracking_code=tracking_code or codes.tracking_code(),
            sender_name=incoming.sender_name.strip()[:120],
            sender_address=incoming.sender_address.strip()[:255],
            sender_key=key[:255],
            subject=incoming.subject.strip()[:255],
            category=category,
            queue_ticket=queue_ticket,
            received_at=now,
            first_response_due_at=now + timedelta(minutes=unit.response_minutes),
            external_thread=incoming.external_thread[:255],
            possible_duplicate_of_id=earlier_contact_id,
        )
        if answered:
            contact.first_response_at, contact.first_response_by = now, actor
            contact.status = Status.ANSWERED
        contact.save()
    message = Message.objects.create(
        contact=contact,
        direction=Direction.IN,
        body=incoming.body or "",
        at=now,
        external_id=incoming.external_id[:255],
        warning=incoming.warning[:255],
    )
    _store_files(message, incoming.files)
    if not new:
        # The next message of an open contact: its row changes so the inbox's poll sees it
        # (inbox_version, raised by the trigger on every update).
        Contact.objects.filter(pk=contact.pk).update(updated_at=now)
    if new:
        with book_language():
            who = contact.sender_name or contact.sender_address or _("tanpa nama")
            text = _("Menerima kontak %(channel)s dari %(who)s (%(code)s): %(text)s") % {
                "channel": contact.get_channel_display(),
                "who": who,
                "code": contact.tracking_code,
                "text": (contact.subject or incoming.body or "")[:120],
            }
            category = MutasiCategory.LAPORAN_MASYARAKAT
            if book_later:
                mutasi_append_later(
                    unit=unit, actor=actor, category=category, text=text, flush=False
                )
            else:
                mutasi_append(unit=unit, actor=actor, category=category, text=text)
    return contact


def _first_response(contact: Contact, actor: User, now: datetime) -> bool:
    updated = Contact.objects.filter(pk=contact.pk, first_response_at=None).update(
        first_response_at=now, first_response_by=actor, status=Status.ANSWERED, updated_at=now
    )
    if updated:
        contact.first_response_at, contact.first_response_by = now, actor
        contact.status = Status.ANSWERED
    return bool(updated)


def _check_open(contact: Contact) -> None:
    if contact.status == Status.CLOSED:
        raise ValidationError(_("Kontak ini sudah selesai."))


@transaction.atomic
def contact_claim(*, actor: User, contact: Contact) -> Contact:
    now = clock.now()
    # update() skips auto_now: updated_at is set by hand (the inbox's ETag reads it).
    claimed = (
        Contact.objects.filter(pk=contact.pk)
        .exclude(status=Status.CLOSED)
        .update(claimed_by=actor, claimed_at=now, updated_at=now)
    )
    if not claimed:
        raise ValidationError(_("Kontak ini sudah selesai."))
    contact.refresh_from_db()
    return contact


@transaction.atomic
def contact_reply(*, actor: User, contact: Contact, body: str) -> Message:
    """Answer on the contact's route (its own channel, or for a web form or phone contact what the
    citizen gave: ``spkt.intake.routes``): the message and its outbox item in one transaction; the
    worker delivers after commit and retries until the provider confirms. A contact without a
    route is refused before anything is stored, with the reason."""
    from spkt.intake.routes import reply_route

    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    _check_open(contact)
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Balasan tidak boleh kosong."))
    if len(body) > 4000:
        raise ValidationError(_("Balasan terlalu panjang (maksimal 4000 karakter)."))
    route = reply_route(contact)
    if not route:
        raise ValidationError(route.reason)
    now = clock.now()
    message = Message.objects.create(
        contact=contact,
        direction=Direction.OUT,
        body=body,
        at=now,
        author=actor,
        delivery=Delivery.PENDING,
    )
    item = OutboxItem.objects.create(message=message, channel=route.channel, next_attempt_at=now)
    first = _first_response(contact, actor, now)
    if first:
        with book_language():
            mutasi_append(
                unit=contact.unit,
                actor=actor,
                category=MutasiCategory.LAPORAN_MASYARAKAT,
                text=_("Menanggapi kontak %(code)s melalui %(channel)s.")
                % {"code": contact.tracking_code, "channel": Channel(route.channel).label},
            )
    audit_log(action="intake.contact.replied", actor=actor, unit=contact.unit, target=contact)
    transaction.on_commit(lambda: _enqueue_delivery(item.pk))
    return message


def _enqueue_delivery(item_id: int) -> None:
    from spkt.intake.tasks import outbox_deliver_task

    outbox_deliver_task(item_id)


@transaction.atomic
def contact_acknowledge(*, actor: User, contact: Contact, note: str = "") -> Contact:
    """An in-person (or by-phone) first response recorded by the officer."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    _check_open(contact)
    now = clock.now()
    if not _first_response(contact, actor, now):
        raise ValidationError(_("Kontak ini sudah ditanggapi."))
    if note.strip():
        Message.objects.create(
            contact=contact,
            direction=Direction.OUT,
            body=note.strip()[:4000],
            at=now,
            author=actor,
            public=False,
            delivery=Delivery.SENT,
        )
    with book_language():
        mutasi_append(
            unit=contact.unit,
            actor=actor,
            category=MutasiCategory.LAPORAN_MASYARAKAT,
            text=_("Menanggapi langsung kontak %(code)s (%(channel)s).")
            % {"code": contact.tracking_code, "channel": contact.get_channel_display()},
        )
    return contact


# Apps that speak last to the citizen register here (the satisfaction survey, spkt.reports.ikm):
# a hook takes the contact just closed and returns the closing reply's text, or "" for none. The
# first text is sent, on the contact's reply route, in the closing transaction.
CLOSING_HOOKS: list[Callable[[Contact], str]] = []


def register_closing_hook(hook: Callable[[Contact], str]) -> None:
    if hook not in CLOSING_HOOKS:
        CLOSING_HOOKS.append(hook)


@transaction.atomic
def contact_close(
    *, actor: User, contact: Contact, outcome: str, document: Document | None = None
) -> Contact:
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    _check_open(contact)
    if outcome not in Outcome.values:
        raise ValidationError(_("Hasil tidak dikenal."))
    if document is not None and document.unit_id != contact.unit_id:
        raise ValidationError(_("Dokumen bukan milik satuan ini."))
    now = clock.now()
    if contact.first_response_at is None:
        _first_response(contact, actor, now)
    Contact.objects.filter(pk=contact.pk).update(
        status=Status.CLOSED,
        closed_at=now,
        outcome=outcome,
        outcome_document=document,
        updated_at=now,
    )
    contact.refresh_from_db()
    with book_language():
        mutasi_append(
            unit=contact.unit,
            actor=actor,
            category=MutasiCategory.LAPORAN_MASYARAKAT,
            text=_("Menutup kontak %(code)s: %(outcome)s%(doc)s.")
            % {
                "code": contact.tracking_code,
                "outcome": contact.get_outcome_display(),
                "doc": f" ({document.number})" if document is not None else "",
            },
        )
    from spkt.intake.routes import reply_route

    route = reply_route(contact)
    if route:
        # The closing reply (the survey's link) goes on the same route as the desk's replies.
        text = next((t for hook in CLOSING_HOOKS if (t := hook(contact))), "")
        if text:
            message = Message.objects.create(
                contact=contact,
                direction=Direction.OUT,
                body=text,
                at=now,
                author=actor,
                delivery=Delivery.PENDING,
            )
            item = OutboxItem.objects.create(
                message=message, channel=route.channel, next_attempt_at=now
            )
            transaction.on_commit(lambda: _enqueue_delivery(item.pk))
    return contact


@transaction.atomic
def contact_document_follows(*, actor: User, contact: Contact, document: Document) -> Contact:
    """A contact the desk closed as field help ends, later, in the document the field work
    produced (the LP model A of a TPTKP task): the contact takes that outcome and document, and
    the book says so. Only such a contact, only once, and only a document of its own unit."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if document.unit_id != contact.unit_id:
        raise ValidationError(_("Dokumen bukan milik satuan ini."))
    if contact.status != Status.CLOSED or contact.outcome != Outcome.FIELD_HELP:
        raise ValidationError(_("Hanya kontak yang ditutup sebagai bantuan lapangan."))
    if contact.outcome_document_id is not None:
        raise ValidationError(_("Kontak ini sudah tercatat dengan dokumennya."))
    now = clock.now()
    outcome = Outcome.LP if document.doc_type in (DocType.LP_A, DocType.LP_B) else contact.outcome
    Contact.objects.filter(pk=contact.pk).update(
        outcome=outcome, outcome_document=document, updated_at=now
    )
    contact.refresh_from_db()
    with book_language():
        mutasi_append(
            unit=contact.unit,
            actor=actor,
            category=MutasiCategory.LAPORAN_MASYARAKAT,
            text=_("Kontak %(code)s (bantuan lapangan) berujung %(doc)s nomor %(number)s.")
            % {
                "code": contact.tracking_code,
                "doc": DocType(document.doc_type).label,
                "number": document.number,
            },
        )
    return contact


@transaction.atomic
def contact_link(*, actor: User, contact: Contact, to: Contact) -> Contact:
    """The officer decides that two contacts are one incident."""
    if to.unit_id != contact.unit_id or to.pk == contact.pk:
        raise ValidationError(_("Kontak tidak dapat ditautkan."))
    Contact.objects.filter(pk=contact.pk).update(
        linked_to=to, possible_duplicate_of=None, updated_at=clock.now()
    )
    contact.refresh_from_db()
    audit_log(
        action="intake.contact.linked",
        actor=actor,
        unit=contact.unit,
        target=contact,
        data={"to": to.pk},
    )
    return contact


# --- Walk-in queue, phone, letter ---------------------------------------------------------------
@transaction.atomic
def ticket_issue(*, unit: Unit) -> Contact:
    """The kiosk prints a queue ticket: the clock starts now."""
    now = clock.now()
    counter = locked_get_or_create(
        DailyCounter, unit=unit, day=local(now).date(), defaults={"last": 0}
    )
    counter.last += 1
    DailyCounter.objects.filter(pk=counter.pk).update(last=counter.last)
    ticket = f"A-{counter.last:02d}"
    with book_language():  # the subject is quoted into the book
        subject = _("Antrean %(t)s") % {"t": ticket}
    return contact_receive(
        unit=unit,
        queue_ticket=ticket,
        incoming=Incoming(channel=Channel.WALKIN, body="", subject=subject, received_at=now),
    )


@transaction.atomic
def ticket_call_next(*, actor: User, unit: Unit) -> Contact | None:
    """Call the next waiting number: being called is the walk-in's first response."""
    contact = (
        Contact.objects.select_for_update(skip_locked=True)
        .filter(unit=unit, channel=Channel.WALKIN, called_at=None)
        .exclude(status=Status.CLOSED)
        .order_by("received_at", "pk")
        .first()
    )
    if contact is None:
        return None
    now = clock.now()
    Contact.objects.filter(pk=contact.pk).update(
        called_at=now, claimed_by=actor, claimed_at=now, updated_at=now
    )
    contact.refresh_from_db()
    _first_response(contact, actor, now)
    with book_language():
        mutasi_append(
            unit=unit,
            actor=actor,
            category=MutasiCategory.LAPORAN_MASYARAKAT,
            text=_("Memanggil antrean %(t)s.") % {"t": contact.queue_ticket},
        )
    return contact


def phone_log(*, actor: User, unit: Unit, caller: str, summary: str, name: str = "") -> Contact:
    """A call, in three fields; it was answered when it was picked up."""
    if not summary.strip():
        raise ValidationError(_("Isi ringkasan pembicaraan."))
    return contact_receive(
        unit=unit,
        actor=actor,
        answered=True,
        incoming=Incoming(
            channel=Channel.PHONE,
            body=summary.strip()[:4000],
            sender_name=name,
            sender_address=caller,
        ),
    )


@transaction.atomic
def letter_register(
    *,
    actor: User,
    unit: Unit,
    sender: str,
    subject: str,
    letter_number: str = "",
    letter_date: date | None = None,
    scan: IncomingFile | None = None,
) -> IncomingLetter:
    """An incoming letter into the agenda surat masuk, with its scan, as a contact."""
    from spkt.core.numbering import number_next

    if not sender.strip() or not subject.strip():
        raise ValidationError(_("Pengirim dan perihal surat wajib diisi."))
    if len(sender) > 200 or len(subject) > 255 or len(letter_number) > 120:
        raise ValidationError(_("Isian surat terlalu panjang."))
    if scan is not None:
        _check_files([scan])
    now = clock.now()
    contact = contact_receive(
        unit=unit,
        actor=actor,
        incoming=Incoming(
            channel=Channel.LETTER,
            body=subject,
            subject=subject,
            sender_name=sender,
        ),
    )
    year, n = number_next(unit=unit, doc_type="AGENDA", issued_at=now)
    letter = IncomingLetter(
        unit=unit,
        agenda_number=f"{n}/{year}",
        letter_number=letter_number,
        letter_date=letter_date,
        sender=sender.strip(),
        subject=subject.strip(),
        contact=contact,
        received_by=actor,
    )
    if scan is not None:
        letter.scan.save(safe_filename(scan.filename), ContentFile(scan.data), save=False)
    letter.save()
    return letter


@transaction.atomic
def ticket_preregistered(
    *, unit: Unit, tracking_code: str, preregistration: PreRegistration
) -> Contact:
    """The citizen waiting with a kiosk ticket filled a pre-registration from its QR: the ticket
    carries it, so the officer who calls the number opens the form already filled (issue 12,
    item 2). The ticket must be this unit's, recent and not yet served; else nothing changes."""
    from spkt.intake.selectors import TICKET_WINDOW

    now = clock.now()
    contact = (
        Contact.objects.select_for_update()
        .filter(
            unit=unit,
            channel=Channel.WALKIN,
            tracking_code=tracking_code,
            received_at__gte=now - TICKET_WINDOW,
        )
        .exclude(status=Status.CLOSED)
        .first()
    )
    if contact is None:
        raise ValidationError(_("Nomor antrean ini tidak ditemukan atau sudah selesai dilayani."))
    fields = {"preregistration": preregistration, "updated_at": now}
    if not contact.sender_name:  # the inbox shows the name instead of a bare ticket number
        fields["sender_name"] = str(preregistration.data["citizen"].get("name", ""))[:120]
    Contact.objects.filter(pk=contact.pk).update(**fields)
    contact.refresh_from_db()
    return contact
