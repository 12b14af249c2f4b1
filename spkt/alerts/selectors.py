"""Reads of the phone alerts."""

from __future__ import annotations

from django.db.models import QuerySet

from spkt.alerts.models import PushSubscription
from spkt.org.models import User


def devices_of(*, user: User) -> QuerySet[PushSubscription]:
    """The user's own devices, newest first; nobody sees another user's."""
    return PushSubscription.objects.filter(user=user).order_by("-created_at", "-pk")
