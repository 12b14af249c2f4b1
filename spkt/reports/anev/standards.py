"""The SOP's five time standards, measured from the records (selectors only; nothing is counted by
hand). Each standard yields one ``Item`` per case: met or missed, the shift and the officer it is
put to, and a link to its record.

Who a case is put to (the officer responsible):
1. first response within 5 minutes: whoever answered (``first_response_by``); an unanswered late
   contact is put to "belum ditanggapi".
2. Buku Mutasi 1 x 24 h: the shift's Ka SPKT (squad head).
3. field help, hourly situation reports: the dispatcher (who dispatched the task first).
4. LP/STTLP/SKTLK within the hour: the officer who issued the document.
5. daily report within 10 minutes of shift close: who submitted it where the record says so, else
   the Ka SPKT of the day's shift.

Cases still running are not judged early: a contact whose due time has not passed, a shift not yet
handed over and a task not yet cleared count only once they have missed.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from spkt.core import clock
from spkt.core.numbering import number_short
from spkt.core.timeutil import duty_day_bounds, duty_day_of, local
from spkt.documents.models import DocType, Document
from spkt.dutylog.models import Shift
from spkt.dutylog.selectors import shifts_for_assessment
from spkt.fieldhelp.models import SituationReport, StatusEvent, Task, TaskStatus
from spkt.intake.models import Contact
from spkt.org.models import Unit
from spkt.org.people import person_label

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from spkt.dutylog.selectors import Compliance

DOCUMENT_LIMIT = timedelta(hours=1)
DAILY_REPORT_LIMIT_SECONDS = 600
TITLES = {
    1: gettext_lazy("Tanggapan pertama ≤ 5 menit"),
    2: gettext_lazy("Buku Mutasi 1 × 24 jam"),
    3: gettext_lazy("Bantuan lapangan: laporan situasi tiap jam"),
    4: gettext_lazy("LP, STTLP dan SKTLK terbit ≤ 1 jam"),
    5: gettext_lazy("Laporan harian ≤ 10 menit setelah tutup dinas"),
}
NUMBERS = tuple(TITLES)


@dataclass
class Item:
    standard: int
    met: bool
    at: datetime
    day: date
    label: str
    url: str
    officer: str
    shift_id: int | None = None
    shift_label: str = ""
    detail: str = ""


@dataclass
class Row:
    label: str
    url: str
    total: int = 0
    met: int = 0

    @property
    def share(self) -> float | None:
        return share(self.met, self.total)


@dataclass
class StandardResult:
    number: int
    items: list[Item] = field(default_factory=list)
    available: bool = True
    unmeasured: int = 0  # cases without a recorded start (standard 4)
    note: str = ""
    response_median_min: float | None = None  # standard 3: request -> on scene

    @property
    def title(self) -> str:
        return str(TITLES[self.number])

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def met(self) -> int:
        return sum(1 for i in self.items if i.met)

    @property
    def share(self) -> float | None:
        return share(self.met, self.total)

    @property
    def misses(self) -> list[Item]:
        return [i for i in self.items if not i.met]

    def _group(self, key: Callable[[Item], tuple[object, str, str]]) -> list[Row]:
        rows: dict[object, Row] = {}
        for item in self.items:
            k, label, url = key(item)
            row = rows.setdefault(k, Row(label, url))
            row.total += 1
            row.met += item.met
        return list(rows.values())

    @property
    def by_shift(self) -> list[Row]:
        return self._group(
            lambda i: (
                i.shift_id,
                i.shift_label or _("(di luar dinas)"),
                reverse("dutylog:shift", args=[i.shift_id]) if i.shift_id else "",
            )
        )

    @property
    def by_officer(self) -> list[Row]:
        return sorted(self._group(lambda i: (i.officer, i.officer, "")), key=lambda r: r.label)


def share(met: int, total: int) -> float | None:
    """Percent met, or None when there was nothing to measure (never a division by zero)."""
    return round(100 * met / total, 1) if total else None


def _minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


class _Shifts:
    """The unit's shifts around a span, to put a moment to the shift covering it."""

    def __init__(self, unit: Unit, start: datetime, end: datetime) -> None:
        self.rows = list(
            Shift.objects.filter(
                unit=unit, starts_at__lt=end, ends_at__gt=start - timedelta(days=1)
            )
            .select_related("regu", "ka_spkt")
            .order_by("starts_at")
        )
        self.starts = [s.starts_at for s in self.rows]
        self.by_pk = {s.pk: s for s in self.rows}

    def at(self, moment: datetime) -> Shift | None:
        i = bisect.bisect_right(self.starts, moment) - 1
        if i >= 0 and self.rows[i].ends_at > moment:
            return self.rows[i]
        return None

    @staticmethod
    def label(shift: Shift | None) -> str:
        if shift is None:
            return ""
        return f"{local(shift.starts_at):%d-%m-%Y} {shift.regu or ''}".strip()

    def put(self, item: Item, shift: Shift | None) -> Item:
        item.shift_id = shift.pk if shift else None
        item.shift_label = self.label(shift)
        return item


@dataclass
class Span:
    unit: Unit
    first: date
    last: date
    now: datetime

    @property
    def start(self) -> datetime:
        return duty_day_bounds(self.first, self.unit.shift_start_hour)[0]

    @property
    def end(self) -> datetime:
        return duty_day_bounds(self.last, self.unit.shift_start_hour)[1]

    def day(self, moment: datetime) -> date:
        return duty_day_of(moment, self.unit.shift_start_hour)


# --- 1. First response within 5 minutes -------------------------------------------------------
def standard_contacts(span: Span, shifts: _Shifts) -> StandardResult:
    result = StandardResult(1)
    contacts = (
        Contact.objects.filter(
            unit=span.unit, received_at__gte=span.start, received_at__lt=span.end
        )
        .select_related("first_response_by__personnel")
        .only(
            "pk",
            "channel",
            "tracking_code",
            "received_at",
            "first_response_at",
            "first_response_due_at",
            "first_response_by__username",
            "first_response_by__first_name",
            "first_response_by__last_name",
            "first_response_by__personnel",
        )
        .order_by("received_at", "pk")
    )
    for c in contacts:
        if c.first_response_at is None:
            if c.first_response_due_at >= span.now:
                continue  # still inside its 5 minutes: pending, not late
            met, officer = False, _("(belum ditanggapi)")
            detail = _("belum ditanggapi")
        else:
            met = c.first_response_at <= c.first_response_due_at
            officer = person_label(c.first_response_by)
            detail = _("ditanggapi setelah %(m)d menit") % {
                "m": _minutes(c.first_response_at - c.received_at)
            }
        item = Item(
            1,
            met,
            c.received_at,
            span.day(c.received_at),
            f"{c.get_channel_display()} {c.tracking_code}",
            reverse("intake:detail", args=[c.pk]),
            officer,
            detail=detail,
        )
        result.items.append(shifts.put(item, shifts.at(c.received_at)))
    return result


# --- 2. The Buku Mutasi 1 x 24 h ---------------------------------------------------------------
def _shift_findings(c: Compliance) -> str:
    parts = []
    if c.opened_on_time is False:
        parts.append(_("apel/pembukaan terlambat"))
    if c.handed_over_on_time is False:
        parts.append(_("serah terima terlambat"))
    if c.handover_overdue:
        parts.append(_("serah terima lewat batas"))
    if c.silences:
        parts.append(_("%(n)d jeda malam tanpa entri") % {"n": len(c.silences)})
    return "; ".join(parts)


def standard_book(span: Span, shifts: _Shifts) -> StandardResult:
    result = StandardResult(2)
    for shift, c in shifts_for_assessment(unit=span.unit, start=span.first, end=span.last):
        if shift.closed_at is None and c.ok:
            continue  # not handed over yet and nothing missed so far
        item = Item(
            2,
            c.ok,
            shift.starts_at,
            span.day(shift.starts_at),
            _Shifts.label(shift),
            reverse("dutylog:shift", args=[shift.pk]),
            str(shift.ka_spkt) if shift.ka_spkt else _("(tidak tercatat)"),
            detail=_shift_findings(c),
        )
        result.items.append(shifts.put(item, shift))
    return result


# --- 3. Field help: a situation report every interval ------------------------------------------
def report_gaps(task: Task, report_times: list[datetime], now: datetime) -> list[timedelta]:
    """The gaps longer than the type's interval, from dispatch through each report to the
    clearing (or now, while the task runs)."""
    if task.dispatched_at is None:  # never dispatched: no interval to keep
        return []
    limit = timedelta(minutes=task.type.report_interval_minutes)
    end = task.cleared_at or now
    marks = [task.dispatched_at, *sorted(t for t in report_times if t < end), end]
    return [b - a for a, b in itertools.pairwise(marks) if b - a > limit]


def standard_field(span: Span, shifts: _Shifts) -> StandardResult:
    result = StandardResult(3)
    tasks = (
        Task.objects.filter(
            unit=span.unit,
            requested_at__gte=span.start,
            requested_at__lt=span.end,
            dispatched_at__isnull=False,
        )
        .select_related("type")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=StatusEvent.objects.filter(status=TaskStatus.DISPATCHED)
                .select_related("by__personnel")
                .order_by("at", "pk"),
                to_attr="dispatch_events",
            ),
            Prefetch(
                "reports",
                queryset=SituationReport.objects.only("pk", "task", "at"),
                to_attr="report_rows",
            ),
        )
        .order_by("requested_at", "pk")
    )
    responses = []
    for task in tasks:
        if task.response_seconds is not None:
            responses.append(task.response_seconds / 60)
        gaps = report_gaps(task, [r.at for r in task.report_rows], span.now)
        if task.cleared_at is None and not gaps:
            continue  # running and on time so far
        dispatcher = task.dispatch_events[0].by if task.dispatch_events else None
        detail = (
            _("laporan situasi terlambat: jeda terpanjang %(m)d menit") % {"m": _minutes(max(gaps))}
            if gaps
            else ""
        )
        item = Item(
            3,
            not gaps,
            task.requested_at,
            span.day(task.requested_at),
            f"{task.type} — {task.address}",
            reverse("fieldhelp:detail", args=[task.pk]),
            person_label(dispatcher),
            detail=detail,
        )
        result.items.append(shifts.put(item, shifts.at(task.requested_at)))
    result.response_median_min = round(median(responses), 1) if responses else None
    return result


# --- 4. Documents within the hour from the start of the report ---------------------------------
def _draft_created(doc: Document | None) -> datetime | None:
    if doc is None:
        return None
    try:
        return doc.draft.created_at
    except Document.draft.RelatedObjectDoesNotExist:
        return None


def document_starts(docs: list[Document]) -> dict[int, datetime]:
    """The earliest recorded start of each document's report: the public contact that ended in
    it (or in the STTLP's LP) when there is one, else the LP draft's creation. An SKTLK issued
    without a recorded contact has no recorded start and is left out (counted as unmeasured)."""
    ids = {d.pk for d in docs} | {d.parent_id for d in docs if d.parent_id}
    arrived: dict[int, datetime] = {}
    for doc_id, received in Contact.objects.filter(outcome_document_id__in=ids).values_list(
        "outcome_document_id", "received_at"
    ):
        if doc_id not in arrived or received < arrived[doc_id]:
            arrived[doc_id] = received
    starts = {}
    for doc in docs:
        # An LP model A is the police's own report, written after the work at the scene that a
        # citizen's call set off: it starts with its draft, not with that call.
        own = doc.doc_type == DocType.LP_A
        candidates = (
            []
            if own
            else [arrived.get(doc.pk), arrived.get(doc.parent_id) if doc.parent_id else None]
        )
        candidates.append(_draft_created(doc.parent if doc.parent_id else doc))
        found = [c for c in candidates if c is not None]
        if found:
            starts[doc.pk] = min(found)
    return starts


def standard_documents(span: Span, shifts: _Shifts) -> StandardResult:
    result = StandardResult(4)
    docs = list(
        Document.objects.filter(
            unit=span.unit,
            issued_at__gte=span.start,
            issued_at__lt=span.end,
            replaces__isnull=True,  # an extension or re-issue is not a new report
        )
        .select_related("issued_by__personnel", "draft", "parent__draft")
        .defer("snapshot", "parent__snapshot")
        .order_by("issued_at", "pk")
    )
    starts = document_starts(docs)
    for doc in docs:
        start = starts.get(doc.pk)
        if start is None:
            result.unmeasured += 1
            continue
        took = doc.issued_at - start
        item = Item(
            4,
            took <= DOCUMENT_LIMIT,
            doc.issued_at,
            span.day(doc.issued_at),
            f"{DocType(doc.doc_type).label} {number_short(doc.number)}",
            reverse("documents:detail", args=[doc.pk]),
            person_label(doc.issued_by),
            detail=_("terbit %(m)d menit setelah laporan dimulai") % {"m": _minutes(took)},
        )
        result.items.append(shifts.put(item, shifts.by_pk.get(doc.shift_id)))
    return result


# --- 5. The daily report within 10 minutes of shift close --------------------------------------
def standard_daily(span: Span, shifts: _Shifts) -> StandardResult:
    result = StandardResult(5)
    try:
        from spkt.reports.models import DailyReport
    except ImportError:
        result.available = False
        result.note = _("Belum ada data laporan harian.")
        return result
    if not span.unit.regu.exists():
        result.available = False
        result.note = _("Satuan ini tidak memiliki regu jaga SPKT.")
        return result
    days = [
        span.first + timedelta(days=n)
        for n in range((span.last - span.first).days + 1)
        if duty_day_bounds(span.first + timedelta(days=n), span.unit.shift_start_hour)[1]
        <= span.now
    ]
    reports = {
        r.day: r
        for r in DailyReport.objects.filter(
            unit=span.unit, day__in=days, submitted_at__isnull=False
        )
    }
    for day in days:
        start, end = duty_day_bounds(day, span.unit.shift_start_hour)
        shift = shifts.at(start)
        report = reports.get(day)
        seconds = getattr(report, "submit_seconds", None)
        met = seconds is not None and seconds <= DAILY_REPORT_LIMIT_SECONDS
        who = getattr(report, "submitted_by", None)
        if who is not None:
            officer = person_label(who)
        elif shift is not None and shift.ka_spkt:
            officer = str(shift.ka_spkt)
        else:
            officer = _("(tidak tercatat)")
        if report is None:
            detail = _("tidak ada laporan harian")
        elif seconds is None:
            detail = _("waktu kirim tidak tercatat")
        else:
            detail = _("dikirim %(m)d menit setelah tutup dinas") % {"m": seconds // 60}
        if report is not None:
            url = reverse("reports:detail", args=[report.pk])
        else:
            query = urlencode({"tanggal": day.isoformat(), "unit": span.unit.pk})
            url = f"{reverse('reports:daily')}?{query}"
        item = Item(
            5,
            met,
            end,
            day,
            _("Laporan harian %(d)s") % {"d": day.strftime("%d-%m-%Y")},
            url,
            officer,
            detail=detail,
        )
        result.items.append(shifts.put(item, shift))
    return result


MEASURES = {
    1: standard_contacts,
    2: standard_book,
    3: standard_field,
    4: standard_documents,
    5: standard_daily,
}


def standards_between(
    *,
    unit: Unit,
    first: date,
    last: date,
    now: datetime | None = None,
    only: Iterable[int] = NUMBERS,
) -> list[StandardResult]:
    """The five standards for the duty days ``first``..``last`` of one unit."""
    span = Span(unit, first, last, now or clock.now())
    shifts = _Shifts(unit, span.start, span.end)
    return [MEASURES[n](span, shifts) for n in only]


def standards_month(
    *, unit: Unit, month: date, now: datetime | None = None
) -> list[StandardResult]:
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return standards_between(unit=unit, first=first, last=last, now=now)


def daily_counts(results: list[StandardResult]) -> dict[tuple[int, date], tuple[int, int]]:
    """(standard, duty day) -> (met, total): what the daily aggregate stores."""
    out: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
    for result in results:
        for item in result.items:
            cell = out[(result.number, item.day)]
            cell[0] += item.met
            cell[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}
