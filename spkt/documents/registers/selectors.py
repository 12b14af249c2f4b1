"""Registers (SOP activity 4): the reads. A unit's books of LP, STTLP and SKTLK are read from the
issued documents themselves; nothing here writes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from spkt.core.timeutil import local, local_datetime, today
from spkt.documents.models import DocType, Document
from spkt.documents.selectors import STATUS_LABELS, documents_visible
from spkt.org.models import Unit, User

REGISTER_KINDS: dict[str, tuple[str, ...]] = {
    "lp": (DocType.LP_A, DocType.LP_B),
    "sttlp": (DocType.STTLP,),
    "sktlk": (DocType.SKTLK,),
}
REGISTER_TITLES = {
    "lp": _("Register LP"),
    "sttlp": _("Register STTLP"),
    "sktlk": _("Register SKTLK"),
}
STATUSES = ("valid", "void", "expired", "replaced")


# --- Filters ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegisterFilters:
    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    officer: int | None = None  # issued_by user id
    kelurahan: int | None = None  # the citizen's kelurahan id
    status: str = ""  # one of STATUSES
    doc_type: str = ""  # LP register only: LP_A or LP_B

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe, for the audit log of an export."""
        return {
            "q": self.q,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "officer": self.officer,
            "kelurahan": self.kelurahan,
            "status": self.status,
            "doc_type": self.doc_type,
        }


def user_label(user: User) -> str:
    return user.get_full_name() or user.get_username()


def register_officers(*, unit: Unit) -> QuerySet[User]:
    """Whoever issued a document at the unit: the officers a register can be filtered by."""
    issued_here = Document.objects.filter(unit=unit, issued_by=OuterRef("pk"))
    return User.objects.filter(Exists(issued_here)).order_by("first_name", "last_name", "username")


# --- The selector -----------------------------------------------------------------------------
def register_rows(
    *, user: User, unit: Unit, doc_type: str | Sequence[str], filters: RegisterFilters
) -> QuerySet[Document]:
    """The unit's documents of ``doc_type`` (one type or several) that match ``filters``, oldest
    first as a register book runs. Each row carries ``is_replaced`` so its status needs no query."""
    doc_types = (doc_type,) if isinstance(doc_type, str) else tuple(doc_type)
    qs = (
        documents_visible(user=user)
        .filter(unit=unit, doc_type__in=doc_types)
        .annotate(is_replaced=Exists(Document.objects.filter(replaces=OuterRef("pk"))))
        .select_related("issued_by", "void", "citizen__kelurahan")
    )
    if filters.doc_type:
        qs = qs.filter(doc_type=filters.doc_type)
    if filters.q:
        qs = qs.filter(Q(number__icontains=filters.q) | Q(subject_name__icontains=filters.q))
    # Issue dates are WITA days: the bounds are local midnights, stored as UTC.
    if filters.date_from:
        qs = qs.filter(issued_at__gte=local_datetime(filters.date_from))
    if filters.date_to:
        qs = qs.filter(issued_at__lt=local_datetime(filters.date_to + timedelta(days=1)))
    if filters.officer:
        qs = qs.filter(issued_by_id=filters.officer)
    if filters.kelurahan:
        qs = qs.filter(citizen__kelurahan_id=filters.kelurahan)
    if filters.status:
        qs = qs.filter(_status_q(filters.status))
    return qs.order_by("issued_at", "pk")


def _status_q(status: str) -> Q:
    # The same precedence as selectors.document_status: void, then replaced, then expired.
    if status == "void":
        return Q(void__isnull=False)
    live = Q(void__isnull=True, is_replaced=False)
    if status == "replaced":
        return Q(void__isnull=True, is_replaced=True)
    if status == "expired":
        return live & Q(valid_until__lt=today())
    if status == "valid":
        return live & (Q(valid_until__isnull=True) | Q(valid_until__gte=today()))
    raise ValueError(status)


# --- Rows as printed --------------------------------------------------------------------------
def row_status(doc: Document, *, on: date | None = None) -> str:
    """selectors.document_status without a query, for rows from ``register_rows``."""
    if hasattr(doc, "void"):
        return "void"
    if doc.is_replaced:  # type: ignore[attr-defined]  # annotated by register_rows
        return "replaced"
    if doc.valid_until is not None and doc.valid_until < (on or today()):
        return "expired"
    return "valid"


def offence_text(offence: object) -> str:
    if not isinstance(offence, dict):
        return ""
    article = str(offence.get("article", "")).strip()
    if article and not article.lower().startswith("pasal"):
        article = f"Pasal {article}"
    return f"{article} {str(offence.get('book', '')).strip()}".strip()


@dataclass(frozen=True)
class RegisterEntry:
    """One line of a register: its number in the book, the document and its status."""

    no: int
    doc: Document
    status: str

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def issued_local(self) -> datetime:
        return local(self.doc.issued_at)

    @property
    def nik_masked(self) -> str:
        return self.doc.citizen.nik_masked if self.doc.citizen else ""

    @property
    def kelurahan(self) -> str:
        citizen = self.doc.citizen
        return citizen.kelurahan.name if citizen and citizen.kelurahan else ""

    @property
    def officer(self) -> str:
        return user_label(self.doc.issued_by)

    @property
    def classification(self) -> str:
        snapshot = self.doc.snapshot if isinstance(self.doc.snapshot, dict) else {}
        return str(snapshot.get("classification") or "")

    @property
    def pasal(self) -> str:
        snapshot = self.doc.snapshot if isinstance(self.doc.snapshot, dict) else {}
        offences = snapshot.get("offence") or []
        if not isinstance(offences, list):
            return ""
        return ", ".join(text for text in map(offence_text, offences) if text)

    def values(self, *, lp: bool) -> list[Any]:
        """The cells in column order (COLUMNS, then LP_COLUMNS for the LP register)."""
        doc = self.doc
        cells = [
            self.no,
            doc.number,
            str(doc.get_doc_type_display()),
            self.issued_local.replace(tzinfo=None),
            doc.subject_name,
            self.nik_masked,
            self.kelurahan,
            self.officer,
            self.status_label,
            doc.valid_until,
        ]
        if lp:
            cells += [self.classification, self.pasal]
        return cells


def register_entries(
    rows: Iterable[Document], *, start: int = 1, step: int = 1
) -> Iterator[RegisterEntry]:
    on = today()
    for i, doc in enumerate(rows):
        yield RegisterEntry(no=start + i * step, doc=doc, status=row_status(doc, on=on))
