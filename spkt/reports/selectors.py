"""Activity 5: the daily report, compiled from the records themselves.

``daily_report`` is the draft of a duty day, read live; ``DailyDraft.snapshot()`` is the same
figures as plain JSON, frozen into ``models.DailyReport`` at submission. Pages and the PDF render
the snapshot, so a draft and a submitted report look alike and a submitted one never moves.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db.models import Count, F, Q, QuerySet
from django.utils import translation

from spkt.core import clock
from spkt.core.timeutil import duty_day_bounds, local
from spkt.documents.models import DocType, Document
from spkt.documents.selectors import documents_between
from spkt.dutylog.models import (
    Handover,
    HandoverStatus,
    ItemKind,
    Mutasi,
    MutasiCategory,
    Shift,
)
from spkt.org.models import Unit, User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from spkt.reports.models import DailyReport as StoredReport

SITUATION_DEFAULT = "Situasi aman dan kondusif"
# Red ink is also used for handover differences; those are listed with the handover, not here.
NOT_NOTABLE = (MutasiCategory.SERAH_TERIMA,)
CARRIED: dict[str, str] = {
    ItemKind.DETAINEE: "detainees",
    ItemKind.EVIDENCE: "evidence",
    ItemKind.OPEN_CASE: "open_cases",
}


class ChannelRow(NamedTuple):
    label: str
    total: int
    on_time: int
    late: int
    pending: int


@dataclass
class DailyDraft:
    unit: Unit
    day: date
    start: datetime
    end: datetime
    documents: list[Document]
    counts: dict[str, int] = field(default_factory=dict)
    mutasi_total: int = 0
    # Incidents and orders in red ink (not the handover's own red lines).
    red_entries: list[Mutasi] = field(default_factory=list)
    # Activity 1: contacts by channel against the 5-minute first-response standard.
    contacts: list[ChannelRow] = field(default_factory=list)
    # Activity 3: per task type, request -> on scene.
    field_help: list[dict[str, Any]] = field(default_factory=list)
    # From the handover that closed the duty day's shift (None while it is not handed over).
    handover: dict[str, Any] | None = None
    shift_closed_at: datetime | None = None
    ikm: dict[str, Any] | None = None

    @property
    def contacts_total(self) -> int:
        return sum(r.total for r in self.contacts)

    @property
    def contacts_on_time(self) -> int:
        return sum(r.on_time for r in self.contacts)

    @property
    def counts_labelled(self) -> list[tuple[StrOrPromise, int]]:
        return [(DocType(k).label, self.counts.get(k, 0)) for k in DocType.values]

    @property
    def closed_at(self) -> datetime:
        """When the duty day's shift closed: its handover seal, else the end of the duty day."""
        return self.shift_closed_at or self.end

    def snapshot(self) -> dict[str, Any]:
        """The figures as JSON, labels in Indonesian (the report is an official paper)."""
        with translation.override("id"):
            return {
                "day": self.day.isoformat(),
                "start": local(self.start).isoformat(),
                "end": local(self.end).isoformat(),
                "contacts": {
                    "rows": [r._asdict() for r in self.contacts],
                    "total": self.contacts_total,
                    "on_time": self.contacts_on_time,
                    "late": sum(r.late for r in self.contacts),
                    "pending": sum(r.pending for r in self.contacts),
                },
                "documents": [
                    {"type": str(label), "count": n} for label, n in self.counts_labelled
                ],
                "document_numbers": [d.number for d in self.documents],
                "mutasi_total": self.mutasi_total,
                "field_help": self.field_help,
                "notable": [
                    {
                        "at": local(e.at).strftime("%d-%m %H:%M"),
                        "category": e.category,
                        "text": e.text,
                    }
                    for e in self.red_entries
                ],
                "handover": self.handover,
                "ikm": self.ikm,
            }


# Kept for callers that know the old name (spkt.api).
DailyReport = DailyDraft


def daily_report(*, unit: Unit, day: date) -> DailyDraft:
    """The duty day ``day`` (from the unit's shift start hour, 24 hours). A bounded number of
    queries, whatever the size of the day: each part is one aggregate or one list."""
    start, end = duty_day_bounds(day, unit.shift_start_hour)
    documents = list(documents_between(unit=unit, start=start, end=end))
    mutasi = Mutasi.objects.filter(unit=unit, at__gte=start, at__lt=end)
    handover, closed_at = _closing_handover(unit, start)
    return DailyDraft(
        unit=unit,
        day=day,
        start=start,
        end=end,
        documents=documents,
        counts=dict(Counter(doc.doc_type for doc in documents)),
        mutasi_total=mutasi.count(),
        red_entries=list(mutasi.filter(red=True).exclude(category__in=NOT_NOTABLE)),
        contacts=_contacts_by_channel(unit, start, end, clock.now()),
        field_help=_field_help(unit, start, end),
        handover=handover,
        shift_closed_at=closed_at,
        ikm=_ikm(unit, start, end),
    )


def _contacts_by_channel(
    unit: Unit, start: datetime, end: datetime, now: datetime
) -> list[ChannelRow]:
    """Met: answered by the due time. Late: answered after it, or unanswered once it passed.
    Pending: unanswered and still within the 5 minutes (not late yet)."""
    from spkt.intake.models import Channel, Contact

    unanswered = Q(first_response_at__isnull=True)
    rows = (
        Contact.objects.filter(unit=unit, received_at__gte=start, received_at__lt=end)
        .values("channel")
        .annotate(
            total=Count("pk"),
            on_time=Count("pk", filter=Q(first_response_at__lte=F("first_response_due_at"))),
            late=Count(
                "pk",
                filter=Q(first_response_at__gt=F("first_response_due_at"))
                | (unanswered & Q(first_response_due_at__lte=now)),
            ),
            pending=Count("pk", filter=unanswered & Q(first_response_due_at__gt=now)),
        )
        .order_by("channel")
    )
    return [
        ChannelRow(
            str(Channel(r["channel"]).label), r["total"], r["on_time"], r["late"], r["pending"]
        )
        for r in rows
    ]


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _field_help(unit: Unit, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Field help requested in the day, per type: count, and request -> on scene (the stored
    ``response_seconds``) as median and maximum minutes over the tasks that got there."""
    from spkt.fieldhelp.models import Task

    rows = (
        Task.objects.filter(unit=unit, requested_at__gte=start, requested_at__lt=end)
        .order_by("type__order", "type__code", "pk")
        .values_list("type_id", "type__label", "response_seconds")
    )
    grouped: dict[int, tuple[str, list[int | None]]] = {}
    for type_id, label, seconds in rows:
        grouped.setdefault(type_id, (label, []))[1].append(seconds)
    result = []
    for label, values in grouped.values():
        times = [s for s in values if s is not None]
        result.append(
            {
                "type": label,
                "count": len(values),
                "responded": len(times),
                "median_minutes": _minutes(statistics.median(times)) if times else None,
                "max_minutes": _minutes(max(times)) if times else None,
            }
        )
    return result


def _closing_handover(unit: Unit, start: datetime) -> tuple[dict[str, Any] | None, datetime | None]:
    """What the handover that closed the duty day's shift carried forward, and its seal time."""
    handover = (
        Handover.objects.filter(
            outgoing__unit=unit, outgoing__starts_at=start, status=HandoverStatus.DONE
        )
        .select_related("outgoing")
        .first()
    )
    if handover is None:
        return None, None
    carried: dict[str, list[dict[str, Any]]] = {key: [] for key in CARRIED.values()}
    differences = []
    for item in handover.items.order_by("kind", "pk"):
        counted = item.counted if item.counted is not None else item.expected
        if item.kind in CARRIED and counted > 0:
            carried[CARRIED[item.kind]].append({"label": item.label, "count": counted})
        if item.discrepant:
            differences.append(
                {
                    "label": item.label,
                    "serial": item.serial,
                    "expected": item.expected,
                    "counted": item.counted,
                    "reason": item.discrepancy_reason,
                }
            )
    closed_at = handover.outgoing.closed_at or handover.confirmed_at
    return (
        {
            "at": local(closed_at).strftime("%d-%m-%Y %H:%M") if closed_at else None,
            **carried,
            "differences": differences,
        },
        closed_at,
    )


def _ikm(unit: Unit, start: datetime, end: datetime) -> dict[str, Any] | None:
    """The day's satisfaction index, when the IKM module is installed and has answers."""
    try:
        from spkt.reports.ikm.selectors import ikm_summary
    except ImportError:
        return None
    summary = ikm_summary(unit_ids=[unit.pk], start=start, end=end)
    responses = getattr(summary, "responses", 0) or 0
    value = getattr(summary, "ikm", None)
    if not responses or value is None:
        return None
    category = getattr(summary, "category", None)
    return {
        "responses": int(responses),
        "ikm": f"{float(value):.2f}",
        "category": str(category) if category else "",
    }


# --- Submitted reports ---------------------------------------------------------------------------
def report_get(*, user: User, pk: int) -> StoredReport:
    """A submitted report the user may see; any other id answers 404 (no hint of other stations)."""
    from django.shortcuts import get_object_or_404

    from spkt.org.permissions import visible_units
    from spkt.reports.models import DailyReport as Stored

    return get_object_or_404(
        Stored.objects.filter(pk=pk, unit__in=visible_units(user)).select_related(
            "unit", "submitted_by", "acknowledged_by"
        )
    )


def report_for_day(*, unit: Unit, day: date) -> StoredReport | None:
    from spkt.reports.models import DailyReport as Stored

    return (
        Stored.objects.filter(unit=unit, day=day)
        .select_related("submitted_by", "acknowledged_by")
        .first()
    )


def reports_awaiting(*, unit: Unit) -> QuerySet:
    from spkt.reports.models import DailyReport as Stored
    from spkt.reports.models import ReportStatus

    return Stored.objects.filter(unit=unit, status=ReportStatus.SUBMITTED).order_by("-day")


def shift_of_day(*, unit: Unit, day: date) -> Shift | None:
    start, _end = duty_day_bounds(day, unit.shift_start_hour)
    return Shift.objects.filter(unit=unit, starts_at=start).first()
