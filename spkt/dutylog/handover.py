"""The serah terima (handover) from the outgoing squad to the incoming one.

1. ``handover_start``: the checklist is filled from the unit's inventory and from what the last
   handover carried forward (detainees, evidence, open cases).
2. ``handover_count``: the incoming squad records what it counted; a difference needs a reason.
3. ``handover_confirm``: both squad heads confirm with their own credentials; the outgoing book is
   sealed, the incoming shift opens with its roll call, and every difference becomes a red entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from spkt.core import clock
from spkt.core.audit import audit_log
from spkt.core.booktext import book_language
from spkt.core.timeutil import duty_day_of
from spkt.dutylog.models import (
    Handover,
    HandoverItem,
    HandoverStatus,
    ItemKind,
    MutasiCategory,
    Shift,
    ShiftStatus,
)
from spkt.dutylog.services import (
    book_lock,
    mutasi_append,
    mutasi_flush,
    open_with_roll_call,
    shift_planned,
    squads_of,
)
from spkt.org.models import Equipment, Personnel, User

CARRIED = (ItemKind.DETAINEE, ItemKind.EVIDENCE, ItemKind.OPEN_CASE)


@dataclass(frozen=True)
class Count:
    counted: int
    odometer: int | None = None
    fuel: str = ""
    condition: str = ""
    discrepancy_reason: str = ""


def _next_shift(outgoing: Shift) -> Shift:
    unit = outgoing.unit
    nxt = Shift.objects.filter(unit=unit, starts_at=outgoing.ends_at).first()
    if nxt is None:
        day = duty_day_of(outgoing.ends_at, unit.shift_start_hour)
        nxt = shift_planned(unit, day, squads_of(unit))
    return nxt


@transaction.atomic
def handover_start(*, outgoing: Shift, actor: User) -> Handover:
    outgoing = Shift.objects.select_for_update().get(pk=outgoing.pk)
    if outgoing.status != ShiftStatus.OPEN:
        raise ValidationError(_("Hanya dinas yang sedang berjalan yang dapat diserahterimakan."))
    existing = Handover.objects.filter(outgoing=outgoing).first()
    if existing is not None:
        return existing
    incoming = _next_shift(outgoing)
    handover = Handover.objects.create(
        outgoing=outgoing, incoming=incoming, started_by=actor, started_at=clock.now()
    )
    items = [
        HandoverItem(handover=handover, kind=ItemKind.PERSONNEL, label=str(p), expected=1)
        for p in Personnel.objects.filter(pk__in=outgoing.lineup()).order_by("name")
    ]
    items += [
        HandoverItem(
            handover=handover,
            kind=e.kind,
            label=e.name,
            serial=e.serial,
            expected=e.quantity,
            equipment=e,
        )
        for e in Equipment.objects.filter(unit=outgoing.unit, active=True)
    ]
    previous = (
        Handover.objects.filter(incoming__unit=outgoing.unit, status=HandoverStatus.DONE)
        .order_by("-confirmed_at")
        .first()
    )
    if previous is not None:
        items += [
            HandoverItem(
                handover=handover,
                kind=i.kind,
                label=i.label,
                serial=i.serial,
                expected=i.counted if i.counted is not None else i.expected,
            )
            for i in previous.items.filter(kind__in=CARRIED)
            if (i.counted if i.counted is not None else i.expected) > 0
        ]
    HandoverItem.objects.bulk_create(items)
    audit_log(action="dutylog.handover.started", actor=actor, unit=outgoing.unit, target=handover)
    return handover


@transaction.atomic
def handover_add_item(
    *, handover: Handover, kind: str, label: str, expected: int = 1, serial: str = "", actor: User
) -> HandoverItem:
    """Add a line the inventory does not hold: a detainee by name, evidence, an open case."""
    _draft(handover)
    label = label.strip()
    if kind not in ItemKind.values or not label:
        raise ValidationError(_("Jenis dan uraian baris serah terima wajib diisi."))
    if expected < 0:
        raise ValidationError(_("Jumlah tidak boleh negatif."))
    return HandoverItem.objects.create(
        handover=handover, kind=kind, label=label, serial=serial.strip(), expected=expected
    )


def _draft(handover: Handover) -> None:
    if handover.status != HandoverStatus.DRAFT:
        raise ValidationError(_("Serah terima ini sudah selesai dan tidak dapat diubah."))


@transaction.atomic
def handover_count(
    *, handover: Handover, counts: dict[int, Count], notes: str, actor: User
) -> Handover:
    handover = Handover.objects.select_for_update().get(pk=handover.pk)
    _draft(handover)
    items = {i.pk: i for i in handover.items.all()}
    unknown = set(counts) - set(items)
    if unknown:
        raise ValidationError(_("Baris serah terima tidak dikenal."))
    for pk, count in counts.items():
        if count.counted < 0:
            raise ValidationError(_("Jumlah tidak boleh negatif."))
        item = items[pk]
        item.counted = count.counted
        item.odometer = count.odometer
        item.fuel = count.fuel.strip()
        item.condition = count.condition.strip()
        item.discrepancy_reason = count.discrepancy_reason.strip()
    HandoverItem.objects.bulk_update(
        [items[pk] for pk in counts],
        ["counted", "odometer", "fuel", "condition", "discrepancy_reason"],
    )
    handover.notes = notes.strip()
    handover.save(update_fields=["notes"])
    return handover


def _check_confirmer(user: User | None, shift: Shift, side: str) -> Personnel:
    person = getattr(user, "personnel", None) if user is not None else None
    heads = {shift.ka_spkt_id, shift.regu.head_id if shift.regu else None} - {None}
    if person is None or person.pk not in heads:
        raise ValidationError(
            _("Konfirmasi %(side)s harus oleh kepala regu yang bersangkutan.") % {"side": side}
        )
    return person


@transaction.atomic
def handover_confirm(
    *,
    handover: Handover,
    outgoing_user: User | None,
    incoming_user: User | None,
    roll_call: list[tuple[int, bool, str]],
    actor: User,
) -> Handover:
    """Both heads have authenticated (the view checks their passwords); seal and open.

    In one transaction the outgoing shift is closed (its book sealed by the summary entry) and the
    incoming one opened, so from this commit on the incoming shift is current everywhere
    (``selectors.shift_on_duty``), even before the outgoing shift's planned end."""
    book_lock(unit=handover.outgoing.unit)  # before the shift rows: the order every writer uses
    # Entries still on their way (a field tap a moment ago) belong to the book being sealed.
    mutasi_flush(unit=handover.outgoing.unit)
    handover = Handover.objects.select_for_update().get(pk=handover.pk)
    _draft(handover)
    outgoing = Shift.objects.select_for_update().get(pk=handover.outgoing_id)
    incoming = Shift.objects.select_for_update().get(pk=handover.incoming_id)
    out_person = _check_confirmer(outgoing_user, outgoing, _("regu lama"))
    in_person = _check_confirmer(incoming_user, incoming, _("regu baru"))
    if out_person.pk == in_person.pk:
        raise ValidationError(_("Kedua konfirmasi harus oleh orang yang berbeda."))
    items = list(handover.items.all())
    if any(i.counted is None for i in items):
        raise ValidationError(_("Semua baris serah terima harus dihitung lebih dulu."))
    missing_reason = [i for i in items if i.discrepant and not i.discrepancy_reason]
    if missing_reason:
        raise ValidationError(
            _("Selisih pada %(items)s hanya dapat ditutup dengan alasan tertulis.")
            % {"items": ", ".join(i.label for i in missing_reason)}
        )
    now = clock.now()
    unit = outgoing.unit
    with book_language():
        for item in items:
            if item.discrepant:
                mutasi_append(
                    unit=unit,
                    shift=outgoing,
                    actor=actor,
                    category=MutasiCategory.SERAH_TERIMA,
                    red=True,
                    text=_(
                        "Selisih serah terima — %(label)s%(serial)s: tercatat %(exp)d, "
                        "dihitung %(cnt)d. Alasan: %(reason)s"
                    )
                    % {
                        "label": item.label,
                        "serial": f" ({item.serial})" if item.serial else "",
                        "exp": item.expected,
                        "cnt": item.counted,
                        "reason": item.discrepancy_reason,
                    },
                )
        summary = mutasi_append(
            unit=unit,
            shift=outgoing,
            actor=actor,
            category=MutasiCategory.SERAH_TERIMA,
            text=_summary(handover, items, out_person, in_person),
        )
    Shift.objects.filter(pk=outgoing.pk).update(status=ShiftStatus.CLOSED, closed_at=now)
    open_with_roll_call(incoming, roll_call, actor, now)
    Handover.objects.filter(pk=handover.pk).update(
        status=HandoverStatus.DONE,
        outgoing_confirmed_by=out_person,
        incoming_confirmed_by=in_person,
        confirmed_at=now,
        seal_entry=summary.ledger_entry,
    )
    handover.refresh_from_db()
    audit_log(action="dutylog.handover.confirmed", actor=actor, unit=unit, target=handover)
    return handover


def _summary(
    handover: Handover, items: list[HandoverItem], out_p: Personnel, in_p: Personnel
) -> str:
    def count(kind: str) -> int:
        return sum(i.counted or 0 for i in items if i.kind == kind)

    detainees = [i.label for i in items if i.kind == ItemKind.DETAINEE and i.counted]
    parts = [
        _("personel %(n)d") % {"n": count(ItemKind.PERSONNEL)},
        _("senjata %(n)d") % {"n": count(ItemKind.WEAPON)},
        _("amunisi %(n)d") % {"n": count(ItemKind.AMMO)},
        _("HT %(n)d") % {"n": count(ItemKind.RADIO)},
        _("kendaraan %(n)d") % {"n": count(ItemKind.VEHICLE)},
        _("tahanan %(n)d") % {"n": count(ItemKind.DETAINEE)}
        + (f" ({', '.join(detainees)})" if detainees else ""),
        _("barang bukti %(n)d") % {"n": count(ItemKind.EVIDENCE)},
        _("perkara terbuka %(n)d") % {"n": count(ItemKind.OPEN_CASE)},
    ]
    text = _(
        "Serah terima dinas %(out)s kepada %(in)s: %(parts)s. Dikonfirmasi oleh %(a)s dan %(b)s."
    ) % {
        "out": handover.outgoing.regu or "-",
        "in": handover.incoming.regu or "-",
        "parts": "; ".join(parts),
        "a": out_p,
        "b": in_p,
    }
    if handover.notes:
        text += " " + _("Catatan: %(notes)s") % {"notes": handover.notes}
    return text
