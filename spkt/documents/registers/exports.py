"""Registers: the exports (CSV with a BOM, XLSX through openpyxl). Exports carry the masked NIK
only: the full NIK is never decrypted for a register."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from spkt.documents.models import Document
from spkt.documents.registers.selectors import register_entries

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

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


def csv_cell(value: object) -> object:
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
            writer.writerow([csv_cell(v) for v in entry.values(lp=lp)])
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
            ws.append([xlsx_cell(ws, v) for v in entry.values(lp=lp)])
            count += 1
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_cell(ws: WriteOnlyWorksheet, value: object) -> WriteOnlyCell:
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
