"""The field-help register: a unit's tasks with their response times and hourly reports, filtered
and exported (CSV with a BOM, XLSX through openpyxl) as the document registers are."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any, cast

from django import forms
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from spkt.core import clock
from spkt.core.dates import date_in_range
from spkt.core.timeutil import local, local_datetime
from spkt.documents.registers.exports import csv_cell, xlsx_cell
from spkt.fieldhelp.models import Assignment, SituationReport, Task, TaskStatus
from spkt.fieldhelp.services import task_types_for
from spkt.org.models import Personnel, Unit

DATE_ERRORS = {"invalid": _("Tanggal tidak valid; gunakan format TTTT-BB-HH, mis. 2026-11-27.")}


class RegisterForm(forms.Form):
    """Filters from the query string; type and officer choices are the unit's own, so another
    station's ids are invalid choices (400)."""

    date_from = forms.DateField(
        label=_("Dari tanggal"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
        validators=[date_in_range],
    )
    date_to = forms.DateField(
        label=_("Sampai tanggal"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
        validators=[date_in_range],
    )
    type = forms.ChoiceField(
        label=_("Jenis"),
        required=False,
        error_messages={"invalid_choice": _("Jenis bantuan lapangan tidak dikenal.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua status")), *TaskStatus.choices],
        error_messages={"invalid_choice": _("Status tidak dikenal.")},
    )
    officer = forms.ModelChoiceField(
        label=_("Petugas"),
        queryset=Personnel.objects.none(),
        required=False,
        empty_label=_("Semua petugas"),
        error_messages={"invalid_choice": _("Petugas tidak dikenal di satuan ini.")},
    )

    def __init__(self, data: QueryDict | None = None, *, unit: Unit) -> None:
        super().__init__(data)
        types = task_types_for(unit)
        cast(forms.ChoiceField, self.fields["type"]).choices = [
            ("", _("Semua jenis")),
            *((t.code, t.label) for t in types),
        ]
        cast(
            "forms.ModelChoiceField[Any]", self.fields["officer"]
        ).queryset = Personnel.objects.filter(unit=unit).order_by("name")

    def clean(self) -> dict:
        data = super().clean() or self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Tanggal akhir tidak boleh sebelum tanggal awal."))
        return data

    def as_dict(self) -> dict:
        data = self.cleaned_data
        return {
            "date_from": data["date_from"].isoformat() if data.get("date_from") else None,
            "date_to": data["date_to"].isoformat() if data.get("date_to") else None,
            "type": data.get("type") or "",
            "status": data.get("status") or "",
            "officer": data["officer"].pk if data.get("officer") else None,
        }


def register_rows(*, unit: Unit, filters: dict) -> QuerySet[Task]:
    """The unit's tasks matching the filters, oldest first (the register's order)."""
    qs = (
        Task.objects.filter(unit=unit)
        .select_related("type", "lp_draft__document")
        .annotate(reports_n=Count("reports"))
    )
    # Request dates are WITA days: the bounds are local midnights, stored as UTC.
    if filters.get("date_from"):
        qs = qs.filter(requested_at__gte=local_datetime(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(requested_at__lt=local_datetime(filters["date_to"] + timedelta(days=1)))
    if filters.get("type"):
        qs = qs.filter(type__code=filters["type"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("officer"):
        on_task = Assignment.objects.filter(task=OuterRef("pk"), personnel=filters["officer"])
        qs = qs.filter(Exists(on_task))
    return qs.order_by("requested_at", "pk")


def with_details(qs: QuerySet[Task]) -> QuerySet[Task]:
    """The officers and report times each entry needs, in two queries per chunk."""
    return qs.prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(kind="personnel").select_related("personnel"),
            to_attr="people",
        ),
        Prefetch("reports", queryset=SituationReport.objects.only("task_id", "at"), to_attr="rep"),
    )


def missed_reports(task: Task, report_times: list[datetime], now: datetime) -> int:
    """Hourly deadlines that passed without a report: in each gap from the dispatch (then from
    each report) to the next report, or to the clearance (or now), one per whole interval."""
    if task.dispatched_at is None:
        return 0
    interval = timedelta(minutes=task.type.report_interval_minutes)
    end = task.cleared_at or now
    marks = [task.dispatched_at, *sorted(t for t in report_times if t <= end), end]
    return sum(max(0, int((b - a) / interval)) for a, b in pairwise(marks))


@dataclass
class Entry:
    task: Task
    officers: str
    response_minutes: int | None
    last_report_minutes: int | None
    reports: int
    missed: int

    @property
    def lp_number(self) -> str:
        draft = self.task.lp_draft
        return draft.document.number if draft and draft.document is not None else ""

    def values(self) -> list[object]:
        t = self.task
        return [
            t.pk,
            str(t.type.label),
            t.address,
            t.get_status_display(),
            _naive(t.requested_at),
            _naive(t.dispatched_at),
            _naive(t.on_scene_at),
            self.response_minutes,
            _naive(t.cleared_at),
            t.handed_to,
            self.officers,
            self.last_report_minutes,
            self.reports,
            self.missed,
            self.lp_number,
        ]


def _naive(value: datetime | None) -> datetime | None:
    """WITA wall time for a spreadsheet, which has no time zones."""
    return local(value).replace(tzinfo=None) if value is not None else None


def entries(rows: Iterable[Task], *, now: datetime | None = None) -> Iterator[Entry]:
    now = now or clock.now()
    for task in rows:
        people = getattr(task, "people", None)
        if people is None:
            people = list(task.assignments.filter(kind="personnel").select_related("personnel"))
        reports = getattr(task, "rep", None)
        times = [r.at for r in (reports if reports is not None else task.reports.all())]
        since = task.last_report_at or task.dispatched_at
        end = task.cleared_at or now
        yield Entry(
            task=task,
            officers=", ".join(dict.fromkeys(str(a.personnel) for a in people)),
            response_minutes=(
                task.response_seconds // 60 if task.response_seconds is not None else None
            ),
            last_report_minutes=int((end - since).total_seconds() // 60) if since else None,
            reports=getattr(task, "reports_n", len(times)),
            missed=missed_reports(task, times, now),
        )


COLUMNS = [
    (_("Nomor"), 8),
    (_("Jenis"), 18),
    (_("Lokasi"), 30),
    (_("Status"), 14),
    (_("Diterima (WITA)"), 17),
    (_("Diberangkatkan"), 17),
    (_("Tiba di lokasi"), 17),
    (_("Waktu tanggap (menit)"), 12),
    (_("Selesai"), 17),
    (_("Diserahkan kepada"), 20),
    (_("Petugas"), 30),
    (_("Umur laporan terakhir (menit)"), 12),
    (_("Jumlah laporan situasi"), 10),
    (_("Laporan per jam terlewat"), 10),
    (_("Nomor LP"), 24),
]


def export_csv(rows: Iterable[Task]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    with translation.override("id"):  # an Indonesian book whatever the screen says
        writer.writerow([str(name) for name, _w in COLUMNS])
        for entry in entries(rows):
            writer.writerow([csv_cell(v) for v in entry.values()])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_xlsx(rows: Iterable[Task]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title="Register bantuan lapangan"[:31])
    with translation.override("id"):
        for i, (_name, width) in enumerate(COLUMNS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for name, _w in COLUMNS:
            cell = WriteOnlyCell(ws, value=str(name))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        count = 0
        for entry in entries(rows):
            ws.append([xlsx_cell(ws, v) for v in entry.values()])
            count += 1
        ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
