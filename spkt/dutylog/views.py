"""Pages of the Buku Mutasi: the current book, writing and correcting, roll call, handover, the
roster, the printed book and the assessor's view of the 1 x 24 h standard."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from spkt.core import clock
from spkt.core.dates import day_param, month_param
from spkt.core.decorators import desk_login_required
from spkt.core.errors import flash_errors
from spkt.core.timeutil import duty_day_of, local
from spkt.dutylog import forms, handover, selectors, services
from spkt.dutylog.models import ShiftStatus
from spkt.dutylog.printing import book_pdf_response
from spkt.org.permissions import Action, acting_unit, can, require, visible_units
from spkt.org.request_types import DeskRequest
from spkt.org.selectors import unit_selected


@desk_login_required
def mutasi_today(request: DeskRequest) -> HttpResponse:
    unit = unit_selected(request)
    require(request.user, Action.MUTASI_VIEW, unit)
    shift = selectors.shift_on_duty(unit=unit)
    entries = (
        selectors.with_labels(list(selectors.shift_entries(shift=shift)), unit) if shift else []
    )
    context = {
        "unit": unit,
        "shift": shift,
        "entries": entries,
        "compliance": selectors.shift_compliance(shift=shift) if shift else None,
        "can_write": can(request.user, Action.MUTASI_WRITE, unit),
        "can_run": can(request.user, Action.SHIFT_RUN, unit),
        "form": forms.EntryForm(unit=unit),
        "yesterday": (
            duty_day_of(clock.now(), unit.shift_start_hour) - timedelta(days=1)
        ).isoformat(),
    }
    template = "dutylog/today.html#entries" if request.htmx else "dutylog/today.html"
    return render(request, template, context)


@desk_login_required
@require_POST
def mutasi_write(request: DeskRequest) -> HttpResponse:
    unit = acting_unit(request.user)  # a user without a unit: 403
    require(request.user, Action.MUTASI_WRITE, unit)
    form = forms.EntryForm(request.POST, unit=unit)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for e in field_errors:
                messages.error(request, str(e))
        return redirect("dutylog:today")
    try:
        services.mutasi_write(
            actor=request.user,
            unit=unit,
            text=form.cleaned_data["text"],
            category=form.cleaned_data["category"],
            at=form.at(),
            red=True if form.cleaned_data["red"] else None,
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Entri dicatat di Buku Mutasi."))
    return redirect("dutylog:today")


@desk_login_required
@require_http_methods(["GET", "POST"])
def mutasi_correct(request: DeskRequest, pk: int) -> HttpResponse:
    original = selectors.mutasi_get(user=request.user, pk=pk)
    require(request.user, Action.MUTASI_WRITE, original.unit)
    form = forms.CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mutasi_correct(
                actor=request.user, original=original, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Koreksi dicatat sebagai entri baru."))
            return redirect("dutylog:today")
    return render(
        request,
        "dutylog/correct.html",
        {"original": original, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@desk_login_required
def shift_detail(request: DeskRequest, pk: int) -> HttpResponse:
    shift = selectors.shift_get(user=request.user, pk=pk)
    require(request.user, Action.MUTASI_VIEW, shift.unit)
    return render(
        request,
        "dutylog/shift.html",
        {
            "shift": shift,
            "unit": shift.unit,
            "entries": selectors.with_labels(
                list(selectors.shift_entries(shift=shift)), shift.unit
            ),
            "roll_call": list(shift.roll_call.select_related("person")),
            "changes": list(shift.changes.select_related("person", "replacement")),
            "handover": selectors.handover_of(shift=shift),
            "compliance": selectors.shift_compliance(shift=shift),
            "seal": selectors.seal_head(shift=shift),
            "can_run": can(request.user, Action.SHIFT_RUN, shift.unit),
            "can_plan": can(request.user, Action.ROSTER_PLAN, shift.unit),
            "change_form": forms.RosterChangeForm(shift=shift),
        },
    )


@desk_login_required
def shift_pdf(request: DeskRequest, pk: int) -> HttpResponse:
    shift = selectors.shift_get(user=request.user, pk=pk)
    require(request.user, Action.MUTASI_VIEW, shift.unit)
    return book_pdf_response(request, unit=shift.unit, shift=shift)


@desk_login_required
def day_book(request: DeskRequest, day: str) -> HttpResponse:
    unit = unit_selected(request)
    require(request.user, Action.MUTASI_VIEW, unit)
    the_day = day_param(day)
    fmt = request.GET.get("format")
    if fmt == "pdf":
        return book_pdf_response(request, unit=unit, day=the_day)
    head = selectors.day_head(unit=unit, day=the_day)
    if fmt == "hash":
        if head is None:
            raise Http404
        response = HttpResponse(head.export_line() + "\n", content_type="text/plain")
        response["Content-Disposition"] = (
            f'attachment; filename="buku-mutasi-{unit.code}-{the_day.isoformat()}.hash"'
        )
        return response
    return render(
        request,
        "dutylog/day.html",
        {
            "unit": unit,
            "day": the_day,
            "head": head,
            "entries": selectors.with_labels(
                list(selectors.day_entries(unit=unit, day=the_day)), unit
            ),
        },
    )


@desk_login_required
@require_http_methods(["GET", "POST"])
def shift_open(request: DeskRequest, pk: int) -> HttpResponse:
    shift = selectors.shift_get(user=request.user, pk=pk)
    require(request.user, Action.SHIFT_RUN, shift.unit)
    people = selectors.lineup_people(shift=shift)
    form = forms.RollCallForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_open(shift=shift, actor=request.user, roll_call=form.roll_call())
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Dinas jaga dibuka."))
            return redirect("dutylog:today")
    return render(
        request,
        "dutylog/open.html",
        {"shift": shift, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@desk_login_required
@require_http_methods(["GET", "POST"])
def handover_page(request: DeskRequest, pk: int) -> HttpResponse:
    shift = selectors.shift_get(user=request.user, pk=pk)
    require(request.user, Action.SHIFT_RUN, shift.unit)
    ho = selectors.handover_of(shift=shift)
    if ho is None:
        if request.method == "POST":
            try:
                handover.handover_start(outgoing=shift, actor=request.user)
            except ValidationError as exc:
                flash_errors(request, exc)
            return redirect("dutylog:handover", pk=shift.pk)
        return render(request, "dutylog/handover_start.html", {"shift": shift})
    items = list(ho.items.all())
    people = selectors.lineup_people(shift=ho.incoming)
    count_form = forms.CountForm(items=items)
    confirm_form = forms.ConfirmForm()
    roll_form = forms.RollCallForm(people=people)
    add_form = forms.AddItemForm()
    status = 200
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "count":
                count_form = forms.CountForm(request.POST, items=items)
                if count_form.is_valid():
                    handover.handover_count(
                        handover=ho,
                        counts=count_form.counts(),
                        notes=count_form.cleaned_data["notes"],
                        actor=request.user,
                    )
                    messages.success(request, _("Hitungan disimpan."))
                    return redirect("dutylog:handover", pk=shift.pk)
            elif step == "add":
                add_form = forms.AddItemForm(request.POST)
                if add_form.is_valid():
                    handover.handover_add_item(
                        handover=ho, actor=request.user, **add_form.cleaned_data
                    )
                    return redirect("dutylog:handover", pk=shift.pk)
            elif step == "confirm":
                confirm_form = forms.ConfirmForm(request.POST)
                roll_form = forms.RollCallForm(request.POST, people=people)
                if confirm_form.is_valid() and roll_form.is_valid():
                    d = confirm_form.cleaned_data
                    out_user = authenticate(
                        request, username=d["out_username"], password=d["out_password"]
                    )
                    in_user = authenticate(
                        request, username=d["in_username"], password=d["in_password"]
                    )
                    if out_user is None or in_user is None:
                        raise ValidationError(_("Nama pengguna atau kata sandi kepala regu salah."))
                    handover.handover_confirm(
                        handover=ho,
                        outgoing_user=out_user,
                        incoming_user=in_user,
                        roll_call=roll_form.roll_call(),
                        actor=request.user,
                    )
                    messages.success(request, _("Serah terima selesai; buku dinas lama disegel."))
                    return redirect("dutylog:shift", pk=shift.pk)
            else:
                raise ValidationError(_("Langkah tidak dikenal."))
        except ValidationError as exc:
            flash_errors(request, exc)
        status = 400
    return render(
        request,
        "dutylog/handover.html",
        {
            "shift": shift,
            "handover": ho,
            "count_form": count_form,
            "confirm_form": confirm_form,
            "roll_form": roll_form,
            "add_form": add_form,
        },
        status=status,
    )


@desk_login_required
@require_http_methods(["GET", "POST"])
def roster(request: DeskRequest) -> HttpResponse:
    unit = unit_selected(request)
    require(request.user, Action.MUTASI_VIEW, unit)
    raw = request.GET.get("bulan")
    first = month_param(raw) if raw else local(clock.now()).date().replace(day=1)
    year, month = first.year, first.month
    if request.method == "POST":
        require(request.user, Action.ROSTER_PLAN, unit)
        try:
            services.roster_plan(unit=unit, year=year, month=month, actor=request.user)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Jadwal dinas bulan ini disusun."))
        return redirect(f"{request.path}?bulan={year:04d}-{month:02d}")
    shifts = selectors.shifts_of_month(unit=unit, year=year, month=month)
    return render(
        request,
        "dutylog/roster.html",
        {
            "unit": unit,
            "shifts": shifts,
            "month": date(year, month, 1),
            "can_plan": can(request.user, Action.ROSTER_PLAN, unit),
        },
    )


@desk_login_required
@require_POST
def roster_change(request: DeskRequest, pk: int) -> HttpResponse:
    shift = selectors.shift_get(user=request.user, pk=pk)
    require(request.user, Action.ROSTER_PLAN, shift.unit)
    form = forms.RosterChangeForm(request.POST, shift=shift)
    if form.is_valid():
        try:
            services.roster_change(shift=shift, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Perubahan jadwal dicatat."))
    else:
        for field_errors in form.errors.values():
            for e in field_errors:
                messages.error(request, str(e))
    return redirect("dutylog:shift", pk=shift.pk)


@desk_login_required
def compliance(request: DeskRequest) -> HttpResponse:
    unit = unit_selected(request)
    require(request.user, Action.COMPLIANCE_VIEW, unit)
    # The month of the duty day on now: before 08:00 on the 1st the shift on duty is last month's.
    today = duty_day_of(clock.now(), unit.shift_start_hour)
    raw = request.GET.get("bulan")
    first = month_param(raw) if raw else today.replace(day=1)
    next_month = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    rows = selectors.shifts_for_assessment(
        unit=unit, start=first, end=next_month - timedelta(days=1)
    )
    return render(
        request,
        "dutylog/compliance.html",
        {
            "unit": unit,
            "rows": rows,
            "month": first,
            "units": visible_units(request.user),
            "failing": sum(1 for _s, c in rows if not c.ok),
            "today_day": duty_day_of(clock.now(), unit.shift_start_hour),
            "open_status": ShiftStatus.OPEN,
        },
    )
