"""Periods of the Anev: a week (Monday to Sunday) or a calendar month of duty days, the period
before it, and the same period a year earlier."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from spkt.core.timeutil import BULAN

WEEK, MONTH = "minggu", "bulan"
KINDS = (WEEK, MONTH)


@dataclass(frozen=True)
class Period:
    kind: str
    first: date
    last: date  # inclusive

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return f"{BULAN[self.first.month - 1]} {self.first.year}"
        return _("%(a)s s.d. %(b)s") % {
            "a": self.first.strftime("%d-%m-%Y"),
            "b": self.last.strftime("%d-%m-%Y"),
        }

    def day_list(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]


def _month(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(MONTH, date(year, month, 1), date(year, month, last))


def period_of(kind: str, day: date) -> Period:
    if kind == MONTH:
        return _month(day.year, day.month)
    first = day - timedelta(days=day.weekday())
    return Period(WEEK, first, first + timedelta(days=6))


def previous(period: Period) -> Period:
    if period.kind == MONTH:
        return period_of(MONTH, period.first - timedelta(days=1))
    return Period(WEEK, period.first - timedelta(days=7), period.last - timedelta(days=7))


def year_before(period: Period) -> Period:
    """The same month a year earlier, or the ISO week of the same number a year earlier."""
    if period.kind == MONTH:
        return _month(period.first.year - 1, period.first.month)
    iso = period.first.isocalendar()
    try:
        first = date.fromisocalendar(iso.year - 1, iso.week, 1)
    except ValueError:  # week 53 in a year of 52 weeks
        first = date.fromisocalendar(iso.year - 1, 52, 1)
    return Period(WEEK, first, first + timedelta(days=6))
