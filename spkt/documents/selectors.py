"""Reads for documents, always within the units the user may see."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from spkt.core.models import LedgerEntry
from spkt.core.timeutil import today
from spkt.documents.models import (
    CaseProgress,
    Citizen,
    DocType,
    Document,
    DocumentVoid,
    DraftStatus,
    LaporanDraft,
    LpModel,
)
from spkt.org.models import Unit, User
from spkt.org.permissions import visible_units

if TYPE_CHECKING:
    from spkt.dutylog.models import Shift
    from spkt.org.models import Unit

STATUS_LABELS = {
    "valid": _("Sah"),
    "void": _("Dibatalkan"),
    "expired": _("Kedaluwarsa"),
    "replaced": _("Diganti"),
    "tampered": _("Tidak sah"),
    "inconsistent": _("Catatan tidak konsisten"),
}


def documents_visible(*, user: User) -> QuerySet[Document]:
    return Document.objects.filter(unit__in=visible_units(user))


def document_list(*, user: User, unit: Unit | None = None) -> QuerySet[Document]:
    qs = documents_visible(user=user).select_related("unit", "issued_by", "void", "file")
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.order_by("-issued_at", "-pk")


def document_get(*, user: User, pk: int) -> Document:
    return get_object_or_404(
        documents_visible(user=user)
        .select_related("unit", "issued_by", "void", "file", "replaces", "parent")
        .filter(pk=pk)
    )


def documents_between(*, unit: Unit, start: datetime, end: datetime) -> QuerySet[Document]:
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


def citizen_nik_for_edit(
    citizen: Citizen, *, actor: User, request: HttpRequest | None = None
) -> str:
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


# --- The desk's work list (issue 12, item 3) ---------------------------------------------------
def lp_drafts_open(*, unit: Unit) -> QuerySet[LaporanDraft]:
    """The unit's LP drafts not yet reviewed: model B waits for Reskrim's gelar awal, model A
    for the desk to issue it. Oldest first: the longest wait is the first to chase."""
    return (
        LaporanDraft.objects.filter(unit=unit, status=DraftStatus.DRAFT)
        .select_related("citizen", "created_by__personnel")
        .order_by("created_at", "pk")
    )


def lp_drafts_reviewed(*, unit: Unit) -> QuerySet[LaporanDraft]:
    """Drafts Reskrim has reviewed and the desk has not issued yet, newest review first."""
    return (
        LaporanDraft.objects.filter(unit=unit, status=DraftStatus.REVIEWED)
        .select_related("citizen", "reviewed_by__personnel")
        .order_by("-reviewed_at", "-pk")
    )


def documents_to_hand_over(
    *, unit: Unit, shift: Shift | None = None, since: datetime | None = None
) -> QuerySet[Document]:
    """Documents issued in the shift on duty (or since a moment when no shift is open), not
    voided: the papers the desk prints, has signed and hands to the citizen."""
    qs = Document.objects.filter(unit=unit, void__isnull=True)
    if shift is not None:
        qs = qs.filter(shift=shift)
    elif since is not None:
        qs = qs.filter(issued_at__gte=since)
    else:
        return qs.none()
    return qs.select_related("file").order_by("-issued_at", "-pk")


# --- Laporan Polisi: one read per object, within the units the user may see --------------------
def lp_draft_get(*, user: User, pk: int) -> LaporanDraft:
    """An LP draft of a unit the user may see, or 404."""
    return get_object_or_404(
        LaporanDraft.objects.filter(pk=pk, unit__in=visible_units(user)).select_related(
            "unit", "citizen", "officer", "reviewed_by", "created_by", "document"
        )
    )


def lp_drafts_awaiting_review(*, unit: Unit) -> QuerySet[LaporanDraft]:
    """Model-B drafts waiting for Reskrim's gelar awal, oldest first (the Reskrim queue)."""
    return (
        LaporanDraft.objects.filter(unit=unit, model=LpModel.B, status=DraftStatus.DRAFT)
        .select_related("citizen", "created_by")
        .order_by("created_at")
    )


def lp_reports(*, unit: Unit, limit: int = 100) -> list[Document]:
    """The unit's issued Laporan Polisi, newest first, with their progress notes."""
    return list(
        Document.objects.filter(unit=unit, doc_type__in=[DocType.LP_A, DocType.LP_B])
        .select_related("void")
        .prefetch_related(
            Prefetch("progress", queryset=CaseProgress.objects.order_by("-at", "-pk"))
        )
        .order_by("-issued_at")[:limit]
    )
