"""The register pages (LP, STTLP, SKTLK): filter, page through, export to CSV or XLSX."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from spkt.core.audit import audit_log
from spkt.core.decorators import desk_login_required
from spkt.core.timeutil import today
from spkt.documents.models import Document
from spkt.documents.registers.exports import export_csv, export_xlsx
from spkt.documents.registers.forms import RegisterFilterForm
from spkt.documents.registers.selectors import (
    REGISTER_KINDS,
    REGISTER_TITLES,
    RegisterFilters,
    register_entries,
    register_rows,
)
from spkt.org.models import Unit
from spkt.org.permissions import Action, require, visible_units
from spkt.org.request_types import DeskRequest
from spkt.org.selectors import unit_selected

PAGE_SIZE = 50
# An export is built in one request; beyond this the filter should be narrowed (a year of a busy
# station's SKTLK is well below it).
EXPORT_MAX_ROWS = 50_000
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@desk_login_required
@require_GET
def register(request: DeskRequest, kind: str) -> HttpResponse:
    if kind not in REGISTER_KINDS:
        raise Http404
    unit = unit_selected(request)
    require(request.user, Action.DOCUMENT_VIEW, unit)
    form = RegisterFilterForm(request.GET, unit=unit, kind=kind)
    export = request.GET.get("format", "")
    context = {
        "form": form,
        "kind": kind,
        "title": REGISTER_TITLES[kind],
        "kinds": REGISTER_TITLES,
        "unit": unit,
        "units": list(visible_units(request.user).order_by("path")[:50]),
        "lp": kind == "lp",
        "page": None,
        "entries": [],
    }
    if export and export not in EXPORT_TYPES:
        form.add_error(None, _("Format ekspor tidak dikenal; pilih CSV atau XLSX."))
    if not form.is_valid():
        return render(request, "documents/register.html", context, status=400)
    filters = form.filters()
    rows = register_rows(
        user=request.user, unit=unit, doc_type=REGISTER_KINDS[kind], filters=filters
    )
    if export:
        return _export(request, unit=unit, kind=kind, rows=rows, fmt=export, filters=filters)
    # On screen the newest come first; the numbers are those of the book (oldest is No. 1).
    page = Paginator(rows.reverse(), PAGE_SIZE).get_page(request.GET.get("page"))
    first = page.paginator.count - max(page.start_index() - 1, 0)
    context["page"] = page
    context["entries"] = list(register_entries(page.object_list, start=first, step=-1))
    return render(request, "documents/register.html", context)


def _export(
    request: DeskRequest,
    *,
    unit: Unit,
    kind: str,
    rows: QuerySet[Document],
    fmt: str,
    filters: RegisterFilters,
) -> HttpResponse:
    total = rows.count()
    if total > EXPORT_MAX_ROWS:
        messages.error(
            request,
            _(
                "Hasil terlalu banyak untuk diekspor (%(total)s baris; paling banyak %(max)s). "
                "Persempit filter, misalnya dengan rentang tanggal."
            )
            % {
                "total": f"{total:,}".replace(",", "."),
                "max": f"{EXPORT_MAX_ROWS:,}".replace(",", "."),
            },
        )
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{request.path}?{query.urlencode()}")
    lp = kind == "lp"
    stream = rows[:EXPORT_MAX_ROWS].iterator(chunk_size=2000)
    if fmt == "csv":
        content = export_csv(stream, lp=lp)
    else:
        content = export_xlsx(stream, lp=lp, title=str(REGISTER_TITLES[kind]))
    audit_log(
        action="document.register.exported",
        actor=request.user,
        unit=unit,
        data={"kind": kind, "format": fmt, "rows": total, "filters": filters.as_dict()},
        request=request,
    )
    response = HttpResponse(content, content_type=EXPORT_TYPES[fmt])
    filename = f"register-{kind}-{unit.code}-{today().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")  # 50.000, as Indonesian writes it
