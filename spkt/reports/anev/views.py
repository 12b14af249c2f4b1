"""The compliance pages (the SOP's five standards) and the Anev, with their XLSX exports."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from spkt.core import clock
from spkt.core.dates import day_param, month_param
from spkt.core.decorators import desk_login_required
from spkt.core.timeutil import duty_day_of, local
from spkt.org.models import Unit, UnitKind
from spkt.org.permissions import Action, require, visible_units
from spkt.org.request_types import DeskRequest
from spkt.org.selectors import unit_selected
from spkt.reports.anev import periods, xlsx
from spkt.reports.anev.anev import Anev, anev_report
from spkt.reports.anev.standards import NUMBERS, TITLES, StandardResult, standards_month

if TYPE_CHECKING:
    from spkt.reports.anev.anev import Line

FORMATS = ("", "xlsx")


def _bad(request: DeskRequest, message: str) -> HttpResponse:
    return render(
        request,
        "error.html",
        {"title": _("Permintaan tidak dapat diproses"), "message": message},
        status=400,
    )


def _format(request: DeskRequest) -> str | None:
    fmt = request.GET.get("format", "")
    return fmt if fmt in FORMATS else None


def _month(request: DeskRequest, unit: Unit) -> date:
    raw = request.GET.get("bulan")
    if raw:
        return month_param(raw)
    return duty_day_of(clock.now(), unit.shift_start_hour).replace(day=1)


def _download(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=xlsx.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _opened(request: DeskRequest, action: Action) -> tuple[Unit, str | None]:
    """The unit the page is about (404 out of sight, 403 without ``action``) and the format asked
    for (None when unknown: the caller answers 400)."""
    unit = unit_selected(request)
    require(request.user, action, unit)
    return unit, _format(request)


def _units(request: DeskRequest) -> list[Unit]:
    return list(visible_units(request.user).order_by("path")[:200])


# --- The compliance page of one unit -----------------------------------------------------------
@desk_login_required
@require_GET
def standards_page(request: DeskRequest) -> HttpResponse:
    unit, fmt = _opened(request, Action.COMPLIANCE_VIEW)
    if fmt is None:
        return _bad(request, _("Format ekspor tidak dikenal; pilih XLSX."))
    month = _month(request, unit)
    if unit.kind != UnitKind.POLSEK and not request.GET.get("unit"):
        # An assessor at a Polres or Polda starts from the Polsek below, side by side.
        return redirect(f"{reverse('anev:standards-polres')}?bulan={month:%Y-%m}")
    results = standards_month(unit=unit, month=month)
    if fmt == "xlsx":
        return _download(
            _standards_xlsx(results, request), f"standar-{unit.code}-{month:%Y-%m}.xlsx"
        )
    return render(
        request,
        "anev/standards.html",
        {
            "unit": unit,
            "units": _units(request),
            "month": month,
            "results": results,
            "polres_url": reverse("anev:standards-polres"),
        },
    )


def _standards_xlsx(results: list[StandardResult], request: HttpRequest) -> bytes:
    head = [_("Standar"), _("Sesuai"), _("Jumlah"), _("Persen sesuai")]
    summary = [[r.title, r.met, r.total, r.share] for r in results]
    shifts = [
        [r.title, row.label, row.met, row.total, row.share] for r in results for row in r.by_shift
    ]
    officers = [
        [r.title, row.label, row.met, row.total, row.share] for r in results for row in r.by_officer
    ]
    misses = [
        [
            r.title,
            local(i.at).strftime("%d-%m-%Y %H:%M"),
            i.label,
            i.officer,
            i.shift_label,
            i.detail,
            request.build_absolute_uri(i.url),
        ]
        for r in results
        for i in r.misses
    ]
    return xlsx.workbook(
        [
            (_("Ringkasan"), head, summary),
            (_("Per dinas"), [_("Standar"), _("Dinas"), *head[1:]], shifts),
            (_("Per petugas"), [_("Standar"), _("Petugas"), *head[1:]], officers),
            (
                _("Tidak sesuai"),
                [
                    _("Standar"),
                    _("Waktu"),
                    _("Perkara"),
                    _("Petugas"),
                    _("Dinas"),
                    _("Keterangan"),
                    _("Tautan"),
                ],
                misses,
            ),
        ]
    )


# --- The assessor's view: every Polsek under a Polres side by side -----------------------------
@desk_login_required
@require_GET
def standards_polres(request: DeskRequest) -> HttpResponse:
    unit, fmt = _opened(request, Action.COMPLIANCE_VIEW)
    if fmt is None:
        return _bad(request, _("Format ekspor tidak dikenal; pilih XLSX."))
    month = _month(request, unit)
    polsek = list(
        visible_units(request.user)
        .filter(path__startswith=unit.path, kind=UnitKind.POLSEK)
        .order_by("name")
    )
    rows = [(u, standards_month(unit=u, month=month)) for u in polsek]
    if fmt == "xlsx":
        head = [_("Satuan")]
        for n in NUMBERS:
            head += [f"{n}. {TITLES[n]}", _("Sesuai"), _("Jumlah")]
        body = [
            [u.name, *[v for r in results for v in (r.share, r.met, r.total)]]
            for u, results in rows
        ]
        return _download(
            xlsx.workbook([(_("Polsek"), head, body)]), f"standar-{unit.code}-{month:%Y-%m}.xlsx"
        )
    return render(
        request,
        "anev/polres.html",
        {
            "unit": unit,
            "units": _units(request),
            "month": month,
            "rows": rows,
            "titles": [TITLES[n] for n in NUMBERS],
        },
    )


# --- The Anev ----------------------------------------------------------------------------------
@desk_login_required
@require_GET
def anev_page(request: DeskRequest) -> HttpResponse:
    unit, fmt = _opened(request, Action.REPORT_VIEW)
    if fmt is None:
        return _bad(request, _("Format ekspor tidak dikenal; pilih XLSX."))
    kind = request.GET.get("periode") or periods.MONTH
    if kind not in periods.KINDS:
        return _bad(request, _("Periode tidak dikenal; pilih minggu atau bulan."))
    raw = request.GET.get("tanggal")
    day = day_param(raw) if raw else duty_day_of(clock.now(), unit.shift_start_hour)
    report = anev_report(unit=unit, kind=kind, day=day)
    if fmt == "xlsx":
        return _download(anev_xlsx(report), f"anev-{unit.code}-{kind}-{day:%Y-%m-%d}.xlsx")
    return render(
        request,
        "anev/anev.html",
        {
            "unit": unit,
            "units": _units(request),
            "report": report,
            "kind": kind,
            "kinds": [(periods.WEEK, _("Mingguan")), (periods.MONTH, _("Bulanan"))],
            "day": day,
            "hours": range(24),
        },
    )


def _numbers(line: Line) -> list[object]:
    """Counts as integers and shares as percent numbers, so the spreadsheet can sum them."""
    if line.is_percent:
        return ["—" if v is None else v for v in line.values]
    return [int(v or 0) for v in line.values]  # counts: never None


def anev_xlsx(report: Anev) -> bytes:
    labels = [p.label for p in report.periods]
    head = [_("Uraian"), *labels, _("Dibanding periode sebelumnya"), _("Dibanding tahun lalu")]

    def lines(rows: list[Line]) -> list[list[object]]:
        return [[x.label, *_numbers(x), x.vs_previous, x.vs_year] for x in rows]

    heat = [
        [day, *[report.heat.get((d, h), 0) for h in range(24)]]
        for d, day in enumerate(["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"])
    ]
    units = [[u.unit.name, u.contacts, u.lp, u.crime3c, u.cleared, u.sop] for u in report.rollup]
    return xlsx.workbook(
        [
            (_("Layanan"), head, lines(report.services)),
            (_("Kejahatan"), head, lines(report.crime)),
            (_("Standar SOP"), head, lines(report.sop)),
            (_("Kelurahan"), [_("Kelurahan"), _("Jumlah")], report.kelurahan),
            (_("Jam sibuk"), [_("Hari"), *[f"{h:02d}" for h in range(24)]], heat),
            (
                _("Satuan"),
                [_("Satuan"), _("Kontak"), _("LP"), _("3C"), _("Selesai"), _("Standar SOP")],
                units,
            ),
        ]
    )
