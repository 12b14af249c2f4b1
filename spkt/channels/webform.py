"""The public web form on the store-answer-process path (ADR 0040, as ADR 0035 for webhooks).

The view validates the form and calls ``submit``: the attachments are written to storage, the
submission is stored in one INSERT with a tracking code drawn up front, and the citizen gets that
code at once. The worker (``process_unit``, a Huey task enqueued on commit) turns the unit's
pending submissions into contacts with exactly those codes, oldest first, with the unit row locked,
so a backlog is filed in the order it was sent. The contact's clock starts at ``received_at``, when
the citizen pressed send, not when the worker ran.

``key`` is the form's idempotency token (a hidden field drawn when the form is shown): a double
click or a resent form finds its row and answers the same code. A submission the worker cannot
process is retried (``inbound.MAX_ATTEMPTS``, backing off), then kept as a dead letter in the admin;
``sweep`` (the intake clock, every 15 s) takes what no task took.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from spkt.channels.inbound import (
    BACKOFF,
    BATCH,
    CLOCK_LIMIT,
    MAX_ATTEMPTS,
    SWEEP_AFTER,
    mark_done,
)
from spkt.channels.models import InboundStatus, WebSubmission
from spkt.core import clock
from spkt.core.errors import messages_text
from spkt.core.queueing import enqueue_once
from spkt.dutylog.services import mutasi_flush_batch
from spkt.intake.models import Channel, Contact

if TYPE_CHECKING:
    from spkt.intake.services import IncomingFile
from spkt.org.models import Unit

log = logging.getLogger(__name__)

TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
STAGING = "webform"  # storage folder of attachments waiting for their contact


def new_token() -> str:
    """The idempotency token the form carries (drawn each time the form is shown)."""
    return secrets.token_urlsafe(24)


def _stage(code: str, files: Iterable[IncomingFile]) -> list[dict[str, Any]]:
    from spkt.intake.services import safe_filename

    staged = []
    for f in files:
        path = default_storage.save(
            f"{STAGING}/{code}/{safe_filename(f.filename)}", ContentFile(f.data)
        )
        staged.append(
            {
                "path": path,
                "filename": f.filename[:255],
                "content_type": f.content_type[:120],
                "size": len(f.data),
            }
        )
    return staged


def _unstage(files: list[dict]) -> None:
    for f in files:
        try:
            default_storage.delete(f["path"])
        except Exception:  # a staged file left behind costs disk, never a message
            log.warning("web form: staged file %s not removed", f.get("path"), exc_info=True)


# The form's unit, per process: a submission then costs its INSERT alone. A change to any unit
# clears it here at once (the signal) and in the other processes within UNIT_TTL; units are never
# deleted while they have submissions (PROTECT).
UNIT_TTL = 30.0
_units: dict[str, tuple[float, Unit | None]] = {}


def form_unit(code: str) -> Unit | None:
    """The unit whose form ``code`` names, or None."""
    now = time.monotonic()
    hit = _units.get(code)
    if hit is not None and now - hit[0] < UNIT_TTL:
        return hit[1]
    unit = Unit.objects.filter(code=code).first() if len(code) <= 60 else None
    if len(_units) > 10_000:  # made-up codes cannot grow it without bound
        _units.clear()
    _units[code] = (now, unit)
    return unit


@receiver(post_save, sender=Unit)
@receiver(post_delete, sender=Unit)
def _forget_units(**kwargs: Any) -> None:
    _units.clear()


def submit(
    *,
    unit: Unit,
    key: str,
    name: str,
    reply_to: str,
    body: str,
    files: Sequence[IncomingFile] = (),
    retry: bool = True,
) -> WebSubmission:
    """Store a validated submission (files first, then one INSERT) and return it; a key already
    stored for the unit returns that submission. ``files`` are ``IncomingFile``s, checked against
    the attachment policy before anything is written."""
    from spkt.core.codes import tracking_code
    from spkt.intake.services import _check_files

    if not TOKEN.fullmatch(key or ""):
        raise ValidationError("bad idempotency key")
    _check_files(list(files))
    code = tracking_code()
    staged = _stage(code, files)
    # In autocommit (the view) the INSERT is its own transaction: one round trip, no BEGIN and
    # COMMIT; inside a transaction (tests, callers) a savepoint keeps a conflict from spoiling it.
    guard = transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext()
    try:
        with guard:
            return WebSubmission.objects.create(
                unit=unit,
                key=key,
                tracking_code=code,
                received_at=clock.now(),
                sender_name=name,
                reply_to=reply_to,
                body=body,
                files=staged,
            )
    except IntegrityError:
        _unstage(staged)
        earlier = WebSubmission.objects.filter(unit=unit, key=key).first()
        if earlier is None and retry:  # the drawn code was taken: not the same one, try again
            return submit(
                unit=unit,
                key=key,
                name=name,
                reply_to=reply_to,
                body=body,
                files=files,
                retry=False,
            )
        if earlier is None:
            raise
        return earlier


def enqueue(unit_id: int) -> None:
    """Ask the worker for the unit's submissions once the row is committed, unless a task for the
    unit is already waiting (``core.queueing``). A failed enqueue loses nothing: the sweep
    takes the submission within a minute."""

    def send() -> None:
        from spkt.channels import tasks

        enqueue_once("webform", unit_id, tasks.webform_process_task)

    transaction.on_commit(send)


def pending(code: str) -> WebSubmission | None:
    """A submission whose contact is not made yet (the tracking page says "being processed")."""
    code = (code or "").strip().upper()
    if not 6 <= len(code) <= 12:
        return None
    return (
        WebSubmission.objects.filter(tracking_code=code)
        .exclude(status=InboundStatus.DONE)
        .select_related("unit")
        .first()
    )


# --- Processing -----------------------------------------------------------------------------------
def _due(now: datetime) -> QuerySet[WebSubmission]:
    return WebSubmission.objects.filter(status=InboundStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _read(files: list[dict[str, Any]]) -> list[IncomingFile]:
    from spkt.intake.services import IncomingFile

    out = []
    for f in files:
        with default_storage.open(f["path"], "rb") as handle:
            out.append(IncomingFile(f["filename"], f["content_type"], handle.read()))
    return out


def _failed(sub: WebSubmission, reason: str, now: datetime, *, final: bool) -> None:
    sub.attempts += 1
    sub.error = reason[:2000]
    if final or sub.attempts >= MAX_ATTEMPTS:
        sub.status = InboundStatus.DEAD
        sub.next_attempt_at = None
        sub.processed_at = clock.now()
        log.error("web submission %s is dead after %s attempt(s): %s", sub.pk, sub.attempts, reason)
    else:
        sub.next_attempt_at = now + BACKOFF * 2 ** (sub.attempts - 1)
        log.warning("web submission %s failed (attempt %s): %s", sub.pk, sub.attempts, reason)


def _process(sub: WebSubmission, now: datetime) -> bool:
    """Make the submission's contact. True when it is done: the caller marks the batch's done
    submissions in one UPDATE. A failure is saved on the submission here."""
    from spkt.intake.services import Incoming, contact_receive

    try:
        with transaction.atomic():
            made = (
                Contact.objects.filter(tracking_code=sub.tracking_code)
                .values_list("unit_id", "channel", "received_at")
                .first()
            )
            if made is not None and made != (sub.unit_id, Channel.WEB, sub.received_at):
                # Another contact drew this code meanwhile: a person must look (a dead letter).
                raise ValidationError("tracking code taken by another contact")
            if made is None:  # else made already (the row put back to pending): done
                contact_receive(
                    unit=sub.unit,
                    tracking_code=sub.tracking_code,
                    book_later=True,
                    incoming=Incoming(
                        channel=Channel.WEB,
                        body=sub.body,
                        sender_name=sub.sender_name,
                        sender_address=sub.reply_to,
                        subject=sub.body[:80],
                        received_at=sub.received_at,
                        files=_read(sub.files),
                    ),
                )
    except ValidationError as exc:
        _failed(sub, f"ValidationError: {messages_text(exc, '; ')}", now, final=True)
    except Exception as exc:
        _failed(sub, f"{type(exc).__name__}: {exc}", now, final=False)
    else:
        if sub.files:
            staged = list(sub.files)
            transaction.on_commit(lambda: _unstage(staged))
        return True
    sub.save(update_fields=["status", "attempts", "next_attempt_at", "processed_at", "error"])
    return False


def process_unit(unit_id: int, now: datetime | None = None, limit: int | None = None) -> int:
    """Make the contacts of the unit's due submissions (at most ``limit``), oldest first, BATCH to
    a transaction, each in its own savepoint; the number processed."""
    count = 0
    while limit is None or count < limit:
        size = BATCH if limit is None else min(BATCH, limit - count)
        at = now or clock.now()
        with transaction.atomic():
            # The unit row is the lock: one worker per unit, so submissions are filed in order.
            if not Unit.objects.select_for_update(no_key=True).filter(pk=unit_id).exists():
                return count
            batch = list(
                _due(at).filter(unit_id=unit_id).select_related("unit").order_by("pk")[:size]
            )
            mark_done(WebSubmission.objects.filter(pk__in=[s.pk for s in batch if _process(s, at)]))
        if not batch:
            return count
        mutasi_flush_batch(batch[0].unit)  # the batch's book entries, in one append
        count += len(batch)
    return count


def sweep(now: datetime | None = None, limit: int | None = None) -> int:
    """Process every unit with a submission no task took in time, or a retry that is due; at most
    ``limit`` submissions in all. The number processed."""
    at = now or clock.now()
    units = (
        _due(at)
        .filter(Q(next_attempt_at__isnull=False) | Q(received_at__lte=at - SWEEP_AFTER))
        .values_list("unit_id", flat=True)
        .distinct()
    )
    count = 0
    for unit_id in sorted(set(units)):
        if limit is not None and count >= limit:
            break
        count += process_unit(unit_id, now, None if limit is None else limit - count)
    return count


def webform_sweep() -> None:
    """The intake clock's job (every 15 s, ADR 0027): a backlog left while the worker was down
    becomes contacts here too, CLOCK_LIMIT a round."""
    sweep(limit=CLOCK_LIMIT)


def reprocess(submissions: QuerySet[WebSubmission]) -> list[int]:
    """Send dead (or pending) submissions through again from a fresh count; the units to run."""
    submissions = submissions.exclude(status=InboundStatus.DONE)
    units = sorted(set(submissions.values_list("unit_id", flat=True)))
    submissions.update(
        status=InboundStatus.PENDING, attempts=0, next_attempt_at=None, error="", processed_at=None
    )
    return units
