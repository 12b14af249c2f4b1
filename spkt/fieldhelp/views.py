"""Desk pages for field help (the board, a new task, one task) and the officer's "Tugas saya":
parse, check permission, call one service, render."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from spkt.core import clock
from spkt.core.decorators import desk_login_required
from spkt.core.errors import flash_errors
from spkt.dutylog.selectors import shift_on_duty
from spkt.fieldhelp import selectors, services
from spkt.fieldhelp.details import details_display
from spkt.fieldhelp.forms import (
    ClearForm,
    CorrectionForm,
    DispatchForm,
    ReportForm,
    StatusForm,
    StepForm,
    TaskForm,
)
from spkt.fieldhelp.handoff import task_lp_handoff
from spkt.fieldhelp.models import Assignment, Family, Task
from spkt.fieldhelp.photos import PHOTO_MAX, PHOTO_MAX_BYTES, Photo
from spkt.intake.models import Status
from spkt.intake.selectors import contact_get
from spkt.org.models import User
from spkt.org.permissions import Action, acting_unit, can, require
from spkt.org.request_types import DeskRequest
from spkt.org.selectors import unit_selected


def _is_assigned(user: User | AnonymousUser, task: Task) -> bool:
    person = getattr(user, "personnel", None)
    return (
        person is not None
        and Assignment.objects.filter(task=task, personnel=person, active=True).exists()
    )


def _task_for_write(request: DeskRequest, pk: int, *, officer: bool = False) -> Task:
    """404 for a task out of sight; 403 unless the desk of its unit (or, where ``officer``, an
    officer assigned to it)."""
    task = selectors.task_get(user=request.user, pk=pk)
    if officer and task.unit_id == request.user.unit_id and _is_assigned(request.user, task):
        return task
    require(request.user, Action.FIELD_WRITE, task.unit)
    return task


@desk_login_required
@require_GET
def board(request: DeskRequest) -> HttpResponse:
    unit = unit_selected(request)
    require(request.user, Action.MUTASI_VIEW, unit)
    can_write = can(request.user, Action.FIELD_WRITE, unit)
    etag = None
    if request.htmx:
        # The board polls every 15 s like the inbox; most polls cost a few aggregate queries.
        shift = shift_on_duty(unit=unit)
        salt = f"{request.user.pk}:{can_write}:{request.LANGUAGE_CODE}:{shift.pk if shift else '-'}"
        etag = quote_etag(selectors.board_etag(unit=unit, salt=salt))
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return _poll_headers(not_modified, etag)
    context = {"unit": unit, "board": selectors.board(unit=unit), "can_write": can_write}
    if etag is None:
        return render(request, "fieldhelp/board.html", context)
    return _poll_headers(render(request, "fieldhelp/board.html#rows", context), etag)


def _poll_headers(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["HX-Request"])
    return response


@desk_login_required
@require_http_methods(["GET", "POST"])
def task_new(request: DeskRequest) -> HttpResponse:
    """A new task; with ``?kontak=`` the inbox's "Bantuan lapangan" asks here for confirmation."""
    unit = acting_unit(request.user)
    require(request.user, Action.FIELD_WRITE, unit)
    contact = None
    raw = request.GET.get("kontak")
    if raw:
        if not raw.isdigit():
            raise Http404
        contact = contact_get(user=request.user, pk=int(raw))
        if contact.unit_id != unit.pk:
            raise Http404
        if contact.status == Status.CLOSED:
            messages.error(request, _("Kontak ini sudah selesai."))
            return redirect("intake:detail", pk=contact.pk)
    initial = {}
    if contact is not None:
        initial = {
            "known": contact.subject or "",
            "requested_by": contact.sender_name or contact.sender_address,
        }
    form = TaskForm(
        request.POST or None, unit=unit, with_contact=contact is not None, initial=initial
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            fields = {
                "task_type": data["task_type"],
                "address": data["address"],
                "kelurahan": data["kelurahan"],
                "lat": data["lat"],
                "lon": data["lon"],
                "known": data["known"],
                "requested_by": data["requested_by"],
                "priority": data["priority"],
                "details": data.get("details") or {},
                "planned_for": data.get("planned_for"),
            }
            try:
                if contact is not None:
                    task = services.task_from_contact(actor=request.user, contact=contact, **fields)
                else:
                    task = services.task_create(
                        actor=request.user, unit=unit, source=data["source"], **fields
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Permintaan bantuan lapangan dibuat."))
                return redirect("fieldhelp:detail", pk=task.pk)
        status = 400
    return render(
        request,
        "fieldhelp/new.html",
        {"form": form, "contact": contact, "unit": unit},
        status=status,
    )


def _detail_context(request: DeskRequest, task: Task) -> dict:
    people, items = selectors.dispatchable(unit=task.unit)
    can_write = can(request.user, Action.FIELD_WRITE, task.unit)
    assigned = _is_assigned(request.user, task) and task.unit_id == request.user.unit_id
    steps = task.type.steps or []
    ticks = {t.step: t for t in task.ticks.select_related("by__personnel")}
    return {
        "task": task,
        "unit": task.unit,
        "can_write": can_write and task.is_open,
        "can_act": (can_write or assigned) and task.is_open,
        "timeline": list(selectors.task_timeline(task)),
        "steps": [(i, text, ticks.get(i)) for i, text in enumerate(steps, start=1)],
        "reports": list(task.reports.select_related("by__personnel").prefetch_related("photos")),
        "details": details_display(task.type.family, task.details),
        "lp_draft": task.lp_draft,
        "lp_document": task.lp_draft.document if task.lp_draft else None,
        "can_handoff": (
            task.type.family == Family.TPTKP
            and task.status != "requested"
            and task.unit_id == request.user.unit_id
            and can(request.user, Action.LP_WRITE, task.unit)
        ),
        "photo_max": PHOTO_MAX,
        "assignments": list(
            task.assignments.select_related("personnel", "equipment").order_by("assigned_at")
        ),
        "state": selectors.report_state(task, clock.now()),
        "dispatch_form": DispatchForm(personnel=people, equipment=items),
        "report_form": ReportForm(),
        # One key per report form shown: a double submit or a replay is applied once.
        "report_key": uuid.uuid4().hex,
        "status_key": uuid.uuid4().hex,
        "clear_form": ClearForm(),
        "correction_form": CorrectionForm(),
    }


@desk_login_required
@require_GET
def task_detail(request: DeskRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=pk)
    if not _is_assigned(request.user, task):
        require(request.user, Action.MUTASI_VIEW, task.unit)
    return render(request, "fieldhelp/detail.html", _detail_context(request, task))


def _done(request: DeskRequest, task: Task) -> HttpResponse:
    nxt = request.POST.get("next")
    if nxt == "saya":
        return redirect("fieldhelp:mine")
    return redirect("fieldhelp:detail", pk=task.pk)


@desk_login_required
@require_POST
def task_dispatch(request: DeskRequest, pk: int) -> HttpResponse:
    task = _task_for_write(request, pk)
    people, items = selectors.dispatchable(unit=task.unit)
    form = DispatchForm(request.POST, personnel=people, equipment=items)
    if not form.is_valid():
        messages.error(request, _("Pilihan personel atau inventaris tidak dikenal."))
        return redirect("fieldhelp:detail", pk=task.pk)
    try:
        services.task_dispatch(
            actor=request.user,
            task=task,
            personnel=form.cleaned_data["people"],
            equipment=form.cleaned_data["things"],
            override_reason=form.cleaned_data["override_reason"],
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Petugas diberangkatkan."))
    return redirect("fieldhelp:detail", pk=task.pk)


@desk_login_required
@require_POST
def task_status(request: DeskRequest, pk: int) -> HttpResponse:
    task = _task_for_write(request, pk, officer=True)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Status tidak dikenal."))
        return _done(request, task)
    try:
        services.task_status(actor=request.user, task=task, **form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
    return _done(request, task)


@desk_login_required
@require_POST
def task_correct(request: DeskRequest, pk: int) -> HttpResponse:
    task = _task_for_write(request, pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Koreksi status memerlukan status dan alasan."))
        return redirect("fieldhelp:detail", pk=task.pk)
    try:
        services.task_status(actor=request.user, task=task, correction=True, **form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("fieldhelp:detail", pk=task.pk)


@desk_login_required
@require_POST
def task_step(request: DeskRequest, pk: int) -> HttpResponse:
    task = _task_for_write(request, pk, officer=True)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Langkah tidak dikenal."))
        return _done(request, task)
    try:
        services.task_step_tick(actor=request.user, task=task, step=form.cleaned_data["step"])
    except ValidationError as exc:
        flash_errors(request, exc)
    return _done(request, task)


@desk_login_required
@require_POST
def task_report(request: DeskRequest, pk: int) -> HttpResponse:
    task = _task_for_write(request, pk, officer=True)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Laporan situasi tidak boleh kosong."))
        return _done(request, task)
    files = request.FILES.getlist("photos")
    if len(files) > PHOTO_MAX:
        messages.error(
            request, _("Paling banyak %(n)d foto per laporan situasi.") % {"n": PHOTO_MAX}
        )
        return _done(request, task)
    # One byte over the limit is enough for the service to refuse a photo that is too large.
    photos = [Photo(f.name or "foto", f.read(PHOTO_MAX_BYTES + 1)) for f in files]
    try:
        services.task_report(actor=request.user, task=task, photos=photos, **form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Laporan situasi diterima."))
    return _done(request, task)


@desk_login_required
@require_POST
def task_clear(request: DeskRequest, pk: int) -> HttpResponse:
    task = _task_for_write(request, pk, officer=True)
    form = ClearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Periksa isian penyelesaian."))
        return _done(request, task)
    try:
        services.task_clear(actor=request.user, task=task, **form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Tugas selesai."))
    return _done(request, task)


@desk_login_required
@require_GET
def mine(request: DeskRequest) -> HttpResponse:
    """The assigned officer's phone page: big status buttons, the steps, the report form."""
    tasks = list(selectors.tasks_of_officer(user=request.user))
    cards = [_detail_context(request, t) for t in tasks]
    return render(request, "fieldhelp/mine.html", {"cards": cards})


@desk_login_required
@require_POST
def alert_read(request: DeskRequest, pk: int) -> HttpResponse:
    """The user has seen an alert of the hourly clock; only their own alerts can be marked."""
    request.user.field_alerts.filter(pk=pk, read_at=None).update(read_at=clock.now())
    return redirect("dashboard")


@desk_login_required
@require_POST
def task_lp(request: DeskRequest, pk: int) -> HttpResponse:
    """ "Buat LP model A" on a TPTKP task: the draft with what the task knows, once."""
    task = selectors.task_get(user=request.user, pk=pk)
    require(request.user, Action.LP_WRITE, task.unit)
    try:
        draft, created = task_lp_handoff(actor=request.user, task=task)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("fieldhelp:detail", pk=task.pk)
    if created:
        messages.success(
            request, _("Konsep LP model A dibuat dari tugas ini; periksa lalu terbitkan.")
        )
    else:
        messages.info(request, _("Tugas ini sudah mempunyai konsep LP model A."))
    return redirect("documents:lp-draft", pk=draft.pk)


@desk_login_required
@require_GET
def report_photo(request: DeskRequest, pk: int) -> FileResponse:
    """A photo of a situation report, to those who may see the task (another station: 404)."""
    photo = selectors.report_photo_get(user=request.user, pk=pk)
    task = photo.report.task
    if not _is_assigned(request.user, task):
        require(request.user, Action.MUTASI_VIEW, task.unit)
    try:
        handle = photo.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The officer's phone as an installable app (PWA) ---------------------------------------------
def _pwa_file(name: str, content_type: str, **headers: str) -> HttpResponse:
    from django.contrib.staticfiles import finders

    path = finders.find(f"pwa/{name}")
    if path is None:
        raise Http404
    with open(path, "rb") as handle:
        response = HttpResponse(handle.read(), content_type=content_type)
    for key, value in headers.items():
        response[key] = value
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served under /bantuan/ so its scope covers the officer's page; no data, no login."""
    return _pwa_file(
        "fieldhelp-sw.js",
        "text/javascript; charset=utf-8",
        **{"Service-Worker-Allowed": "/bantuan/"},
    )


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    return _pwa_file("fieldhelp.webmanifest", "application/manifest+json")
