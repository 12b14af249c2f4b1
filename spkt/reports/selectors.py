"""Activity 5: the daily report, compiled from the records themselves."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from spkt.core.timeutil import duty_day_bounds
from spkt.documents.models import DocType, Document
from spkt.documents.selectors import documents_between
from spkt.dutylog.models import Mutasi
from spkt.org.models import Unit


@dataclass
class DailyReport:
    unit: Unit
    day: date
    start: datetime
    end: datetime
    documents: list[Document]
    counts: dict[str, int] = field(default_factory=dict)
    mutasi_total: int = 0
    red_entries: list[Mutasi] = field(default_factory=list)

    @property
    def counts_labelled(self) -> list[tuple[str, int]]:
        return [(DocType(k).label, self.counts.get(k, 0)) for k in DocType.values]


def daily_report(*, unit: Unit, day: date) -> DailyReport:
    """The duty day ``day`` (from the unit's shift start hour, 24 hours)."""
    start, end = duty_day_bounds(day, unit.shift_start_hour)
    documents = list(documents_between(unit=unit, start=start, end=end))
    mutasi = Mutasi.objects.filter(unit=unit, at__gte=start, at__lt=end)
    return DailyReport(
        unit=unit,
        day=day,
        start=start,
        end=end,
        documents=documents,
        counts=dict(Counter(doc.doc_type for doc in documents)),
        mutasi_total=mutasi.count(),
        red_entries=list(mutasi.filter(red=True).order_by("at", "pk")),
    )
