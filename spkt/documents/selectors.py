"""Reads for documents, always within the units the user may see."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from spkt.core.models import LedgerEntry
from spkt.core.permissions import visible_units
from spkt.core.timeutil import today
from spkt.documents.models import Document, DocumentVoid

STATUS_LABELS = {
    "valid": _("Sah"),
    "void": _("Dibatalkan"),
    "expired": _("Kedaluwarsa"),
    "replaced": _("Diganti"),
    "tampered": _("Tidak sah"),
    "inconsistent": _("Catatan tidak konsisten"),
}


def documents_visible(*, user) -> QuerySet[Document]:
    return Document.objects.filter(unit__in=visible_units(user))


def document_list(*, user, unit=None) -> QuerySet[Document]:
    qs = documents_visible(user=user).select_related("unit", "issued_by", "void", "file")
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.order_by("-issued_at", "-pk")


def document_get(*, user, pk: int) -> Document:
    doc = (
        documents_visible(user=user)
        .select_related("unit", "issued_by", "void", "file", "replaces", "parent")
        .filter(pk=pk)
        .first()
    )
    if doc is None:
        raise Http404
    return doc


def documents_between(*, unit, start: datetime, end: datetime) -> QuerySet[Document]:
    return (
        Document.objects.filter(unit=unit, issued_at__gte=start, issued_at__lt=end)
        .select_related("issued_by", "void")
        .order_by("issued_at", "pk")
    )


def document_status(doc: Document, *, on: date | None = None) -> str:
    if hasattr(doc, "void"):
        return "void"
    if doc.replaced_by.exists():
        return "replaced"
    if doc.valid_until is not None and doc.valid_until < (on or today()):
        return "expired"
    return "valid"


def document_public_status(doc: Document, *, on: date | None = None) -> str:
    """``document_status`` for the public verification page, cross-checked with the ledger: a
    void or replacement the ledger records is never "Sah" even if its row is gone, and rows that
    disagree with the ledger make the record "inconsistent"."""
    return document_status(doc, on=on) if _ledger_agrees(doc) else "inconsistent"


def _ledger_agrees(doc: Document) -> bool:
    from spkt.core.ledger import record_problem
    from spkt.documents.services import ISSUED, VOIDED

    # Both lookups are served by partial indexes on the ledger (core 0006).
    ledger_voids = set(
        LedgerEntry.objects.filter(kind=VOIDED, payload__document=doc.pk).values_list(
            "pk", flat=True
        )
    )
    ledger_replacements = set(
        LedgerEntry.objects.filter(kind=ISSUED, payload__replaces=doc.pk).values_list(
            "pk", flat=True
        )
    )
    void = DocumentVoid.objects.select_related("ledger_entry").filter(document=doc).first()
    row_voids = {void.ledger_entry_id} if void else set()
    row_replacements = set(doc.replaced_by.values_list("ledger_entry_id", flat=True))
    if ledger_voids != row_voids or ledger_replacements != row_replacements:
        return False
    entry = LedgerEntry.objects.filter(pk=doc.ledger_entry_id).first()
    if entry is None or record_problem(doc, entry) is not None:
        return False
    return void is None or record_problem(void, void.ledger_entry) is None


def citizen_nik_for_edit(citizen, *, actor, request=None) -> str:
    """The full NIK, for a form that must carry it; every such view is audit-logged."""
    from spkt.core.audit import audit_log
    from spkt.core.nik import nik_decrypt

    audit_log(
        action="citizen.nik.unmasked",
        actor=actor,
        unit=citizen.unit,
        target=citizen,
        data={"via": "edit"},
        request=request,
    )
    return nik_decrypt(citizen.nik_encrypted)
