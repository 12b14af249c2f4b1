"""The role dashboards and the daily report."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spkt.core import clock
from spkt.core.dates import day_param
from spkt.core.decorators import desk_login_required
from spkt.core.errors import flash_errors
from spkt.core.timeutil import duty_day_of
from spkt.documents.selectors import document_list
from spkt.dutylog.selectors import shift_compliance, shift_entries, shift_on_duty
from spkt.org.models import Role
from spkt.org.permissions import Action, acting_unit, can, require, visible_units
from spkt.org.request_types import DeskRequest
from spkt.org.selectors import unit_selected
from spkt.reports import services
from spkt.reports.forms import AcknowledgeForm, AddendumForm, SubmitForm
from spkt.reports.models import SUBMIT_STANDARD_SECONDS, ReportStatus
from spkt.reports.printing import report_pdf_response
from spkt.reports.selectors import (
    SITUATION_DEFAULT,
    daily_report,
    report_for_day,
    report_get,
)

if TYPE_CHECKING:
    from spkt.reports.models import DailyReport


@desk_login_required
def dashboard(request: DeskRequest) -> HttpResponse:
    user = request.user
    units = list(visible_units(user).order_by("path")[:50])
    unit = user.unit
    context: dict[str, Any] = {
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
        # Daily reports waiting for the Kapolsek's acknowledgement.
        "report_alerts": list(
            user.report_alerts.filter(read_at=None)
            .select_related("report")
            .order_by("-created_at")[:10]
        ),
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
        if can(user, Action.LP_WRITE, unit):
            from spkt.reports.worklist import desk_worklist

            context["work"] = desk_worklist(unit=unit)
        context["today"] = daily_report(
            unit=unit, day=duty_day_of(clock.now(), unit.shift_start_hour)
        )
        # The Ka SPKT is reminded of yesterday's report until it is sent.
        yesterday = duty_day_of(clock.now(), unit.shift_start_hour) - timedelta(days=1)
        context["report_due"] = (
            yesterday
            if can(user, Action.REPORT_SUBMIT, unit)
            and report_for_day(unit=unit, day=yesterday) is None
            else None
        )
    return render(request, "reports/dashboard.html", context)


@desk_login_required
def daily(request: DeskRequest) -> HttpResponse:
    """The draft of a duty day for review, and the Ka SPKT's form to send it; once sent, the
    frozen report."""
    if request.method == "POST":
        return _submit(request)
    unit = unit_selected(request)
    require(request.user, Action.REPORT_VIEW, unit)
    raw = request.GET.get("tanggal")
    day = day_param(raw) if raw else duty_day_of(clock.now(), unit.shift_start_hour)
    stored = report_for_day(unit=unit, day=day)
    if stored is not None:  # the day was sent: its frozen report, not a live draft
        return _stored(request, stored)
    report = daily_report(unit=unit, day=day)
    may_submit = can(request.user, Action.REPORT_SUBMIT, unit)
    return render(
        request,
        "reports/daily.html",
        {
            "report": report,
            "figures": report.snapshot(),
            "unit": unit,
            "units": visible_units(request.user),
            "may_submit": may_submit,
            "not_yet": services.day_not_reportable(unit, day) if may_submit else "",
            "form": SubmitForm(initial={"situation": SITUATION_DEFAULT}),
        },
    )


def _submit(request: DeskRequest) -> HttpResponse:
    unit = acting_unit(request.user)
    require(request.user, Action.REPORT_SUBMIT, unit)
    day = day_param(request.POST.get("tanggal", ""))
    form = SubmitForm(request.POST)
    if form.is_valid():
        try:
            report = services.report_submit(
                actor=request.user, unit=unit, day=day, **form.cleaned_data
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Laporan harian dikirim kepada Kapolsek."))
            return redirect("reports:detail", pk=report.pk)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return redirect(f"{reverse('reports:daily')}?tanggal={day.isoformat()}")


@desk_login_required
def detail(request: DeskRequest, pk: int) -> HttpResponse:
    report = report_get(user=request.user, pk=pk)
    require(request.user, Action.REPORT_VIEW, report.unit)
    return _stored(request, report)


def _stored(request: DeskRequest, report: DailyReport) -> HttpResponse:
    unit = report.unit
    return render(
        request,
        "reports/detail.html",
        {
            "stored": report,
            "figures": report.snapshot,
            "unit": unit,
            "addenda": list(report.addenda.select_related("by")),
            "may_ack": report.status == ReportStatus.SUBMITTED
            and can(request.user, Action.REPORT_ACK, unit),
            "may_addendum": can(request.user, Action.REPORT_SUBMIT, unit),
            "ack_form": AcknowledgeForm(),
            "addendum_form": AddendumForm(),
            "standard_minutes": SUBMIT_STANDARD_SECONDS // 60,
        },
    )


@desk_login_required
@require_POST
def acknowledge(request: DeskRequest, pk: int) -> HttpResponse:
    report = report_get(user=request.user, pk=pk)
    require(request.user, Action.REPORT_ACK, report.unit)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("reports:detail", pk=pk)
    try:
        services.report_acknowledge(
            actor=request.user, report=report, disposisi=form.cleaned_data["disposisi"]
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Laporan harian diterima."))
    return redirect("reports:detail", pk=pk)


@desk_login_required
@require_POST
def addendum(request: DeskRequest, pk: int) -> HttpResponse:
    report = report_get(user=request.user, pk=pk)
    require(request.user, Action.REPORT_SUBMIT, report.unit)
    form = AddendumForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("reports:detail", pk=pk)
    try:
        services.report_addendum(actor=request.user, report=report, text=form.cleaned_data["text"])
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Adendum dicatat."))
    return redirect("reports:detail", pk=pk)


@desk_login_required
def pdf(request: DeskRequest, pk: int) -> HttpResponse:
    report = report_get(user=request.user, pk=pk)
    require(request.user, Action.REPORT_VIEW, report.unit)
    return report_pdf_response(request, report)


@desk_login_required
@require_POST
def report_alert_read(request: DeskRequest, pk: int) -> HttpResponse:
    services.report_alert_read(user=request.user, pk=pk)
    return redirect("dashboard")


@desk_login_required
@require_POST
def alert_read(request: DeskRequest, pk: int) -> HttpResponse:
    """The user has seen an alert of the clock; only their own alerts can be marked."""
    request.user.notifications.filter(pk=pk, read_at=None).update(read_at=clock.now())
    return redirect("dashboard")


@desk_login_required
def worklist(request: DeskRequest) -> HttpResponse:
    """The desk's work list: LP drafts waiting for Reskrim, reviews done, documents to hand over
    and overdue items, of the user's own unit (issue 12, item 3)."""
    from spkt.reports.worklist import desk_worklist

    unit = acting_unit(request.user)
    require(request.user, Action.LP_WRITE, unit)
    return render(
        request,
        "reports/worklist.html",
        {"unit": unit, "work": desk_worklist(unit=unit)},
    )
