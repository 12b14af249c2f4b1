"""Public pages: no login, no personal data beyond what the document itself shows."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from spkt.core.models import UnitKey
from spkt.core.signing import public_pem, verify_payload
from spkt.documents.models import Document
from spkt.documents.selectors import STATUS_LABELS, document_status

MAX_PARAM = 2000


def _signature_holds(doc: Document, payload_b64: str, signature_b64: str) -> bool:
    key = UnitKey.objects.filter(unit=doc.unit).values_list("public_key", flat=True).first()
    if key is None or len(payload_b64) > MAX_PARAM or len(signature_b64) > MAX_PARAM:
        return False
    payload = verify_payload(key, payload_b64, signature_b64)
    return (
        payload is not None
        and payload.get("k") == doc.verify_token
        and (payload.get("n"), payload.get("t"), payload.get("a"))
        == (doc.number, doc.doc_type, doc.subject_name.upper())
    )


@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    doc = (
        Document.objects.select_related("unit", "void").filter(verify_token=token).first()
        if len(token) <= 32
        else None
    )
    if doc is None:
        return render(request, "portal/verify.html", {"doc": None}, status=404)
    signed = None
    p, s = request.GET.get("p", ""), request.GET.get("s", "")
    if p or s:
        signed = _signature_holds(doc, p, s)
    status = document_status(doc) if signed is not False else "tampered"
    return render(
        request,
        "portal/verify.html",
        {
            "doc": doc,
            "status": status,
            "signed": signed,
            "status_label": STATUS_LABELS.get(status, STATUS_LABELS["valid"]),
        },
    )


def public_key(request: HttpRequest, code: str) -> HttpResponse:
    """The unit's published verification key (PEM), for offline checks of QR payloads."""
    key = UnitKey.objects.filter(unit__code=code).values_list("public_key", flat=True).first()
    if key is None:
        raise Http404
    response = HttpResponse(public_pem(key), content_type="application/x-pem-file")
    response["Content-Disposition"] = f'inline; filename="spkt-{code}.pem"'
    return response
