"""The field-help register page: filter, page through, export to CSV or XLSX."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from spkt.core.audit import audit_log
from spkt.core.decorators import desk_login_required
from spkt.core.timeutil import today
from spkt.fieldhelp import register as reg
from spkt.org.permissions import Action, require
from spkt.org.request_types import DeskRequest
from spkt.org.selectors import unit_selected

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from spkt.fieldhelp.models import Task
    from spkt.org.models import Unit

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 50_000
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@desk_login_required
@require_GET
def register(request: DeskRequest) -> HttpResponse:
    unit = unit_selected(request)
    require(request.user, Action.MUTASI_VIEW, unit)
    form = reg.RegisterForm(request.GET, unit=unit)
    fmt = request.GET.get("format", "")
    context = {"form": form, "unit": unit, "page": None, "entries": []}
    if fmt and fmt not in EXPORT_TYPES:
        form.add_error(None, _("Format ekspor tidak dikenal; pilih CSV atau XLSX."))
    if not form.is_valid():
        return render(request, "fieldhelp/register.html", context, status=400)
    rows = reg.register_rows(unit=unit, filters=form.cleaned_data)
    if fmt:
        return _export(request, unit=unit, rows=rows, fmt=fmt, form=form)
    page = Paginator(rows.reverse(), PAGE_SIZE).get_page(request.GET.get("page"))
    context["page"] = page
    rows_shown = cast("QuerySet[Task]", page.object_list)  # a page of a queryset is one too
    context["entries"] = list(reg.entries(reg.with_details(rows_shown)))
    return render(request, "fieldhelp/register.html", context)


def _export(
    request: DeskRequest,
    *,
    unit: Unit,
    rows: QuerySet[Task],
    fmt: str,
    form: reg.RegisterForm,
) -> HttpResponse:
    total = rows.count()
    if total > EXPORT_MAX_ROWS:
        messages.error(
            request,
            _("Hasil terlalu banyak untuk diekspor (%(total)d baris; paling banyak %(max)d).")
            % {"total": total, "max": EXPORT_MAX_ROWS}
            + " "
            + _("Persempit filter, misalnya dengan rentang tanggal."),
        )
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{request.path}?{query.urlencode()}")
    stream = reg.with_details(rows[:EXPORT_MAX_ROWS]).iterator(chunk_size=2000)
    content = reg.export_csv(stream) if fmt == "csv" else reg.export_xlsx(stream)
    audit_log(
        action="fieldhelp.register.exported",
        actor=request.user,
        unit=unit,
        data={"format": fmt, "rows": total, "filters": form.as_dict()},
        request=request,
    )
    response = HttpResponse(content, content_type=EXPORT_TYPES[fmt])
    filename = f"register-bantuan-{unit.code}-{today().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
