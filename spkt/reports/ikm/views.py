"""The public survey (by link and on the desk tablet) and the results for the station."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from spkt.core import clock
from spkt.core.audit import audit_log
from spkt.core.decorators import desk_login_required
from spkt.org.models import Unit
from spkt.org.permissions import Action, require, visible_units
from spkt.org.request_types import DeskRequest
from spkt.org.selectors import unit_selected
from spkt.reports.ikm import services
from spkt.reports.ikm.forms import SurveyForm
from spkt.reports.ikm.models import ServiceKind
from spkt.reports.ikm.pdf import summary_pdf
from spkt.reports.ikm.period import period_from
from spkt.reports.ikm.selectors import ikm_summary, invitation_by_token
from spkt.reports.ikm.services import SurveyClosedError


def _closed(request: HttpRequest, unit: Unit, reason: str) -> HttpResponse:
    return render(request, "ikm/closed.html", {"unit": unit, "reason": reason}, status=410)


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_by_token(token)
    if invitation is None:
        raise Http404
    if invitation.used_at is not None:
        return _closed(request, invitation.unit, "used")
    if invitation.expires_at <= clock.now():
        return _closed(request, invitation.unit, "expired")
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.response_submit(invitation_id=invitation.pk, answer=form.answer())
        except SurveyClosedError as closed:
            return _closed(request, invitation.unit, closed.reason)
        return render(request, "ikm/thanks.html", {"unit": invitation.unit})
    return render(
        request,
        "ikm/survey.html",
        {"form": form, "unit": invitation.unit, "kiosk": False},
        status=400 if request.method == "POST" else 200,
    )


def _unit_by_code_or_id(code: str) -> Unit:
    found = Unit.objects.filter(code=code).first()
    if found is None and code.isdigit() and len(code) < 19:
        found = Unit.objects.filter(pk=int(code)).first()
    if found is None:
        raise Http404
    return found


@never_cache
@desk_login_required
@require_http_methods(["GET", "POST"])
def kiosk(request: DeskRequest, code: str) -> HttpResponse:
    """The tablet at the desk: opened by the desk officer, answered by one citizen after another;
    each answer is its own invitation of kind "kiosk", and the form comes back empty."""
    unit = _unit_by_code_or_id(code)
    require(request.user, Action.IKM_KIOSK, unit)
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.kiosk_submit(actor=request.user, unit=unit, answer=form.answer())
        messages.success(request, _("Terima kasih! Penilaian Anda sudah kami terima."))
        return redirect("ikm:kiosk", code=unit.code)
    return render(
        request,
        "ikm/survey.html",
        {"form": form, "unit": unit, "kiosk": True},
        status=400 if request.method == "POST" else 200,
    )


@desk_login_required
def results(request: DeskRequest) -> HttpResponse:
    unit = unit_selected(request)
    require(request.user, Action.REPORT_VIEW, unit)
    period = period_from(request.GET)
    service = request.GET.get("layanan") or ""
    if service and service not in ServiceKind.values:
        service = ""
    # A Polres/Polda sees its units rolled up: the chosen unit and every unit below it.
    unit_ids = list(
        visible_units(request.user).filter(path__startswith=unit.path).values_list("pk", flat=True)
    )
    summary = ikm_summary(
        unit_ids=unit_ids, start=period.start, end=period.end, service=service or None
    )
    if request.GET.get("format") == "pdf":
        audit_log(action="ikm.results.pdf", actor=request.user, unit=unit, request=request)
        return summary_pdf(unit=unit, period=period, summary=summary)
    return render(
        request,
        "ikm/results.html",
        {
            "unit": unit,
            "units": visible_units(request.user).order_by("path"),
            "period": period,
            "service": service,
            "services": ServiceKind.choices,
            "summary": summary,
            "query": request.GET.urlencode(),
        },
    )
