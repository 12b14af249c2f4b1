"""Registers (SOP activity 4): a unit's books of LP, STTLP and SKTLK, filtered and exported.

The register is read from the issued documents themselves; nothing here writes. Exports carry the
masked NIK only: the full NIK is never decrypted for a register.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from spkt.core.dates import date_in_range
from spkt.core.timeutil import local, local_datetime, today
from spkt.documents.models import DocType, Document
from spkt.documents.selectors import STATUS_LABELS, documents_visible
from spkt.org.models import Kelurahan, Unit, User

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

    def as_dict(self) -> dict:
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


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return user_label(obj)


DATE_ERRORS = {"invalid": _("Tanggal tidak valid; gunakan format TTTT-BB-HH, mis. 2026-11-27.")}


class RegisterFilterForm(forms.Form):
    """The filters of a register page, read from the query string. Officer and kelurahan choices
    are limited to the unit, so another station's ids are rejected as invalid choices."""

    q = forms.CharField(
        label=_("Cari"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Nomor atau nama")}),
        error_messages={"max_length": _("Kata kunci paling banyak %(limit_value)d karakter.")},
    )
    doc_type = forms.ChoiceField(
        label=_("Jenis"),
        required=False,
        choices=[],
        error_messages={"invalid_choice": _("Jenis dokumen tidak valid.")},
    )
    date_from = forms.DateField(
        label=_("Dari tanggal"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
    )
    date_to = forms.DateField(
        label=_("Sampai tanggal"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
    )
    officer = OfficerChoiceField(
        label=_("Petugas"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Semua petugas"),
        error_messages={"invalid_choice": _("Petugas tidak dikenal di register satuan ini.")},
    )
    kelurahan = forms.ModelChoiceField(
        label=_("Kelurahan"),
        queryset=Kelurahan.objects.none(),
        required=False,
        empty_label=_("Semua kelurahan"),
        error_messages={"invalid_choice": _("Kelurahan tidak berada di wilayah satuan ini.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua status")), *((s, STATUS_LABELS[s]) for s in STATUSES)],
        error_messages={"invalid_choice": _("Status tidak valid.")},
    )

    def __init__(self, data=None, *, unit: Unit, kind: str) -> None:
        super().__init__(data)
        self.kind = kind
        self.fields["officer"].queryset = register_officers(unit=unit)
        self.fields["kelurahan"].queryset = unit.kelurahan.all()
        doc_types = REGISTER_KINDS[kind]
        if len(doc_types) > 1:
            choices = [(t, DocType(t).label) for t in doc_types]
            self.fields["doc_type"].choices = [("", _("Semua jenis")), *choices]
        else:
            del self.fields["doc_type"]

    def _clean_date(self, name: str) -> date | None:
        # Far dates are typing mistakes, and a far bound would overflow the date arithmetic.
        value = self.cleaned_data.get(name)
        return date_in_range(value) if value is not None else None

    def clean_date_from(self) -> date | None:
        return self._clean_date("date_from")

    def clean_date_to(self) -> date | None:
        return self._clean_date("date_to")

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Tanggal akhir tidak boleh sebelum tanggal awal."))
        return data

    def filters(self) -> RegisterFilters:
        data = self.cleaned_data
        return RegisterFilters(
            q=data.get("q", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            officer=data["officer"].pk if data.get("officer") else None,
            kelurahan=data["kelurahan"].pk if data.get("kelurahan") else None,
            status=data.get("status", ""),
            doc_type=data.get("doc_type", ""),
        )


# --- The selector -----------------------------------------------------------------------------
def register_rows(
    *, user, unit: Unit, doc_type: str | Sequence[str], filters: RegisterFilters
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
    if doc.is_replaced:
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

    def values(self, *, lp: bool) -> list:
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


# --- Exports ----------------------------------------------------------------------------------
# (header, column width in characters)
COLUMNS = [
    (_("No."), 6),
    (_("Nomor"), 36),
    (_("Jenis"), 24),
    (_("Tanggal terbit (WITA)"), 19),
    (_("Atas nama"), 28),
    (_("NIK"), 19),
    (_("Kelurahan"), 20),
    (_("Petugas"), 24),
    (_("Status"), 13),
    (_("Berlaku sampai"), 15),
]
LP_COLUMNS = [(_("Klasifikasi"), 13), (_("Pasal"), 48)]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _columns(lp: bool) -> list[tuple[str, int]]:
    return [(str(header), width) for header, width in (COLUMNS + LP_COLUMNS if lp else COLUMNS)]


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    # A spreadsheet would run a name typed as "=..." as a formula (CSV injection).
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_csv(rows: Iterable[Document], *, lp: bool = False) -> bytes:
    """The register as CSV: UTF-8 with a BOM so Excel reads it as UTF-8, comma-separated."""
    out = io.StringIO()
    writer = csv.writer(out)
    with translation.override("id"):  # the register is an Indonesian book whatever the UI says
        writer.writerow([header for header, _width in _columns(lp)])
        for entry in register_entries(rows):
            writer.writerow([_csv_cell(v) for v in entry.values(lp=lp)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_xlsx(rows: Iterable[Document], *, lp: bool = False, title: str = "Register") -> bytes:
    """The register as an Excel workbook: a bold frozen header, sized columns, real dates."""
    wb = Workbook(write_only=True)  # streams rows: a large register stays within memory
    ws = wb.create_sheet(title=_sheet_title(title))
    with translation.override("id"):
        columns = _columns(lp)
        for i, (_header, width) in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for name, _width in columns:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        count = 0
        for entry in register_entries(rows):
            ws.append([_xlsx_cell(ws, v) for v in entry.values(lp=lp)])
            count += 1
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _xlsx_cell(ws, value: object) -> WriteOnlyCell:
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, datetime):
        cell.number_format = "DD-MM-YYYY HH:MM"
    elif isinstance(value, date):
        cell.number_format = "DD-MM-YYYY"
    return cell


def _sheet_title(title: str) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return cleaned[:31] or "Register"
