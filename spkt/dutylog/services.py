"""Writes for the duty log. Every other module records its steps here via ``mutasi_append``."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from spkt.core import clock
from spkt.core.db import locked_get_or_create
from spkt.core.ledger import ledger_append, register_ledgered
from spkt.core.timeutil import duty_day_bounds, duty_day_of
from spkt.dutylog.models import Mutasi, MutasiCategory, Regu, Shift
from spkt.org.models import Unit

# The SOP's red ink: by default incidents, orders from superiors and handover notes.
RED_BY_DEFAULT = frozenset(
    {
        MutasiCategory.KEJADIAN,
        MutasiCategory.PERINTAH_PIMPINAN,
        MutasiCategory.SERAH_TERIMA,
    }
)
ROTATION_EPOCH = date(2026, 1, 1)


def mutasi_payload(entry: Mutasi) -> dict:
    return {
        "type": "mutasi",
        "shift": entry.shift_id,
        "at": entry.at,
        "category": entry.category,
        "text": entry.text,
        "red": entry.red,
        "author": entry.author_id,
        "corrects": entry.corrects_id,
    }


register_ledgered(Mutasi, mutasi_payload)


@transaction.atomic(savepoint=False)
def shift_current(*, unit: Unit, at: datetime | None = None) -> Shift:
    """The shift covering ``at``; created from the squad rotation when the roster has none yet."""
    at = at or clock.now()
    day = duty_day_of(at, unit.shift_start_hour)
    starts_at, ends_at = duty_day_bounds(day, unit.shift_start_hour)
    existing = (
        Shift.objects.filter(unit=unit, starts_at__lte=at, ends_at__gt=at)
        .select_related("ka_spkt")
        .first()
    )
    if existing:
        return existing
    squads = list(Regu.objects.filter(unit=unit).select_related("head").order_by("order", "pk"))
    regu = squads[(day - ROTATION_EPOCH).days % len(squads)] if squads else None
    return locked_get_or_create(
        Shift,
        unit=unit,
        starts_at=starts_at,
        defaults={"ends_at": ends_at, "regu": regu, "ka_spkt": regu.head if regu else None},
    )


@transaction.atomic(savepoint=False)
def mutasi_append(
    *,
    unit: Unit,
    text: str,
    category: str,
    actor=None,
    at: datetime | None = None,
    red: bool | None = None,
    corrects: Mutasi | None = None,
    shift: Shift | None = None,
) -> Mutasi:
    """Append an entry to the Buku Mutasi of the shift covering ``at``. A caller that already
    holds that shift passes it to save a query."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Uraian mutasi tidak boleh kosong."))
    if category not in MutasiCategory.values:
        raise ValidationError(_("Kategori mutasi tidak dikenal."))
    at = at or clock.now()
    if shift is None or not shift.starts_at <= at < shift.ends_at:
        shift = shift_current(unit=unit, at=at)
    entry = Mutasi(
        unit=unit,
        shift=shift,
        at=at,
        category=category,
        text=text,
        red=(category in RED_BY_DEFAULT) if red is None else red,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        corrects=corrects,
    )
    entry.ledger_entry = ledger_append(
        unit=unit, kind="dutylog.mutasi", payload=mutasi_payload(entry)
    )
    entry.save()
    return entry
