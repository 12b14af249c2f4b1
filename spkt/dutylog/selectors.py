"""Reads for the duty log, scoped by the caller's unit: the book of a shift or a day, its head
hash, and the 1 x 24 h standard measured from the records."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from spkt.core import clock
from spkt.core.models import LedgerEntry
from spkt.core.timeutil import duty_day_bounds, local
from spkt.dutylog.models import Handover, Mutasi, Shift, ShiftStatus
from spkt.org.models import Personnel, Unit, User
from spkt.org.permissions import visible_units


def shift_on_duty(*, unit: Unit, at: datetime | None = None) -> Shift | None:
    """The current shift of a unit: the one rule every page, API, document and book entry uses.

    1. The open shift, whatever the hour. The book stays with the squad on duty until it hands
       over, and ``handover_confirm`` seals the outgoing shift and opens the incoming one in one
       transaction, so from the moment both heads confirm, the incoming shift is current, even
       when the handover came before the planned end.
    2. When no shift is open (before the unit's first apel; normally never afterwards), the
       roster's shift covering ``at``, so long as it is not closed; a closed one is skipped for the
       next shift of the roster not closed. A sealed shift is never current.

    Reads only: ``services.shift_current`` applies the same rule and plans the shift from the
    squad rotation when the roster holds none."""
    at = at or clock.now()
    qs = Shift.objects.filter(unit=unit).select_related("regu", "ka_spkt", "pawas")
    # Both candidates in one query (at most one shift is open; a day's roster does not overlap).
    candidates = list(
        qs.filter(Q(status=ShiftStatus.OPEN) | Q(starts_at__lte=at, ends_at__gt=at)).order_by(
            "-starts_at"
        )
    )
    found = next((s for s in candidates if s.status == ShiftStatus.OPEN), None)
    if found is not None:
        return found
    covering = next((s for s in candidates if s.starts_at <= at < s.ends_at), None)
    if covering is None or covering.status != ShiftStatus.CLOSED:
        return covering
    return (
        qs.filter(starts_at__gte=covering.ends_at)
        .exclude(status=ShiftStatus.CLOSED)
        .order_by("starts_at")
        .first()
    )


def shift_get(*, user: User, pk: int) -> Shift:
    """A shift of a unit the user may see; 404 otherwise (another station's id reveals nothing)."""
    return get_object_or_404(
        Shift.objects.filter(pk=pk, unit__in=visible_units(user)).select_related(
            "unit", "regu", "ka_spkt", "pawas"
        )
    )


def mutasi_get(*, user: User, pk: int) -> Mutasi:
    """A book entry of a unit the user may see; 404 otherwise."""
    return get_object_or_404(
        Mutasi.objects.filter(pk=pk, unit__in=visible_units(user)).select_related("unit", "author")
    )


def shifts_of_month(*, unit: Unit, year: int, month: int) -> list[Shift]:
    """The roster of a month, in order, with each shift's squad, heads and members."""
    return list(
        Shift.objects.filter(unit=unit, starts_at__year=year, starts_at__month=month)
        .select_related("regu", "ka_spkt", "pawas")
        .prefetch_related("members")
        .order_by("starts_at")
    )


def handover_of(*, shift: Shift) -> Handover | None:
    """The handover that ends ``shift`` (started or done), if any."""
    return Handover.objects.filter(outgoing=shift).select_related("incoming").first()


def lineup_people(*, shift: Shift) -> list[Personnel]:
    """The people planned for ``shift``, by name (the roll call's rows)."""
    return list(Personnel.objects.filter(pk__in=shift.lineup()).order_by("name"))


def with_labels(entries: list[Mutasi], unit: Unit) -> list[Mutasi]:
    """Attach the category's display label (categories are configurable data, not choices)."""
    from spkt.dutylog.services import categories_for

    labels = {c.code: c.label for c in categories_for(unit).values()}
    for e in entries:
        e.category_label = labels.get(e.category, e.category)
    return entries


def shift_entries(*, shift: Shift) -> QuerySet[Mutasi]:
    return (
        Mutasi.objects.filter(shift=shift)
        .select_related("author__personnel", "corrects")
        .prefetch_related(Prefetch("corrections", queryset=Mutasi.objects.only("id", "corrects")))
        .order_by("at", "pk")
    )


def day_entries(*, unit: Unit, day: date) -> QuerySet[Mutasi]:
    start, end = duty_day_bounds(day, unit.shift_start_hour)
    return (
        Mutasi.objects.filter(unit=unit, at__gte=start, at__lt=end)
        .select_related("author__personnel", "corrects", "shift")
        .prefetch_related(Prefetch("corrections", queryset=Mutasi.objects.only("id", "corrects")))
        .order_by("at", "pk")
    )


@dataclass(frozen=True)
class DayHead:
    unit_id: int
    day: date
    until: datetime
    seq: int
    hash: str

    def export_line(self) -> str:
        return f"{self.unit_id}:{self.seq}:{self.hash}"


def day_head(*, unit: Unit, day: date) -> DayHead | None:
    """The tip of the unit's chain at the end of a duty day: printed on the day's book and kept
    outside the system, it proves that nothing recorded up to then was changed later."""
    _, end = duty_day_bounds(day, unit.shift_start_hour)
    if end > clock.now():
        return None  # the day is not over: its head is not final
    return chain_head_at(unit=unit, moment=end - timedelta(microseconds=1), day=day)


def chain_head_at(*, unit: Unit, moment: datetime, day: date) -> DayHead | None:
    """The last link of the unit's chain recorded at or before ``moment``."""
    row = (
        LedgerEntry.objects.filter(unit=unit, recorded_at__lte=moment)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    return None if row is None else DayHead(unit.pk, day, moment, row[0], row[1])


def seal_head(*, shift: Shift) -> DayHead | None:
    """The chain's tip when the shift's book was sealed at its handover."""
    entry = (
        LedgerEntry.objects.filter(handover_seal__outgoing=shift)
        .values_list("seq", "hash", "recorded_at")
        .first()
    )
    if entry is None:
        return None
    return DayHead(shift.unit_id, local(shift.starts_at).date(), entry[2], entry[0], entry[1])


@dataclass
class Compliance:
    """The SOP's 1 x 24 h standard for one shift, measured from what was recorded."""

    opened_on_time: bool | None = None
    handed_over_on_time: bool | None = None
    handover_overdue: bool = False
    # Handed over before the planned end: allowed (the incoming shift takes the book at once),
    # shown to the assessor, and not by itself a failure of the standard.
    handed_over_early_minutes: int | None = None
    silences: list[tuple[datetime, datetime]] = field(default_factory=list)

    @property
    def handed_over_early_text(self) -> str:
        """How early, as the desk reads it: "45 menit", "12 jam 58 menit"."""
        hours, minutes = divmod(self.handed_over_early_minutes or 0, 60)
        if not hours:
            return _("%(m)d menit") % {"m": minutes}
        if not minutes:
            return _("%(h)d jam") % {"h": hours}
        return _("%(h)d jam %(m)d menit") % {"h": hours, "m": minutes}

    @property
    def ok(self) -> bool:
        return (
            self.opened_on_time is not False
            and self.handed_over_on_time is not False
            and not self.handover_overdue
            and not self.silences
        )


def _night_windows(unit: Unit, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    windows: list[tuple[datetime, datetime]] = []
    day = local(start).date() - timedelta(days=1)
    while True:
        w_start = local(start).replace(
            year=day.year,
            month=day.month,
            day=day.day,
            hour=unit.night_start_hour,
            minute=0,
            second=0,
            microsecond=0,
        )
        w_end = w_start.replace(hour=unit.night_end_hour)
        if w_end <= w_start:
            w_end += timedelta(days=1)
        if w_start >= end:
            return windows
        lo, hi = max(w_start, start), min(w_end, end)
        if lo < hi:
            windows.append((lo, hi))
        day += timedelta(days=1)


def shift_compliance(
    *, shift: Shift, entry_times: list[datetime] | None = None, now: datetime | None = None
) -> Compliance:
    now = now or clock.now()
    unit = shift.unit
    grace = timedelta(minutes=unit.handover_grace_minutes)
    result = Compliance()
    if shift.opened_at is not None:
        result.opened_on_time = shift.opened_at <= shift.starts_at + grace
    if shift.closed_at is not None:
        result.handed_over_on_time = shift.closed_at <= (shift.handover_due_at or shift.ends_at)
        if shift.closed_at < shift.ends_at:
            early = shift.ends_at - shift.closed_at
            result.handed_over_early_minutes = max(1, math.ceil(early.total_seconds() / 60))
    elif shift.status == ShiftStatus.OPEN and shift.handover_due_at and now > shift.handover_due_at:
        result.handover_overdue = True
    if shift.opened_at is None:
        return result
    if entry_times is None:
        entry_times = list(shift.entries.order_by("at").values_list("at", flat=True))
    end = min(shift.closed_at or now, now)
    limit = timedelta(minutes=unit.night_silence_minutes)
    for lo, hi in _night_windows(unit, shift.opened_at, end):
        marks = [lo, *[t for t in entry_times if lo < t < hi], hi]
        for a, b in pairwise(marks):
            if b - a > limit:
                result.silences.append((a, b))
    return result


def shifts_for_assessment(*, unit: Unit, start: date, end: date) -> list[tuple[Shift, Compliance]]:
    shifts = list(
        Shift.objects.filter(unit=unit, starts_at__date__gte=start, starts_at__date__lte=end)
        .exclude(status=ShiftStatus.PLANNED, starts_at__gt=clock.now())
        .select_related("regu", "ka_spkt", "unit")
        .prefetch_related(Prefetch("entries", queryset=Mutasi.objects.only("id", "at", "shift")))
        .order_by("starts_at")
    )
    return [
        (s, shift_compliance(shift=s, entry_times=sorted(e.at for e in s.entries.all())))
        for s in shifts
    ]
