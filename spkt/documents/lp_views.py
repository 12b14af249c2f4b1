"""Desk pages for the Laporan Polisi, the Reskrim queue, and the public tracking page."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from spkt.core.permissions import Action, acting_unit, can, require, visible_units
from spkt.documents import lp, prereg, selectors
from spkt.documents.forms import LpForm, ProgressForm, ReviewForm
from spkt.documents.models import (
    CaseProgress,
    DocType,
    Document,
    DraftStatus,
    LaporanDraft,
    LpModel,
)
from spkt.documents.views import initial_from_source
from spkt.org.selectors import unit_selected


def _draft_or_404(request: HttpRequest, pk: int) -> LaporanDraft:
    draft = (
        LaporanDraft.objects.filter(pk=pk, unit__in=visible_units(request.user))
        .select_related("unit", "citizen", "officer", "reviewed_by", "document")
        .first()
    )
    if draft is None:
        raise Http404
    return draft


def _draft_initial(draft: LaporanDraft) -> dict:
    data = draft.data
    initial = {
        "model": draft.model,
        "classification": draft.classification,
        "officer": draft.officer_id,
        "event_when": datetime.fromisoformat(data["event"]["when"]),
        "event_where": data["event"]["where"],
        "event_what": data["event"]["what"],
        "account": data["account"],
        "evidence": "\n".join(data["evidence"]),
        "actions": "\n".join(data["actions"]),
        "offences": list(draft.offences.all()),
        "reported": data["reported"],
        "victims": data["victims"],
        "witnesses": data["witnesses"],
        "source": data.get("source", ""),
    }
    if draft.citizen:
        c = draft.citizen
        initial.update(
            name=c.name,
            birth_place=c.birth_place,
            birth_date=c.birth_date,
            gender=c.gender,
            religion=c.religion,
            occupation=c.occupation,
            address=c.address,
            phone=c.phone,
            kelurahan=c.kelurahan_id,
        )
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def lp_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    unit = acting_unit(request.user)
    require(request.user, Action.LP_WRITE, unit)
    draft = _draft_or_404(request, pk) if pk else None
    if draft is not None and draft.unit_id != unit.pk:
        raise Http404
    model = draft.model if draft else request.GET.get("model", LpModel.B)
    if model not in LpModel.values:
        raise Http404
    initial = _draft_initial(draft) if draft else {}
    code = request.GET.get("kode", "")
    if request.method == "GET" and code and draft is None:
        try:
            found = prereg.prereg_open(unit=unit, code=code, actor=request.user, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            initial = prereg.prereg_lp_initial(found)
    if draft is None:
        initial.update(initial_from_source(request, unit))
    issued = draft is not None and draft.status == DraftStatus.ISSUED
    if issued:
        return _issued_lp_page(request, draft, unit, model, initial)
    if request.method == "GET" and draft is not None and draft.citizen:
        initial["nik"] = selectors.citizen_nik_for_edit(
            draft.citizen, actor=request.user, request=request
        )
    form = LpForm(request.POST or None, unit=unit, model=model, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = lp.lp_draft_save(
                actor=request.user, unit=unit, content=form.content(), draft=draft
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            if form.cleaned_data.get("prereg"):
                prereg.prereg_mark_used(unit=unit, code=form.cleaned_data["prereg"], document=None)
            messages.success(request, _("Konsep LP disimpan."))
            return redirect("documents:lp-draft", pk=saved.pk)
    return render(
        request,
        "documents/lp_form.html",
        {"form": form, "draft": draft, "unit": unit},
        status=400 if request.method == "POST" else 200,
    )


def _issued_lp_page(
    request: HttpRequest, draft: LaporanDraft, unit, model: str, initial: dict
) -> HttpResponse:
    """An issued LP is not edited (it is reissued from its document page): its form is shown
    read-only with the masked NIK, as on the printed LP (ADR 0009), and nothing is unmasked."""
    if draft.citizen:
        initial["nik"] = draft.citizen.nik_masked
    form = LpForm(unit=unit, model=model, initial=initial)
    people = [f for formset in form.people.values() for f in formset.forms]
    for field in [*form.fields.values(), *(x for f in people for x in f.fields.values())]:
        field.disabled = True
    refused = request.method == "POST"
    if refused:
        messages.error(request, _("LP ini sudah diterbitkan dan tidak dapat diubah."))
    return render(
        request,
        "documents/lp_form.html",
        {"form": form, "draft": draft, "unit": unit, "issued": True},
        status=400 if refused else 200,
    )


@login_required
def lp_draft(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft_or_404(request, pk)
    require(request.user, Action.DOCUMENT_VIEW, draft.unit)
    return render(
        request,
        "documents/lp_draft.html",
        {
            "draft": draft,
            "offences": list(draft.offences.all()),
            "can_write": can(request.user, Action.LP_WRITE, draft.unit),
            "can_review": can(request.user, Action.LP_REVIEW, draft.unit),
            "review_form": ReviewForm(initial={"offences": list(draft.offences.all())}),
            "issue_key": uuid.uuid4().hex,
            "event_when": _when(draft.data.get("event", {}).get("when")),
        },
    )


def _when(value) -> datetime | None:
    """The draft's event time (ISO 8601 in the JSON) as a datetime the page formats."""
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def lp_review(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft_or_404(request, pk)
    require(request.user, Action.LP_REVIEW, draft.unit)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            lp.lp_review(
                actor=request.user,
                draft=draft,
                recommendation=form.cleaned_data["recommendation"],
                offences=list(form.cleaned_data["offences"]),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Gelar awal dicatat."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("documents:lp-draft", pk=draft.pk)


@login_required
@require_POST
def lp_issue(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft_or_404(request, pk)
    require(request.user, Action.LP_WRITE, draft.unit)
    key = request.POST.get("idempotency_key", "")
    try:
        doc = lp.lp_issue(actor=request.user, draft=draft, idempotency_key=key)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("documents:lp-draft", pk=draft.pk)
    messages.success(request, _("Dokumen %(number)s diterbitkan.") % {"number": doc.number})
    return redirect("documents:detail", pk=doc.pk)


@login_required
def reskrim_queue(request: HttpRequest) -> HttpResponse:
    unit = unit_selected(request)
    require(request.user, Action.RESKRIM_QUEUE, unit)
    waiting = (
        LaporanDraft.objects.filter(unit=unit, model=LpModel.B, status=DraftStatus.DRAFT)
        .select_related("citizen", "created_by")
        .order_by("created_at")
    )
    reports = (
        Document.objects.filter(unit=unit, doc_type__in=[DocType.LP_A, DocType.LP_B])
        .select_related("void")
        .prefetch_related(
            Prefetch("progress", queryset=CaseProgress.objects.order_by("-at", "-pk"))
        )
        .order_by("-issued_at")[:100]
    )
    return render(
        request,
        "documents/reskrim.html",
        {
            "unit": unit,
            "waiting": list(waiting),
            "reports": list(reports),
            "can_review": can(request.user, Action.LP_REVIEW, unit),
            "form": ProgressForm(),
        },
    )


@login_required
@require_POST
def progress_add(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.document_get(user=request.user, pk=pk)
    require(request.user, Action.LP_REVIEW, doc.unit)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            lp.progress_add(actor=request.user, lp=doc, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Perkembangan perkara dicatat."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(f"{reverse('documents:reskrim')}?unit={doc.unit_id}")


@never_cache
def track(request: HttpRequest, code: str) -> HttpResponse:
    """Public: the reporter follows the LP with the code printed on the STTLP."""
    code = code.strip().upper()
    doc = (
        Document.objects.filter(tracking_code=code, doc_type__in=[DocType.LP_A, DocType.LP_B])
        .select_related("unit", "void")
        .first()
        if 6 <= len(code) <= 12
        else None
    )
    if doc is None:
        return render(request, "portal/track.html", {"doc": None}, status=404)
    notes = list(doc.progress.order_by("at", "pk").values("at", "stage", "public_note"))
    return render(request, "portal/track.html", {"doc": doc, "notes": notes})


@login_required
@require_POST
def lp_reissue(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.document_get(user=request.user, pk=pk)
    require(request.user, Action.DOCUMENT_VOID, doc.unit)
    try:
        draft = lp.lp_reissue_draft(
            actor=request.user, old=doc, reason=request.POST.get("reason", "")[:500]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("documents:detail", pk=doc.pk)
    messages.success(
        request,
        _("%(number)s dibatalkan; perbaiki konsep lalu terbitkan ulang.") % {"number": doc.number},
    )
    return redirect("documents:lp-draft", pk=draft.pk)
