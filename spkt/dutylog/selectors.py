"""Reads for the duty log, scoped by the caller's unit."""

from __future__ import annotations

from django.db.models import QuerySet

from spkt.dutylog.models import Mutasi, Shift


def shift_entries(*, shift: Shift) -> QuerySet[Mutasi]:
    return (
        Mutasi.objects.filter(shift=shift).select_related("author", "corrects").order_by("at", "pk")
    )
