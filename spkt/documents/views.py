"""Desk pages for documents: thin — parse, check permission, call one service, render."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from spkt.core.audit import audit_log
from spkt.core.decorators import desk_login_required
from spkt.core.errors import messages_text
from spkt.documents import prereg, selectors, services, sources
from spkt.documents.forms import LookupForm, ReissueForm, SktlkForm, VoidForm
from spkt.documents.models import Document
from spkt.org.models import Unit
from spkt.org.permissions import Action, acting_unit, can, require
from spkt.org.request_types import DeskRequest
from spkt.org.selectors import unit_selected


@desk_login_required
def document_list(request: DeskRequest) -> HttpResponse:
    require(request.user, Action.DOCUMENT_VIEW)
    unit = unit_selected(request) if request.GET.get("unit") else None
    page = Paginator(selectors.document_list(user=request.user, unit=unit), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "documents/list.html", {"page": page, "unit": unit})


@desk_login_required
@require_http_methods(["GET", "POST"])
def sktlk_new(request: DeskRequest) -> HttpResponse:
    require(request.user, Action.SKTLK_ISSUE)
    unit = acting_unit(request.user)
    require(request.user, Action.SKTLK_ISSUE, unit)
    initial = {}
    lookup = LookupForm(request.GET or None)
    if request.method == "GET" and lookup.is_valid():
        try:
            if lookup.cleaned_data["kode"]:
                found = prereg.prereg_open(
                    unit=unit, code=lookup.cleaned_data["kode"], actor=request.user, request=request
                )
                initial = prereg.prereg_initial(found)
                messages.info(request, _("Data pra-registrasi dimuat; cocokkan dengan KTP asli."))
            elif lookup.cleaned_data["cari"]:
                initial = (
                    prereg.citizen_lookup(
                        unit=unit,
                        query=lookup.cleaned_data["cari"],
                        actor=request.user,
                        request=request,
                    )
                    or {}
                )
                if not initial:
                    messages.warning(request, _("Warga tidak ditemukan; isi data baru."))
        except ValidationError as exc:
            messages.error(request, messages_text(exc))
    # A citizen found by the lookup is the better record; the contact adds what was told.
    initial = {**initial_from_source(request, unit), **initial}
    form = SktlkForm(request.POST or None, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            doc = services.sktlk_issue(
                actor=request.user,
                unit=unit,
                citizen=form.citizen(),
                items=form.items(),
                lost_on=form.cleaned_data["lost_on"],
                lost_place=form.cleaned_data["lost_place"],
                chronology=form.cleaned_data["chronology"],
                idempotency_key=form.cleaned_data["idempotency_key"],
                prereg_code=form.cleaned_data["prereg"],
                source=form.cleaned_data["source"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Dokumen %(number)s diterbitkan.") % {"number": doc.number})
            return redirect("documents:detail", pk=doc.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "documents/sktlk_form.html",
        {"form": form, "unit": unit, "lookup": LookupForm()},
        status=status,
    )


def initial_from_source(request: DeskRequest, unit: Unit) -> dict[str, Any]:
    """``?sumber=kontak:42``: the form starts from what the citizen already told the desk, and
    issuing closes that contact with the document (spkt.documents.sources)."""
    value = request.GET.get("sumber", "")
    if request.method != "GET" or not value:
        return {}
    try:
        initial = sources.source_prefill(user=request.user, unit=unit, value=value)
    except ValidationError as exc:
        messages.error(request, messages_text(exc))
        return {}
    messages.info(
        request,
        _("Data dari %(source)s dimuat; lengkapi dan cocokkan dengan KTP asli.")
        % {"source": sources.source_label(value)},
    )
    return initial


@desk_login_required
def document_detail(request: DeskRequest, pk: int) -> HttpResponse:
    doc = selectors.document_get(user=request.user, pk=pk)
    require(request.user, Action.DOCUMENT_VIEW, doc.unit)
    return render(
        request,
        "documents/detail.html",
        {
            "doc": doc,
            "status": selectors.document_status(doc),
            "status_label": selectors.STATUS_LABELS[selectors.document_status(doc)],
            "can_void": can(request.user, Action.DOCUMENT_VOID, doc.unit),
            "can_extend": doc.doc_type == "SKTLK"
            and can(request.user, Action.SKTLK_ISSUE, doc.unit),
            "extend_key": uuid.uuid4().hex,
            "children": list(doc.children.all()),
            "progress": list(doc.progress.order_by("at", "pk")),
            "void_form": VoidForm(),
        },
    )


@desk_login_required
def document_pdf(request: DeskRequest, pk: int) -> FileResponse:
    doc = selectors.document_get(user=request.user, pk=pk)
    require(request.user, Action.DOCUMENT_VIEW, doc.unit)
    return pdf_response(request, doc, attachment=request.GET.get("inline") != "1")


def pdf_response(request: HttpRequest, doc: Document, *, attachment: bool) -> FileResponse:
    """The stored PDF as rendered at issue, with its hash; every download is audit-logged."""
    stored = services.document_pdf_ensure(document_id=doc.pk)
    audit_log(
        action="document.pdf.downloaded",
        actor=request.user,
        unit=doc.unit,
        target=doc,
        request=request,
    )
    response = FileResponse(
        stored.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=attachment,
        filename=doc.number.replace("/", "-") + ".pdf",
    )
    response["X-Content-SHA256"] = stored.sha256
    return response


@desk_login_required
@require_POST
def document_void(request: DeskRequest, pk: int) -> HttpResponse:
    doc = selectors.document_get(user=request.user, pk=pk)
    require(request.user, Action.DOCUMENT_VOID, doc.unit)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.document_void(
                actor=request.user, document=doc, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, messages_text(exc))
        else:
            messages.success(request, _("Dokumen %(number)s dibatalkan.") % {"number": doc.number})
    else:
        messages.error(request, _("Alasan pembatalan wajib diisi."))
    return redirect("documents:detail", pk=doc.pk)


@desk_login_required
@require_POST
def sktlk_extend(request: DeskRequest, pk: int) -> HttpResponse:
    doc = selectors.document_get(user=request.user, pk=pk)
    require(request.user, Action.SKTLK_ISSUE, doc.unit)
    try:
        new = services.sktlk_extend(
            actor=request.user, old=doc, idempotency_key=request.POST.get("idempotency_key", "")
        )
    except ValidationError as exc:
        messages.error(request, messages_text(exc))
        return redirect("documents:detail", pk=doc.pk)
    messages.success(request, _("SKTLK diperpanjang dengan %(number)s.") % {"number": new.number})
    return redirect("documents:detail", pk=new.pk)


@desk_login_required
@require_http_methods(["GET", "POST"])
def sktlk_reissue(request: DeskRequest, pk: int) -> HttpResponse:
    """Correct an SKTLK: the old one is voided with the reason, the new one gets a new number."""
    old = selectors.document_get(user=request.user, pk=pk)
    require(request.user, Action.DOCUMENT_VOID, old.unit)
    if old.doc_type != "SKTLK" or hasattr(old, "void"):
        raise Http404
    initial = {}
    if request.method == "GET" and old.citizen is not None:
        initial = prereg.citizen_initial(
            citizen=old.citizen, actor=request.user, via="reissue", request=request
        )
        for item in old.snapshot.get("items", []):
            initial[f"item_{item['kind']}"] = True
            initial[f"detail_{item['kind']}"] = item.get("details", "")
        initial.update(
            lost_place=old.snapshot.get("lost_place", ""),
            chronology=old.snapshot.get("chronology", ""),
        )
    form = ReissueForm(request.POST or None, unit=old.unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            doc = services.sktlk_reissue(
                actor=request.user,
                old=old,
                reason=form.cleaned_data["reason"],
                citizen=form.citizen(),
                items=form.items(),
                lost_on=form.cleaned_data["lost_on"],
                lost_place=form.cleaned_data["lost_place"],
                chronology=form.cleaned_data["chronology"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("%(old)s dibatalkan; diganti %(new)s.") % {"old": old.number, "new": doc.number},
            )
            return redirect("documents:detail", pk=doc.pk)
    return render(
        request,
        "documents/sktlk_form.html",
        {"form": form, "unit": old.unit, "reissue_of": old},
        status=400 if request.method == "POST" else 200,
    )
