"""Store, answer, then process (docs/channels.md, section 8; ADR 0035).

A webhook view checks the signature and that the body is JSON it can read, stores the raw body in
one INSERT (``store``) and answers 200. The worker (``process_account``, a Huey task enqueued by the
view) turns the account's pending payloads into contacts with the adapters of ``webhooks``, oldest
first, BATCH to a transaction, with the account row locked: two workers never process one account
at the same time, so messages of one sender are filed in the order they came.

A payload whose processing fails is tried again later (``MAX_ATTEMPTS``, backing off), then marked
dead with the reason and listed in the admin, which can send it through again. A payload the
adapter refuses for good (outside the protocol) is dead at once. ``sweep`` (the intake clock, every
15 s) picks up what no task took: payloads stored while the worker was down, and retries that are
due.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet

from spkt.channels import gammu, smsgate, webhooks
from spkt.channels.models import ChannelAccount, InboundPayload, InboundStatus, SmsGateway
from spkt.core import clock, safejson
from spkt.dutylog.services import mutasi_flush_batch
from spkt.intake.models import Channel

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=1)  # 1, 2, 4, 8 minutes between the attempts
# A pending payload this old that no task has taken is taken by the sweep.
SWEEP_AFTER = timedelta(seconds=30)
# Payloads per transaction. A burst costs one commit and one lock per BATCH; the unit's desk waits
# at most one batch (a few hundred ms) for the unit's lock, which contact_receive takes.
BATCH = 20
CLOCK_LIMIT = 200  # payloads per round of the intake clock (a few seconds of work)

SMS_ADAPTERS: dict[str, Callable[[ChannelAccount, dict], webhooks.Tally]] = {
    SmsGateway.ANDROID: smsgate.receive,
    SmsGateway.GAMMU: gammu.receive,
    SmsGateway.SPKT: webhooks.sms_receive,
}


def sms_receive(account: ChannelAccount, payload: dict) -> webhooks.Tally:
    """The adapter of the account's SMS gateway (docs/channels.md, 6)."""
    adapter = SMS_ADAPTERS.get(account.sms_gateway)
    if adapter is None:
        raise webhooks.MalformedError(f"unknown SMS gateway {account.sms_gateway!r}")
    return adapter(account, payload)


ADAPTERS: dict[str, Callable[[ChannelAccount, dict], webhooks.Tally]] = {
    Channel.WHATSAPP: webhooks.whatsapp_receive,
    Channel.FACEBOOK: webhooks.meta_receive,
    Channel.INSTAGRAM: webhooks.meta_receive,
    Channel.TELEGRAM: webhooks.telegram_receive,
    Channel.SMS: sms_receive,
}


class ProcessingError(Exception):
    """Some messages of a payload could not be stored (the adapter counted them as failed)."""


# --- Keys: what makes a delivered-again payload the same row -----------------------------------
def _ids(channel: str, payload: dict) -> list[str]:
    """The provider's ids in ``payload``, read without any database work."""
    if channel == Channel.TELEGRAM:
        update = payload.get("update_id")
        return [f"u:{update}"] if isinstance(update, int) and not isinstance(update, bool) else []
    if channel == Channel.SMS:
        gateway_id = webhooks._text(payload, "id")
        kind = webhooks._text(payload, "type") or "message"
        return [f"{kind}:{gateway_id}"] if gateway_id and kind == "message" else []
    ids = []
    for entry in webhooks._list(payload, "entry"):
        for change in webhooks._list(entry, "changes"):  # WhatsApp
            for message in webhooks._list(webhooks._dict(change, "value"), "messages"):
                ids.append(webhooks._text(message, "id"))
        # Messenger, Instagram; ``standby`` when another app holds the thread. An unsent
        # (is_deleted) message carries the original's mid: it must not share its key.
        for event in webhooks._list(entry, "messaging") + webhooks._list(entry, "standby"):
            message = webhooks._dict(event, "message")
            deleted = bool(message.get("is_deleted"))
            postback = webhooks._text(webhooks._dict(event, "postback"), "mid")
            ids.append("" if deleted else webhooks._text(message, "mid") or postback)
    return ids


def key(channel: str, payload: dict, body: bytes) -> str:
    """The message id when the payload carries exactly one message and nothing else we know of,
    else a hash of the body: status receipts and batches are the same payload only when the
    provider sends the very same bytes again (the adapters deduplicate messages anyway)."""
    ids = _ids(channel, payload)
    if len(ids) == 1 and ids[0] and len(ids[0]) <= 240:
        return f"id:{ids[0]}"
    return "sha256:" + hashlib.sha256(body).hexdigest()


def store(account: ChannelAccount, key: str, body: bytes) -> None:
    """One INSERT; a payload already stored under ``key`` is left as it is."""
    InboundPayload.objects.bulk_create(
        [
            InboundPayload(
                account_id=account.pk, received_at=clock.now(), key=key, body=body.decode()
            )
        ],
        ignore_conflicts=True,
    )


# --- Processing -----------------------------------------------------------------------------------
def _due(now: datetime) -> QuerySet[InboundPayload]:
    return InboundPayload.objects.filter(status=InboundStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _failed(payload: InboundPayload, reason: str, now: datetime, *, final: bool) -> None:
    payload.attempts += 1
    payload.error = reason[:2000]
    if final or payload.attempts >= MAX_ATTEMPTS:
        payload.status = InboundStatus.DEAD
        payload.next_attempt_at = None
        payload.processed_at = clock.now()
        log.error(
            "inbound payload %s of %s is dead after %s attempt(s): %s",
            payload.pk,
            payload.account.slug,
            payload.attempts,
            reason,
        )
    else:
        payload.next_attempt_at = now + BACKOFF * 2 ** (payload.attempts - 1)
        log.warning(
            "inbound payload %s of %s failed (attempt %s), tried again at %s: %s",
            payload.pk,
            payload.account.slug,
            payload.attempts,
            payload.next_attempt_at.isoformat(),
            reason,
        )


def _process(payload: InboundPayload, now: datetime) -> bool:
    """Turn one payload into contacts. True when it is done: the caller marks the batch's done
    payloads in one UPDATE. A failure or a wait is saved on the payload here."""
    account = payload.account
    try:
        data = safejson.loads(payload.body.encode(), repair=True)
        adapter = ADAPTERS.get(account.channel)
        if not isinstance(data, dict) or adapter is None:
            raise webhooks.MalformedError(f"no {account.channel} payload")
        # The messages stored stay stored when others fail: the next attempt skips them (the
        # adapters deduplicate by the provider's id) and tries the failed ones again.
        with transaction.atomic():
            tally = adapter(account, data)
        if tally.failed:
            raise ProcessingError("; ".join(tally.errors) or f"{tally.failed} not stored")
    except webhooks.NotYetError as exc:
        # Waiting is not failing: no attempt is counted, the sweep takes it again at exc.at.
        payload.next_attempt_at = exc.at
        payload.error = str(exc)[:2000]
        payload.save(update_fields=["next_attempt_at", "error"])
        return False
    except (webhooks.MalformedError, safejson.JSONRefusedError) as exc:
        _failed(payload, f"{type(exc).__name__}: {exc}", now, final=True)
    except Exception as exc:
        _failed(payload, f"{type(exc).__name__}: {exc}", now, final=False)
    else:
        return True
    payload.save(update_fields=["status", "attempts", "next_attempt_at", "processed_at", "error"])
    return False


def mark_done(rows: QuerySet[Any]) -> None:
    """Mark a batch's processed rows (payloads, web submissions) done in one statement at the end
    of the batch: their contacts become visible with this commit (the benches measure to
    ``processed_at``)."""
    rows.update(
        status=InboundStatus.DONE,
        processed_at=clock.now(),
        next_attempt_at=None,
        attempts=F("attempts") + 1,
        error="",
    )


def process_account(account_id: int, now: datetime | None = None, limit: int | None = None) -> int:
    """Process the account's due payloads (at most ``limit``), oldest first, BATCH to a transaction
    (one commit and one lock for a burst; each payload in its own savepoint); the number
    processed."""
    count = 0
    while limit is None or count < limit:
        size = BATCH if limit is None else min(BATCH, limit - count)
        at = now or clock.now()
        with transaction.atomic():
            # The account row is the lock: one worker per account, so one sender's order holds.
            # FOR NO KEY UPDATE: the webhooks' INSERTs (FOR KEY SHARE on it) are not held up.
            locked = ChannelAccount.objects.select_for_update(no_key=True).filter(pk=account_id)
            if not locked.exists():
                return count
            payloads = list(
                _due(at)
                .filter(account_id=account_id)
                .select_related("account__unit")
                .order_by("pk")[:size]
            )
            mark_done(
                InboundPayload.objects.filter(pk__in=[p.pk for p in payloads if _process(p, at)])
            )
        if not payloads:
            return count
        # The batch's book entries waited (contact_receive(book_later=True)): one append for all.
        mutasi_flush_batch(payloads[0].account.unit)  # read with the batch (select_related)
        count += len(payloads)
    return count


def sweep(now: datetime | None = None, limit: int | None = None) -> int:
    """Process every account that has a payload no task took in time, or a retry that is due;
    at most ``limit`` payloads in all. The number processed."""
    at = now or clock.now()
    accounts = (
        _due(at)
        .filter(Q(next_attempt_at__isnull=False) | Q(received_at__lte=at - SWEEP_AFTER))
        .values_list("account_id", flat=True)
        .distinct()
    )
    count = 0
    for account_id in sorted(set(accounts)):
        if limit is not None and count >= limit:
            break
        count += process_account(account_id, now, None if limit is None else limit - count)
    return count


def inbound_sweep() -> None:
    """The intake clock's job (every 15 s, ADR 0027): a backlog left while the worker was down is
    worked off here too, CLOCK_LIMIT a round so the clock's other jobs keep their beat."""
    sweep(limit=CLOCK_LIMIT)


def reprocess(payloads: QuerySet[InboundPayload]) -> list[int]:
    """Send dead (or pending) payloads through again from a fresh count; the accounts to run."""
    payloads = payloads.exclude(status=InboundStatus.DONE)
    accounts = sorted(set(payloads.values_list("account_id", flat=True)))
    payloads.update(
        status=InboundStatus.PENDING, attempts=0, next_attempt_at=None, error="", processed_at=None
    )
    return accounts
