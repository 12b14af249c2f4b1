"""The role dashboards and the daily report."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from spkt.core import clock
from spkt.core.dates import day_param
from spkt.core.permissions import Action, can, require, visible_units
from spkt.core.timeutil import duty_day_of
from spkt.documents.selectors import document_list
from spkt.dutylog.selectors import shift_compliance, shift_entries, shift_on_duty
from spkt.org.models import Role
from spkt.org.selectors import unit_selected
from spkt.reports.selectors import daily_report


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = list(visible_units(user).order_by("path")[:50])
    unit = user.unit
    context = {
        "units": units,
        "unit": unit,
        "can_issue": can(user, Action.SKTLK_ISSUE, unit),
        "role_labels": [Role(r).label for r in sorted(user.roles) if r in Role.values],
        # Alerts from the 5-minute clock (breaches for the Ka SPKT, escalations for the Kapolsek).
        "alerts": list(
            user.notifications.filter(read_at=None)
            .select_related("contact")
            .order_by("-created_at")[:10]
        ),
        # Alerts of the hourly clock of field help (overdue situation reports).
        "field_alerts": list(
            user.field_alerts.filter(read_at=None)
            .select_related("task__type")
            .order_by("-created_at")[:10]
        ),
    }
    if unit is not None and unit.regu.exists() and can(user, Action.MUTASI_VIEW, unit):
        # The desk panels belong to units that keep guard squads (an SPKT desk).
        shift = shift_on_duty(unit=unit)
        context["desk"] = True
        context["shift"] = shift
        # The 1 x 24 h standard, flagged where the Ka SPKT looks first.
        context["compliance"] = shift_compliance(shift=shift) if shift else None
        context["entries"] = list(shift_entries(shift=shift).reverse()[:8]) if shift else []
        context["recent"] = list(document_list(user=user, unit=unit)[:8])
        context["today"] = daily_report(
            unit=unit, day=duty_day_of(clock.now(), unit.shift_start_hour)
        )
    return render(request, "reports/dashboard.html", context)


@login_required
def daily(request: HttpRequest) -> HttpResponse:
    unit = unit_selected(request)
    require(request.user, Action.REPORT_VIEW, unit)
    raw = request.GET.get("tanggal")
    day = day_param(raw) if raw else duty_day_of(clock.now(), unit.shift_start_hour)
    report = daily_report(unit=unit, day=day)
    return render(
        request,
        "reports/daily.html",
        {
            "report": report,
            "unit": unit,
            "units": visible_units(request.user),
        },
    )


@login_required
@require_POST
def alert_read(request: HttpRequest, pk: int) -> HttpResponse:
    """The user has seen an alert of the clock; only their own alerts can be marked."""
    request.user.notifications.filter(pk=pk, read_at=None).update(read_at=clock.now())
    return redirect("dashboard")
