"""Reads for the duty log, scoped by the caller's unit."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from spkt.core import clock
from spkt.dutylog.models import Mutasi, Shift
from spkt.org.models import Unit


def shift_covering(*, unit: Unit, at: datetime | None = None) -> Shift | None:
    """The shift of ``unit`` covering ``at`` (default now), without creating one."""
    at = at or clock.now()
    return (
        Shift.objects.filter(unit=unit, starts_at__lte=at, ends_at__gt=at)
        .select_related("regu", "ka_spkt")
        .first()
    )


def shift_entries(*, shift: Shift) -> QuerySet[Mutasi]:
    return (
        Mutasi.objects.filter(shift=shift).select_related("author", "corrects").order_by("at", "pk")
    )
