"""Reads for field help, scoped by what the user may see: the desk board and one task."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Max, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.shortcuts import get_object_or_404

from spkt.core import clock
from spkt.dutylog.selectors import shift_on_duty
from spkt.fieldhelp.models import Assignment, ReportPhoto, StatusEvent, Task
from spkt.org.models import Equipment, EquipmentKind, Personnel, Unit, User
from spkt.org.permissions import visible_units

# Amber when this share of the report interval or less is left.
AMBER_SHARE = 6  # 1/6: ten minutes of an hour
# The board shows this many open tasks (the oldest first) and counts the rest: a page of thousands
# of rows helps no desk and would take seconds to render (bench/fieldhelp_pg.py).
BOARD_LIMIT = 50


def task_get(*, user: User, pk: int) -> Task:
    """A task the user may see; another station's id is a 404."""
    return get_object_or_404(
        Task.objects.filter(pk=pk, unit__in=visible_units(user)).select_related(
            "unit", "type", "kelurahan", "contact", "created_by"
        )
    )


def report_photo_get(*, user: User, pk: int) -> ReportPhoto:
    """A photo of a situation report on a task the user's units hold; otherwise a 404."""
    return get_object_or_404(
        ReportPhoto.objects.filter(
            pk=pk, report__task__unit__in=visible_units(user)
        ).select_related("report__task__unit")
    )


def _active_assignments() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(active=True).select_related("personnel", "equipment"),
        to_attr="active_assignments",
    )


def open_tasks(*, unit: Unit) -> QuerySet[Task]:
    return (
        Task.objects.filter(unit=unit, cleared_at=None)
        .select_related("type", "kelurahan")
        .prefetch_related(_active_assignments())
        .order_by("requested_at", "pk")
    )


def report_state(task: Task, now: datetime) -> str:
    """ "ok", "amber" (the hour nearly up) or "red" (overdue); "" before the clock runs."""
    if task.report_due_at is None or task.cleared_at is not None:
        return ""
    left = task.report_due_at - now
    if left <= timedelta(0):
        return "red"
    if left <= timedelta(minutes=task.type.report_interval_minutes) / AMBER_SHARE:
        return "amber"
    return "ok"


@dataclass
class BoardRow:
    task: Task
    age: timedelta
    to_arrival: timedelta | None  # request -> on scene, or so far while not arrived
    report_age: timedelta | None  # since the last report (or the dispatch)
    state: str


@dataclass
class Board:
    rows: list[BoardRow]
    personnel: list[Personnel]
    equipment: list[Equipment]
    now: datetime
    total: int = 0  # open tasks, including those beyond BOARD_LIMIT

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.rows))


def board(*, unit: Unit, now: datetime | None = None) -> Board:
    now = now or clock.now()
    rows = []
    tasks = list(open_tasks(unit=unit)[:BOARD_LIMIT])
    total = len(tasks) if len(tasks) < BOARD_LIMIT else open_tasks(unit=unit).count()
    for task in tasks:
        arrived = task.on_scene_at
        since = task.last_report_at or task.dispatched_at
        rows.append(
            BoardRow(
                task=task,
                age=now - task.requested_at,
                to_arrival=(arrived or now) - task.requested_at if task.dispatched_at else None,
                report_age=now - since if since else None,
                state=report_state(task, now),
            )
        )
    busy = Assignment.objects.filter(active=True, task__unit=unit)
    shift = shift_on_duty(unit=unit, at=now)
    lineup = shift.lineup() if shift is not None else set()
    personnel = list(
        Personnel.objects.filter(pk__in=lineup, active=True)
        .exclude(pk__in=busy.exclude(personnel=None).values("personnel"))
        .order_by("name")
    )
    equipment = list(
        Equipment.objects.filter(
            unit=unit, active=True, kind__in=[EquipmentKind.VEHICLE, EquipmentKind.RADIO]
        )
        .exclude(pk__in=busy.exclude(equipment=None).values("equipment"))
        .order_by("kind", "name")
    )
    return Board(rows=rows, personnel=personnel, equipment=equipment, now=now, total=total)


def dispatchable(*, unit: Unit) -> tuple[QuerySet[Personnel], QuerySet[Equipment]]:
    """Everyone and everything the desk may pick (the service decides what needs an override)."""
    return (
        Personnel.objects.filter(unit=unit, active=True).order_by("name"),
        Equipment.objects.filter(
            unit=unit, active=True, kind__in=[EquipmentKind.VEHICLE, EquipmentKind.RADIO]
        ).order_by("kind", "name"),
    )


def task_timeline(task: Task) -> QuerySet[StatusEvent]:
    return task.events.select_related("by__personnel").order_by("at", "pk")


def tasks_of_officer(*, user: User) -> QuerySet[Task]:
    """The open tasks the user's own personnel record is assigned to."""
    person = getattr(user, "personnel", None)
    if person is None:
        return Task.objects.none()
    return (
        Task.objects.filter(
            cleared_at=None, assignments__personnel=person, assignments__active=True
        )
        .select_related("type", "unit")
        .distinct()
        .order_by("requested_at")
    )


def board_etag(*, unit: Unit, salt: str = "", now: datetime | None = None) -> str:
    """A fingerprint of what the board shows, in one query over the unit's open tasks (the partial
    index): every write that changes a row on the board raises its task's ``version``, a new or
    closed task changes the count, and the ages on the board move once a minute."""
    now = now or clock.now()
    parts = Task.objects.filter(unit=unit, cleared_at=None).aggregate(
        n=Count("pk"),
        top=Max("pk"),
        version=Sum("version"),
        overdue=Max("overdue_at"),
        due=Max("report_due_at"),
    )
    raw = f"{sorted(parts.items())}|{now:%Y%m%d%H%M}|{salt}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


MAP_LIMIT = 300  # open tasks on the map: the oldest first, as on the board


@dataclass
class MapPoint:
    task: Task
    lat: float | None  # where the task is (as requested)
    lon: float | None
    seen_lat: float | None  # the team's last reported position (a status sent with the phone's)
    seen_lon: float | None
    seen_at: datetime | None
    accuracy_m: int | None


def map_points(*, unit: Unit) -> list[MapPoint]:
    """Open tasks with their place and the last position their team reported, in one query."""
    last = StatusEvent.objects.filter(
        task=OuterRef("pk"), lat__isnull=False, lon__isnull=False
    ).order_by("-at", "-pk")
    tasks = (
        Task.objects.filter(unit=unit, cleared_at=None)
        .select_related("type")
        .annotate(
            seen_lat=Subquery(last.values("lat")[:1]),
            seen_lon=Subquery(last.values("lon")[:1]),
            seen_at=Subquery(last.values("at")[:1]),
            seen_accuracy=Subquery(last.values("accuracy_m")[:1]),
        )
        .order_by("requested_at", "pk")[:MAP_LIMIT]
    )

    def number(value: Decimal | None) -> float | None:
        return float(value) if value is not None else None

    return [
        MapPoint(
            task=task,
            lat=number(task.lat),
            lon=number(task.lon),
            seen_lat=number(task.seen_lat),
            seen_lon=number(task.seen_lon),
            seen_at=task.seen_at,
            accuracy_m=task.seen_accuracy,
        )
        for task in tasks
    ]


def tasks_report_overdue(*, unit: Unit, now: datetime | None = None) -> QuerySet[Task]:
    """Open tasks of the unit whose situation report is past due, the longest overdue first."""
    return (
        Task.objects.filter(unit=unit, cleared_at=None, report_due_at__lt=now or clock.now())
        .select_related("type")
        .order_by("report_due_at", "pk")
    )
