"""Dates and months typed by people into URLs, forms and API calls: one strict parser with a sane
range, shared by every page and endpoint that takes one.

A date outside 2000..2100 is a typing mistake or a probe. Far dates also overflow the arithmetic
behind a page (the end of a duty day, the next month, WITA to UTC) and, before 1901, print
Asia/Makassar's local mean time offset (+07:57:36), which is not RFC 3339.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.core.exceptions import BadRequest, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from spkt.core import clock

DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)
BIRTH_MIN = date(1900, 1, 1)  # people are older than the system: their own, wider range
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"\d{4}-\d{2}")


class DateInputError(BadRequest):
    """A 400 on a page; spkt.portal.errors.bad_request shows its message to the person."""


def _day(value: date) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def date_in_range(value: date) -> None:
    """A validator for dates (and date-times) already parsed by a form or serializer field."""
    if not DATE_MIN <= _day(value) <= DATE_MAX:
        raise ValidationError(
            _("Tanggal harus antara %(min)s dan %(max)s.")
            % {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
            code="date_range",
        )


def past_date_valid(value: date) -> None:
    """A validator for when something happened (a loss, an incident, a letter): not before
    DATE_MIN. The field's own check refuses the future, in its own words."""
    if _day(value) < DATE_MIN:
        raise ValidationError(
            _("Tanggal tidak boleh sebelum %(min)s.") % {"min": DATE_MIN.isoformat()},
            code="date_range",
        )


def birth_date_valid(value: date) -> None:
    """A validator for a birth date: from 1900 up to today (WITA)."""
    if not BIRTH_MIN <= _day(value) <= timezone.localtime(clock.now()).date():
        raise ValidationError(
            _("Tanggal lahir harus antara %(min)s dan hari ini.") % {"min": BIRTH_MIN.isoformat()},
            code="date_range",
        )


def parse_date(raw: str) -> date:
    """``YYYY-MM-DD`` within the range, else a ValidationError with an Indonesian message."""
    try:
        if not _DAY.fullmatch(raw):
            raise ValueError(raw)
        value = date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            _("Tanggal tidak valid; gunakan format TTTT-BB-HH, mis. 2026-11-27."), code="invalid"
        ) from None
    date_in_range(value)
    return value


def parse_month(raw: str) -> date:
    """``YYYY-MM`` within the range, as the first day of that month."""
    try:
        if not _MONTH.fullmatch(raw):
            raise ValueError(raw)
        value = date(int(raw[:4]), int(raw[5:]), 1)
    except ValueError:
        raise ValidationError(
            _("Bulan tidak valid; gunakan format TTTT-BB, mis. 2026-11."), code="invalid"
        ) from None
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(
            _("Bulan harus antara %(min)s dan %(max)s.")
            % {"min": DATE_MIN.strftime("%Y-%m"), "max": DATE_MAX.strftime("%Y-%m")},
            code="date_range",
        )
    return value


def day_param(raw: str) -> date:
    """A date from a page's URL or query string; a bad one is a 400 that says why."""
    try:
        return parse_date(raw)
    except ValidationError as exc:
        raise DateInputError(exc.messages[0]) from None


def month_param(raw: str) -> date:
    try:
        return parse_month(raw)
    except ValidationError as exc:
        raise DateInputError(exc.messages[0]) from None
