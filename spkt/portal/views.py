"""Public pages: no login, no personal data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from spkt.documents.models import Document
from spkt.documents.selectors import STATUS_LABELS, document_status


@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    doc = (
        Document.objects.select_related("unit", "void").filter(verify_token=token).first()
        if len(token) <= 32
        else None
    )
    if doc is None:
        return render(request, "portal/verify.html", {"doc": None}, status=404)
    status = document_status(doc)
    return render(
        request,
        "portal/verify.html",
        {
            "doc": doc,
            "status": status,
            "status_label": STATUS_LABELS[status],
        },
    )
