"""Delivery of the desk's messages. An item is claimed with a conditional update (so two workers
never send it twice), sent by the channel's sender, and retried with backoff until confirmed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from spkt.core import clock, retry
from spkt.intake.models import Delivery, Direction, Message, OutboxItem, OutboxStatus
from spkt.org.models import Unit

MAX_ATTEMPTS = 8
CLAIM = timedelta(minutes=5)  # longer than any send can take (HTTP and SMTP time out at 10 s)


class DeliveryError(Exception):
    """A delivery that failed and may succeed later (network, provider 5xx)."""


class PermanentDeliveryError(DeliveryError):
    """A delivery that will never succeed as it is (bad recipient, provider 4xx)."""


# channel -> sender(item) returning the provider's message id; filled by spkt.channels.
SENDERS: dict[str, Callable[[OutboxItem], str]] = {}


def register_sender(channel: str, sender: Callable[[OutboxItem], str]) -> None:
    SENDERS[channel] = sender


def backoff(attempts: int) -> timedelta:
    return retry.backoff(attempts, first=10, cap=3600)


def outbox_claim(item_id: int) -> OutboxItem | None:
    if not retry.claim(
        OutboxItem,
        item_id,
        pending=OutboxStatus.PENDING,
        sending=OutboxStatus.SENDING,
        hold=CLAIM,
    ):
        return None
    return OutboxItem.objects.select_related("message__contact__unit").get(pk=item_id)


def outbox_deliver(item_id: int) -> str:
    """Deliver one item if it is due; returns its status afterwards."""
    item = outbox_claim(item_id)
    if item is None:
        return OutboxItem.objects.filter(pk=item_id).values_list("status", flat=True).first() or ""
    sender = SENDERS.get(item.channel)
    attempts = item.attempts + 1
    now = clock.now()
    try:
        if sender is None:
            raise PermanentDeliveryError(f"no sender for channel {item.channel}")
        external_id = sender(item)
    except DeliveryError as exc:
        give_up = isinstance(exc, PermanentDeliveryError) or attempts >= MAX_ATTEMPTS
        with transaction.atomic():
            OutboxItem.objects.filter(pk=item.pk).update(
                status=OutboxStatus.FAILED if give_up else OutboxStatus.PENDING,
                attempts=attempts,
                last_error=str(exc)[:2000],
                claimed_until=None,
                next_attempt_at=now + backoff(attempts),
            )
            if give_up:
                Message.objects.filter(pk=item.message_id).update(delivery=Delivery.FAILED)
        return OutboxStatus.FAILED if give_up else OutboxStatus.PENDING
    with transaction.atomic():
        OutboxItem.objects.filter(pk=item.pk).update(
            status=OutboxStatus.SENT,
            attempts=attempts,
            sent_at=now,
            claimed_until=None,
            last_error="",
        )
        Message.objects.filter(pk=item.message_id).update(
            delivery=Delivery.SENT, external_id=(external_id or "")[:255]
        )
    return OutboxStatus.SENT


def outbox_sweep(*, limit: int = 200) -> int:
    """Deliver every item that is due (new, retry, or abandoned by a dead worker)."""
    now = clock.now()
    due = OutboxItem.objects.filter(
        Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=OutboxStatus.SENDING, claimed_until__lt=now)
    ).values_list("pk", flat=True)[:limit]
    return sum(1 for pk in list(due) if outbox_deliver(pk) == OutboxStatus.SENT)


def outbox_retry(*, item: OutboxItem) -> bool:
    """The desk asks to try a failed delivery again; only a failed item is retried."""
    with transaction.atomic():
        if not OutboxItem.objects.filter(pk=item.pk, status=OutboxStatus.FAILED).update(
            status=OutboxStatus.PENDING, next_attempt_at=clock.now(), attempts=0
        ):
            return False
        Message.objects.filter(pk=item.message_id).update(delivery=Delivery.PENDING)
        transaction.on_commit(lambda: _enqueue(item.pk))
    return True


# Outbound delivery only moves forward: callbacks come out of order and more than once.
_PROGRESS: list[str] = [Delivery.PENDING, Delivery.SENT, Delivery.DELIVERED, Delivery.READ]


def outbox_delivery_update(*, unit: Unit, external_id: str, delivery: str, error: str = "") -> int:
    """Record the provider's word on one of our messages (the channels' webhooks and reports). A
    status never goes back (read is not set back to delivered); a failure counts only before
    delivery, and marks the outbox item failed so the desk can send it again. Returns the number
    of messages changed."""
    if not external_id:
        return 0
    before: list[str]
    if delivery == Delivery.FAILED:
        before = [Delivery.PENDING, Delivery.SENT]
    elif delivery in _PROGRESS:
        before = _PROGRESS[: _PROGRESS.index(delivery)]
    else:
        return 0
    with transaction.atomic():
        ids = list(
            Message.objects.filter(
                contact__unit=unit,
                direction=Direction.OUT,
                external_id=external_id,
                delivery__in=before,
            ).values_list("pk", flat=True)
        )
        if not ids:
            return 0
        Message.objects.filter(pk__in=ids, delivery__in=before).update(delivery=delivery)
        if delivery == Delivery.FAILED:
            OutboxItem.objects.filter(message_id__in=ids, status=OutboxStatus.SENT).update(
                status=OutboxStatus.FAILED,
                last_error=(error or "provider reported a failed delivery")[:2000],
            )
    return len(ids)


def message_read_mark(*, unit: Unit, channel: str, thread: str, until: datetime) -> int:
    """A read watermark (Messenger): everything we sent to the person of ``thread`` on
    ``channel`` up to ``until`` has been read. Returns the number of messages changed."""
    return Message.objects.filter(
        contact__unit=unit,
        contact__channel=channel,
        contact__external_thread=thread,
        direction=Direction.OUT,
        delivery__in=[Delivery.SENT, Delivery.DELIVERED],
        outbox__sent_at__lte=until,
    ).update(delivery=Delivery.READ)


def _enqueue(item_id: int) -> None:
    from spkt.intake.tasks import outbox_deliver_task

    outbox_deliver_task(item_id)
