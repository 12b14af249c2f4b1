"""What each kind of field task needs to be planned and reported, beyond place and what is known.

Kept as data on the task (``Task.details``, JSON) and checked here, one list of fields per family:
- Pengamanan kegiatan (event security): the event, its organiser, the permit or notification,
  the expected crowd, the posts and the personnel plan;
- Turjawali: the route and its check-in points (patrol), who or what is escorted (escort);
- Ranmor: the matter (a traffic accident handed to Lantas, a stolen or found vehicle, a check) and
  the plate.
TPTKP needs nothing more: its seven steps are ticked on the task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from spkt.fieldhelp.models import Family

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_TEXT = 500
MAX_LINES = 30


@dataclass(frozen=True)
class DetailField:
    name: str
    label: StrOrPromise
    kind: str = "text"  # text | lines | count | choice
    choices: tuple[tuple[str, StrOrPromise], ...] = ()


RANMOR_MATTERS = (
    ("laka", _("Kecelakaan lalu lintas (diserahkan ke Lantas)")),
    ("hilang", _("Kendaraan hilang")),
    ("temuan", _("Kendaraan ditemukan")),
    ("periksa", _("Pemeriksaan kendaraan")),
)

FIELDS: dict[str, tuple[DetailField, ...]] = {
    Family.PENGAMANAN: (
        DetailField("event", _("Nama kegiatan")),
        DetailField("organiser", _("Penyelenggara")),
        DetailField("permit", _("Nomor izin / surat pemberitahuan")),
        DetailField("crowd", _("Perkiraan jumlah massa"), "count"),
        DetailField("posts", _("Pos pengamanan (satu per baris)"), "lines"),
        DetailField("plan", _("Rencana personel")),
    ),
    Family.TURJAWALI: (
        DetailField("route", _("Rute")),
        DetailField("checkpoints", _("Titik cek (satu per baris)"), "lines"),
        DetailField("escorted", _("Yang dikawal")),
    ),
    Family.RANMOR: (
        DetailField("matter", _("Perkara kendaraan"), "choice", RANMOR_MATTERS),
        DetailField("plate", _("Nomor polisi kendaraan")),
    ),
    Family.TPTKP: (),
}


def fields_for(family: str) -> tuple[DetailField, ...]:
    return FIELDS.get(family, ())


def details_clean(family: str, raw: dict | None) -> dict:
    """The details of a task of ``family``, checked; keys of other families are refused, so a
    client learns of its mistake instead of losing what it sent."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValidationError(_("Rincian tugas harus berupa pasangan nama dan isi."))
    known = {f.name: f for f in fields_for(family)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ValidationError(
            _("Rincian tidak dikenal untuk jenis tugas ini: %(names)s")
            % {"names": ", ".join(str(n)[:30] for n in unknown[:5])}
        )
    clean: dict = {}
    for name, value in raw.items():
        field = known[name]
        if value in (None, "", []):
            continue
        clean[name] = _value(field, value)
    return clean


def _value(field: DetailField, value: object) -> object:
    if field.kind == "count":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationError(_("%(label)s harus bilangan bulat.") % {"label": field.label})
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValidationError(
                _("%(label)s harus bilangan bulat.") % {"label": field.label}
            ) from None
        if not 0 <= number <= 10_000_000:
            raise ValidationError(
                _("%(label)s di luar rentang yang masuk akal.") % {"label": field.label}
            )
        return number
    if field.kind == "lines" and isinstance(value, list):
        # Already lines (checked once before, or sent so by a client): each must be text.
        if not all(isinstance(line, str) for line in value):
            raise ValidationError(_("%(label)s harus berupa teks.") % {"label": field.label})
        value = "\n".join(value)
    if not isinstance(value, str):
        raise ValidationError(_("%(label)s harus berupa teks.") % {"label": field.label})
    text = value.strip()
    if len(text) > MAX_TEXT * (4 if field.kind == "lines" else 1):
        raise ValidationError(_("%(label)s terlalu panjang.") % {"label": field.label})
    if field.kind == "choice":
        if text not in dict(field.choices):
            raise ValidationError(_("%(label)s tidak dikenal.") % {"label": field.label})
        return text
    if field.kind == "lines":
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) > MAX_LINES:
            raise ValidationError(
                _("%(label)s: paling banyak %(n)d baris.") % {"label": field.label, "n": MAX_LINES}
            )
        return lines
    return text


def details_display(family: str, details: dict) -> list[tuple[str, str]]:
    """(label, text) in the family's order, for the task page and the register."""
    rows = []
    for field in fields_for(family):
        value = (details or {}).get(field.name)
        if value in (None, "", []):
            continue
        if field.kind == "lines":
            text = "; ".join(value)
        elif field.kind == "choice":
            text = str(dict(field.choices).get(value, value))
        else:
            text = str(value)
        rows.append((str(field.label), text))
    return rows
