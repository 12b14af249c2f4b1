"""The period a results page or API call is about: ``bulan=YYYY-MM`` or ``dari``/``sampai`` dates
(both inclusive, WITA); the current month by default. Bad input is a 400 that says why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from spkt.core import clock
from spkt.core.dates import DateInputError, day_param, month_param
from spkt.core.timeutil import local_datetime, tanggal

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive
    month: str  # "YYYY-MM" when the period is one calendar month, else ""

    @property
    def start(self) -> datetime:
        return local_datetime(self.first)

    @property
    def end(self) -> datetime:
        return local_datetime(self.last + timedelta(days=1))

    @property
    def label(self) -> str:
        if self.first == self.last:
            return tanggal(self.first)
        return f"{tanggal(self.first)} – {tanggal(self.last)}"


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_period(first: date) -> Period:
    return Period(first, _next_month(first) - timedelta(days=1), first.strftime("%Y-%m"))


def period_from(params: Mapping[str, str]) -> Period:  # request.GET or DRF's query_params
    raw_month = params.get("bulan") or ""
    raw_from, raw_to = params.get("dari") or "", params.get("sampai") or ""
    if raw_from or raw_to:
        if not (raw_from and raw_to):
            raise DateInputError(_("Tanggal: isi tanggal awal (dari) dan akhir (sampai)."))
        first, last = day_param(raw_from), day_param(raw_to)
        if last < first:
            raise DateInputError(_("Tanggal akhir tidak boleh sebelum tanggal awal."))
        if (last - first).days > 366 * 5:
            raise DateInputError(_("Tanggal: rentang paling lama 5 tahun."))
        return Period(first, last, "")
    if raw_month:
        return month_period(month_param(raw_month))
    today = timezone.localtime(clock.now()).date()
    return month_period(today.replace(day=1))
