"""What the two delivery outboxes (the desk's replies, spkt.intake.outbox; Web Push,
spkt.alerts.services) share: doubling backoff, and claiming a row with one conditional update so
two workers never send it twice, while a row a dead worker held is taken over after ``hold``."""

from __future__ import annotations

from datetime import timedelta

from django.db import models, transaction
from django.db.models import Q

from spkt.core import clock


def backoff(attempts: int, *, first: int, cap: int) -> timedelta:
    """``first`` seconds after the first failure, doubling, at most ``cap`` seconds."""
    return timedelta(seconds=min(first * 2 ** max(attempts - 1, 0), cap))


def claim(
    model: type[models.Model], pk: int, *, pending: str, sending: str, hold: timedelta
) -> bool:
    """Mark row ``pk`` as being sent if it is due, or if the worker sending it died (its claim
    ran out). True when this caller got it."""
    now = clock.now()
    claimable = Q(status=pending, next_attempt_at__lte=now) | Q(
        status=sending, claimed_until__lt=now
    )
    with transaction.atomic():
        taken = model._default_manager.filter(claimable, pk=pk).update(
            status=sending, claimed_until=now + hold
        )
    return bool(taken)
