"""The Anev (analisa dan evaluasi) of a unit and every unit below it: this period against the
previous one and the same period a year earlier, from the daily figures (metrics.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from spkt.core import clock
from spkt.core.timeutil import local_datetime
from spkt.documents.models import DocType
from spkt.fieldhelp.models import TaskType
from spkt.intake.models import Channel
from spkt.org.models import Kelurahan, Unit
from spkt.reports.anev import offences, svg
from spkt.reports.anev.metrics import stats_for
from spkt.reports.anev.periods import Period, period_of, previous, year_before
from spkt.reports.anev.standards import NUMBERS, TITLES, share

if TYPE_CHECKING:
    from django.utils.safestring import SafeString

NO_CHANGE = "—"


def change(current: float, base: float) -> str:
    """Percent change from ``base``; from nothing there is no percentage ("—")."""
    if not base:
        return NO_CHANGE
    return f"{(current - base) / base * 100:+.1f}%".replace(".", ",")


def percent(value: float | None) -> str:
    return NO_CHANGE if value is None else f"{value:.1f}%".replace(".", ",")


@dataclass
class Line:
    label: str
    values: Sequence[float | None]  # this period, previous, a year before (None: no share)
    indent: bool = False
    is_percent: bool = False

    @property
    def shown(self) -> list[str]:
        if self.is_percent:
            return [percent(v) for v in self.values]
        return [str(int(v or 0)) for v in self.values]  # counts: never None

    @property
    def vs_previous(self) -> str:
        return NO_CHANGE if self.is_percent else change(self.values[0] or 0, self.values[1] or 0)

    @property
    def vs_year(self) -> str:
        return NO_CHANGE if self.is_percent else change(self.values[0] or 0, self.values[2] or 0)


@dataclass
class UnitLine:
    unit: Unit
    contacts: int
    lp: int
    crime3c: int
    cleared: int
    sop: str


@dataclass
class Anev:
    unit: Unit
    units: list[Unit]
    periods: list[Period]
    totals: list[Counter]
    services: list[Line] = field(default_factory=list)
    crime: list[Line] = field(default_factory=list)
    sop: list[Line] = field(default_factory=list)
    kelurahan: list[tuple[str, int]] = field(default_factory=list)
    heat: dict[tuple[int, int], int] = field(default_factory=dict)
    rollup: list[UnitLine] = field(default_factory=list)
    ikm: list[object] | None = None

    @property
    def has_data(self) -> bool:
        # The activity itself; a day without a daily report is a miss, not data.
        return any(v for (metric, _key), v in self.totals[0].items() if metric != "std")

    @property
    def series(self) -> list[str]:
        return [
            _("Periode ini"),
            _("Periode sebelumnya"),
            _("Tahun lalu"),
        ]

    def chart_services(self) -> SafeString:
        rows = [(line.label, [int(v or 0) for v in line.values]) for line in self.services]
        return svg.bar_chart(rows, self.series, _("Layanan"))

    def chart_crime(self) -> SafeString:
        rows = [(line.label, [int(v or 0) for v in line.values]) for line in self.crime[:4]]
        return svg.bar_chart(rows, self.series, _("Kejahatan 3C"))

    def chart_heat(self) -> SafeString:
        return svg.heat_map(self.heat, _("Jam sibuk kontak masyarakat"))


def _metric(total: Counter, metric: str) -> dict[str, int]:
    out: dict[str, int] = Counter()
    for (m, k), v in total.items():
        if m == metric:
            out[k] += v
    return out


def _lines(totals: list[Counter], metric: str, keys: list[tuple[str, str]]) -> list[Line]:
    per = [_metric(t, metric) for t in totals]
    return [
        Line(label, [p.get(key, 0) for p in per], indent=True)
        for key, label in keys
        if any(p.get(key, 0) for p in per)
    ]


def _services(totals: list[Counter]) -> list[Line]:
    per_contacts = [sum(_metric(t, "contacts").values()) for t in totals]
    lines = [Line(_("Kontak masyarakat (semua saluran)"), per_contacts)]
    lines += _lines(totals, "contacts", [(c.value, str(c.label)) for c in Channel])
    lines += [
        Line(str(DocType(t).label), [_metric(x, "docs").get(t, 0) for x in totals])
        for t in DocType.values
    ]
    lines.append(Line(_("Bantuan lapangan"), [sum(_metric(t, "field").values()) for t in totals]))
    codes = sorted({k for t in totals for k in _metric(t, "field")})
    labels = dict(TaskType.objects.filter(code__in=codes, unit=None).values_list("code", "label"))
    lines += _lines(totals, "field", [(c, labels.get(c, c)) for c in codes])
    return lines


def _crime(totals: list[Counter]) -> list[Line]:
    per = [_metric(t, "crime") for t in totals]
    lines = [Line(str(offences.LABELS[c]), [p.get(c, 0) for p in per]) for c in offences.CATEGORIES]
    crime_total = [sum(p.values()) for p in per]
    cleared = [_metric(t, "cleared").get("lp", 0) for t in totals]
    lines.append(Line(_("Jumlah tindak pidana (LP)"), crime_total))
    lines.append(Line(_("Penyelesaian tindak pidana"), cleared))
    lines.append(
        Line(
            _("Persentase penyelesaian"),
            [share(c, t) for c, t in zip(cleared, crime_total, strict=True)],
            is_percent=True,
        )
    )
    return lines


def _sop(totals: list[Counter]) -> list[Line]:
    lines = []
    for n in NUMBERS:
        std = [_metric(t, "std") for t in totals]
        values = [share(s.get(f"{n}-met", 0), s.get(f"{n}-total", 0)) for s in std]
        lines.append(Line(str(TITLES[n]), values, is_percent=True))
    return lines


def _ikm(unit_ids: list[int], periods: list[Period], unit: Unit) -> list[Any] | None:
    try:
        from spkt.reports.ikm.selectors import ikm_summary
    except ImportError:
        return None
    out = []
    for period in periods:
        start = local_datetime(period.first, unit.shift_start_hour)
        end = local_datetime(period.last + timedelta(days=1), unit.shift_start_hour)
        out.append(ikm_summary(unit_ids=unit_ids, start=start, end=end))
    return out


def _rollup(unit: Unit, units: list[Unit], per_unit: dict[int, Counter]) -> list[UnitLine]:
    """The figures of each unit directly below ``unit``, its own subtree summed in."""
    children = [u for u in units if u.parent_id == unit.pk]
    lines = []
    for child in children:
        total: Counter = Counter()
        for u in units:
            if u.path.startswith(child.path):
                total.update(per_unit[u.pk])
        std = _metric(total, "std")
        met = sum(std.get(f"{n}-met", 0) for n in NUMBERS)
        judged = sum(std.get(f"{n}-total", 0) for n in NUMBERS)
        crime = _metric(total, "crime")
        lines.append(
            UnitLine(
                child,
                sum(_metric(total, "contacts").values()),
                sum(crime.values()),
                sum(v for k, v in crime.items() if k != offences.OTHER),
                _metric(total, "cleared").get("lp", 0),
                percent(share(met, judged)),
            )
        )
    return lines


def anev_report(*, unit: Unit, kind: str, day: date, now: datetime | None = None) -> Anev:
    now = now or clock.now()
    units = list(Unit.objects.filter(path__startswith=unit.path).order_by("path"))
    current = period_of(kind, day)
    periods = [current, previous(current), year_before(current)]
    per_period = [stats_for(units, p.first, p.last, now) for p in periods]
    totals = []
    for per_unit in per_period:
        total: Counter = Counter()
        for counter in per_unit.values():
            total.update(counter)
        totals.append(total)
    report = Anev(unit=unit, units=units, periods=periods, totals=totals)
    report.services = _services(totals)
    report.crime = _crime(totals)
    report.sop = _sop(totals)
    kel = _metric(totals[0], "kel")
    names = dict(Kelurahan.objects.filter(pk__in=[int(k) for k in kel]).values_list("pk", "name"))
    report.kelurahan = sorted(
        ((names.get(int(k), k), v) for k, v in kel.items()), key=lambda x: (-x[1], x[0])
    )[:10]
    for key, value in _metric(totals[0], "hour").items():
        weekday, hour = (int(x) for x in key.split("-"))
        report.heat[(weekday, hour)] = value
    report.rollup = _rollup(unit, units, per_period[0])
    report.ikm = _ikm([u.pk for u in units], periods, unit)
    return report
