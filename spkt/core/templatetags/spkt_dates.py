"""Dates and times on pages as Indonesian readers write them (spkt.core.timeutil)."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

from spkt.core.timeutil import hari, local, tanggal, waktu

register = template.Library()


def _moment(value: object) -> datetime | date | None:
    if isinstance(value, str):  # an ISO 8601 moment kept in JSON
        try:
            return datetime.fromisoformat(value) if value else None
        except ValueError:
            return None
    return value if isinstance(value, date) else None


@register.filter
def waktu_id(value: object) -> str:
    """``{{ moment|waktu_id }}`` → "Selasa, 1 Desember 2026 pukul 02.30 WITA"; "" if no date."""
    moment = _moment(value)
    if isinstance(moment, datetime):
        return waktu(moment)
    if isinstance(moment, date):
        return f"{hari(moment)}, {tanggal(moment)}"
    return ""


@register.filter
def tanggal_id(value: object) -> str:
    """``{{ day|tanggal_id }}`` → "12 Maret 1979"; "" if no date."""
    moment = _moment(value)
    if isinstance(moment, datetime):
        moment = (local(moment) if timezone.is_aware(moment) else moment).date()
    return tanggal(moment) if isinstance(moment, date) else ""
