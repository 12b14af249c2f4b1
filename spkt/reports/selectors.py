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
    # Activity 1: contacts received by channel, and how many met the first-response standard.
    contacts: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def contacts_total(self) -> int:
        return sum(total for _, total, _ in self.contacts)

    @property
    def contacts_on_time(self) -> int:
        return sum(on_time for _, _, on_time in self.contacts)

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
        contacts=_contacts_by_channel(unit, start, end),
    )


def _contacts_by_channel(unit: Unit, start: datetime, end: datetime) -> list[tuple[str, int, int]]:
    from django.db.models import Count, F, Q

    from spkt.intake.models import Channel, Contact

    rows = (
        Contact.objects.filter(unit=unit, received_at__gte=start, received_at__lt=end)
        .values("channel")
        .annotate(
            total=Count("pk"),
            on_time=Count("pk", filter=Q(first_response_at__lte=F("first_response_due_at"))),
        )
        .order_by("channel")
    )
    return [(str(Channel(r["channel"]).label), r["total"], r["on_time"]) for r in rows]
