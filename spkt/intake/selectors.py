"""Reads for activity 1, always scoped to the units the user may see."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from spkt.core import clock
from spkt.core.timeutil import local, local_datetime
from spkt.documents.models import DocType, Document
from spkt.intake.models import (
    Attachment,
    Channel,
    Contact,
    Direction,
    IncomingLetter,
    Message,
    Status,
)
from spkt.org.models import Unit, User
from spkt.org.permissions import visible_units

INBOX_LIMIT = 200
OPEN = Q(status__in=[Status.OPEN, Status.ANSWERED])


def contacts_visible(*, user: User) -> QuerySet[Contact]:
    return Contact.objects.filter(unit__in=visible_units(user))


@dataclass
class Inbox:
    waiting: list[Contact]  # no first response yet: the clock runs
    handling: list[Contact]  # answered, not closed
    # All of them, when the page shows only the most urgent (counted only then).
    waiting_total: int = 0
    handling_total: int = 0

    @property
    def waiting_hidden(self) -> int:
        return max(0, self.waiting_total - len(self.waiting))

    @property
    def handling_hidden(self) -> int:
        return max(0, self.handling_total - len(self.handling))

    @property
    def next_ticket_id(self) -> int | None:
        """The walk-in that "Panggil berikutnya" calls (the earliest uncalled ticket)."""
        tickets = [c for c in self.waiting if c.channel == Channel.WALKIN and c.called_at is None]
        return min(tickets, key=lambda c: (c.received_at, c.pk)).pk if tickets else None


def inbox(*, unit: Unit) -> Inbox:
    """The unit's open contacts by due time, the last inbound words annotated. Contacts still
    waiting for a first response come first, so a long tail of answered but unclosed contacts
    never pushes a new arrival off the page. Two queries, each an ordered walk of a partial index
    that stops at the page's limit (``contact_waiting_due_idx``, ``contact_handling_due_idx``):
    the cost does not grow with the open set (48,000 open contacts: bench/intake.py)."""
    last_in = Message.objects.filter(contact=OuterRef("pk"), direction=Direction.IN).order_by(
        "-at", "-pk"
    )
    rows = (
        Contact.objects.filter(OPEN, unit=unit)
        .select_related(
            "claimed_by__personnel", "first_response_by__personnel", "possible_duplicate_of"
        )
        .annotate(last_body=Subquery(last_in.values("body")[:1]))
        .order_by("first_response_due_at", "pk")
    )
    waiting: list[Contact] = list(rows.filter(first_response_at__isnull=True)[:INBOX_LIMIT])
    room = INBOX_LIMIT - len(waiting)
    handling: list[Contact] = (
        list(rows.filter(first_response_at__isnull=False)[:room]) if room else []
    )
    # A full page says how many more there are (an index-only count, only when it is full).
    open_set = Contact.objects.filter(OPEN, unit=unit)
    waiting_total = (
        open_set.filter(first_response_at__isnull=True).count()
        if len(waiting) == INBOX_LIMIT
        else len(waiting)
    )
    handling_total = (
        open_set.filter(first_response_at__isnull=False).count()
        if len(handling) == room
        else len(handling)
    )
    return Inbox(waiting, handling, waiting_total, handling_total)


def inbox_etag(*, unit: Unit, salt: str = "") -> str:
    """A fingerprint of what the inbox shows: the highest ``inbox_version`` of the unit's contacts,
    which a trigger raises on every insert and update of a contact (a new message raises its
    contact, ``services.contact_receive``): one index probe, whatever the size of the open set."""
    version = Contact.objects.filter(unit=unit).aggregate(v=Max("inbox_version"))["v"]
    raw = f"{version or 0}|{salt}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def contact_get(*, user: User, pk: int) -> Contact:
    return get_object_or_404(
        contacts_visible(user=user)
        .select_related(
            "unit",
            "claimed_by__personnel",
            "first_response_by__personnel",
            "possible_duplicate_of",
            "linked_to",
            "outcome_document",
            "letter",
        )
        .filter(pk=pk)
    )


def contact_thread(*, contact: Contact) -> list[Message]:
    """The messages in order; each has ``sent_by``: its outbox item (the delivery channel, status
    and last error the desk sees) or None, so templates need not catch a missing relation."""
    thread = list(
        contact.messages.select_related("author__personnel", "outbox")
        .prefetch_related("attachments")
        .order_by("at", "pk")
    )
    for message in thread:
        message.sent_by = getattr(message, "outbox", None)
    return thread


def message_received(*, unit: Unit, external_id: str) -> bool:
    """Whether the unit already stored the citizen's message with this provider id (a provider
    that delivers again, a mailbox polled twice)."""
    return (
        bool(external_id)
        and Message.objects.filter(
            contact__unit=unit, direction=Direction.IN, external_id=external_id
        ).exists()
    )


def message_get(*, user: User, pk: int) -> Message:
    return get_object_or_404(
        Message.objects.filter(pk=pk, contact__unit__in=visible_units(user)).select_related(
            "contact__unit", "outbox"
        )
    )


def attachment_get(*, user: User, pk: int) -> Attachment:
    return get_object_or_404(
        Attachment.objects.filter(
            pk=pk, message__contact__unit__in=visible_units(user)
        ).select_related("message__contact__unit")
    )


def documents_for_outcome(*, unit: Unit, limit: int = 30) -> list[Document]:
    """Recent SKTLK and LP numbers of the unit, offered when a contact is closed with one."""
    return list(
        Document.objects.filter(unit=unit, doc_type__in=[DocType.SKTLK, DocType.LP_A, DocType.LP_B])
        .only("number", "doc_type", "subject_name", "issued_at")
        .order_by("-issued_at", "-pk")[:limit]
    )


# --- Walk-in queue ------------------------------------------------------------------------------
def tickets_called(*, unit: Unit, limit: int = 6) -> list[Contact]:
    """The numbers called today (local day), newest first: what the lobby display shows."""
    start = local_datetime(local(clock.now()).date())
    return list(
        Contact.objects.filter(unit=unit, channel=Channel.WALKIN, called_at__gte=start)
        .only("queue_ticket", "called_at")
        .order_by("-called_at", "-pk")[:limit]
    )


def tickets_waiting(*, unit: Unit) -> int:
    return (
        Contact.objects.filter(OPEN, unit=unit, channel=Channel.WALKIN, called_at=None)
        .only("pk")
        .count()
    )


TICKET_WINDOW = timedelta(hours=12)  # a kiosk ticket is today's: older ones are not shown


def kiosk_ticket(*, unit: Unit, code: str) -> Contact:
    """A ticket as the kiosk shows it right after printing (recent walk-ins only)."""
    contact = (
        Contact.objects.filter(
            unit=unit,
            channel=Channel.WALKIN,
            tracking_code=code,
            received_at__gte=clock.now() - TICKET_WINDOW,
        ).first()
        if len(code) <= 12
        else None
    )
    if contact is None:
        raise Http404
    return contact


# --- Letters ------------------------------------------------------------------------------------
def letters(*, unit: Unit) -> QuerySet[IncomingLetter]:
    return (
        IncomingLetter.objects.filter(unit=unit)
        .select_related("contact", "received_by__personnel")
        .order_by("-contact__received_at", "-pk")
    )


def letter_get(*, user: User, pk: int) -> IncomingLetter:
    return get_object_or_404(
        IncomingLetter.objects.filter(pk=pk, unit__in=visible_units(user)).select_related("unit")
    )


# --- Public tracking ----------------------------------------------------------------------------
def contact_public(*, code: str) -> Contact | None:
    code = code.strip().upper()
    if not 6 <= len(code) <= 12:
        return None
    return Contact.objects.filter(tracking_code=code).select_related("unit").first()


# A message the citizen sent that is not a contact yet (the web form's queue, ADR 0040): the
# channel that queues it registers a lookup (code -> an object with tracking_code, unit and
# received_at, or None) from its ready(); intake imports none of the channels.
PENDING_LOOKUPS: list[Callable[[str], Any]] = []


def register_pending_lookup(lookup: Callable[[str], Any]) -> None:
    if lookup not in PENDING_LOOKUPS:
        PENDING_LOOKUPS.append(lookup)


def received_pending(*, code: str) -> Any:
    """The queued message with this tracking code, or None."""
    return next((found for lookup in PENDING_LOOKUPS if (found := lookup(code)) is not None), None)


def public_thread(*, contact: Contact) -> list[dict[str, Any]]:
    """What the citizen may read: their own messages and the replies meant for them."""
    rows = (
        contact.messages.filter(Q(direction=Direction.IN) | Q(public=True))
        .exclude(body="")
        .order_by("at", "pk")
        .values("direction", "body", "at")
    )
    return [dict(row) for row in rows]


# --- REST API -----------------------------------------------------------------------------------
def contact_list(
    *, user: User, unit: Unit | None = None, status: str = "", channel: str = ""
) -> QuerySet[Contact]:
    """Contacts of the units the user may see (or of one of them), newest first: the API's list."""
    qs = contacts_visible(user=user) if unit is None else Contact.objects.filter(unit=unit)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    return qs.order_by("-received_at", "-pk")


def contacts_overdue(*, unit: Unit, now: datetime | None = None) -> QuerySet[Contact]:
    """Open contacts of the unit past their first-response standard (5 minutes) without a first
    response, the longest overdue first."""
    return (
        Contact.objects.filter(
            OPEN,
            unit=unit,
            first_response_at__isnull=True,
            first_response_due_at__lt=now or clock.now(),
        )
        .only(
            "pk",
            "unit_id",
            "channel",
            "tracking_code",
            "sender_name",
            "sender_address",
            "queue_ticket",
            "received_at",
            "first_response_due_at",
        )
        .order_by("first_response_due_at", "pk")
    )


def ticket_waiting(*, unit: Unit, code: str) -> Contact | None:
    """A recent kiosk ticket of the unit not yet served, for the pre-registration it carries."""
    if not code or len(code) > 12:
        return None
    return (
        Contact.objects.filter(
            unit=unit,
            channel=Channel.WALKIN,
            tracking_code=code.strip().upper(),
            received_at__gte=clock.now() - TICKET_WINDOW,
        )
        .exclude(status=Status.CLOSED)
        .first()
    )
