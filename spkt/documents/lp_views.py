"""Desk pages for the Laporan Polisi, the Reskrim queue, and the public tracking page."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from spkt.core.decorators import desk_login_required
from spkt.core.errors import messages_text
from spkt.documents import lp, prereg, selectors
from spkt.documents.forms import LpForm, ProgressForm, ReviewForm
from spkt.documents.models import (
    DocType,
    Document,
    DraftStatus,
    LaporanDraft,
    LpModel,
)
from spkt.documents.views import initial_from_source
from spkt.org.models import Unit
from spkt.org.permissions import Action, acting_unit, can, require
from spkt.org.request_types import DeskRequest
from spkt.org.selectors import unit_selected


def _draft_or_404(request: DeskRequest, pk: int) -> LaporanDraft:
    return selectors.lp_draft_get(user=request.user, pk=pk)


def _draft_initial(draft: LaporanDraft) -> dict[str, Any]:
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
        "reporter_is_victim": bool(data.get("reporter_is_victim")),
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


@desk_login_required
@require_http_methods(["GET", "POST"])
def lp_edit(request: DeskRequest, pk: int | None = None) -> HttpResponse:
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
            messages.error(request, messages_text(exc))
        else:
            initial = prereg.prereg_lp_initial(found)
    if draft is None:
        initial.update(initial_from_source(request, unit))
    if draft is not None and draft.status == DraftStatus.ISSUED:
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
            messages.success(request, _("Konsep LP disimpan."))
            return redirect("documents:lp-draft", pk=saved.pk)
    return render(
        request,
        "documents/lp_form.html",
        {"form": form, "draft": draft, "unit": unit, "issued": False},
        status=400 if request.method == "POST" else 200,
    )


def _issued_lp_page(
    request: DeskRequest, draft: LaporanDraft, unit: Unit, model: str, initial: dict[str, Any]
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


@desk_login_required
def lp_draft(request: DeskRequest, pk: int) -> HttpResponse:
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
            "people": {key: _people_rows(draft.data.get(key, [])) for key in lp.PEOPLE_LISTS},
            "reporter_is_victim": bool(draft.data.get("reporter_is_victim")),
        },
    )


def _people_rows(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """A people list of the draft as the page shows it: the name, then what else is known."""
    details = [k for k in lp.PERSON_KEYS if k != "name"]
    return [
        {"name": row.get("name", ""), "details": ", ".join(row[k] for k in details if row.get(k))}
        for row in rows
    ]


@desk_login_required
@require_POST
def lp_review(request: DeskRequest, pk: int) -> HttpResponse:
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
            messages.error(request, messages_text(exc))
        else:
            messages.success(request, _("Gelar awal dicatat."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("documents:lp-draft", pk=draft.pk)


@desk_login_required
@require_POST
def lp_issue(request: DeskRequest, pk: int) -> HttpResponse:
    draft = _draft_or_404(request, pk)
    require(request.user, Action.LP_WRITE, draft.unit)
    key = request.POST.get("idempotency_key", "")
    try:
        doc = lp.lp_issue(actor=request.user, draft=draft, idempotency_key=key)
    except ValidationError as exc:
        messages.error(request, messages_text(exc))
        return redirect("documents:lp-draft", pk=draft.pk)
    messages.success(request, _("Dokumen %(number)s diterbitkan.") % {"number": doc.number})
    return redirect("documents:detail", pk=doc.pk)


@desk_login_required
def reskrim_queue(request: DeskRequest) -> HttpResponse:
    unit = unit_selected(request)
    require(request.user, Action.RESKRIM_QUEUE, unit)
    return render(
        request,
        "documents/reskrim.html",
        {
            "unit": unit,
            "waiting": list(selectors.lp_drafts_awaiting_review(unit=unit)),
            "reports": selectors.lp_reports(unit=unit),
            "can_review": can(request.user, Action.LP_REVIEW, unit),
            "form": ProgressForm(),
        },
    )


@desk_login_required
@require_POST
def progress_add(request: DeskRequest, pk: int) -> HttpResponse:
    doc = selectors.document_get(user=request.user, pk=pk)
    require(request.user, Action.LP_REVIEW, doc.unit)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            lp.progress_add(actor=request.user, lp=doc, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, messages_text(exc))
        else:
            messages.success(request, _("Perkembangan perkara dicatat."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
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
    # Each line with its stage and date (issue 12, item 5); only what the reporter may read.
    notes = [
        {"at": p.at, "stage": p.stage, "label": p.get_stage_display(), "note": p.public_note}
        for p in doc.progress.order_by("at", "pk").only("at", "stage", "public_note")
    ]
    return render(request, "portal/track.html", {"doc": doc, "notes": notes})


@desk_login_required
@require_POST
def lp_reissue(request: DeskRequest, pk: int) -> HttpResponse:
    doc = selectors.document_get(user=request.user, pk=pk)
    require(request.user, Action.DOCUMENT_VOID, doc.unit)
    try:
        draft = lp.lp_reissue_draft(
            actor=request.user, old=doc, reason=request.POST.get("reason", "")[:500]
        )
    except ValidationError as exc:
        messages.error(request, messages_text(exc))
        return redirect("documents:detail", pk=doc.pk)
    messages.success(
        request,
        _("%(number)s dibatalkan; perbaiki konsep lalu terbitkan ulang.") % {"number": doc.number},
    )
    return redirect("documents:lp-draft", pk=draft.pk)
