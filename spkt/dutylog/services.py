"""Writes for the duty log: roster, roll call, entries, corrections and the handover.

Every other module records its steps here via ``mutasi_append``; officers write through
``mutasi_write`` (only into the open shift) and correct through ``mutasi_correct``.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from spkt.core import clock
from spkt.core.audit import audit_log
from spkt.core.booktext import book_language, require_book_language
from spkt.core.db import locked_get_or_create
from spkt.core.ledger import GENESIS, ledger_append, ledger_append_many, register_ledgered
from spkt.core.models import LedgerHead
from spkt.core.queueing import enqueue_once
from spkt.core.timeutil import duty_day_bounds, duty_day_of, local
from spkt.dutylog.models import (
    EntryCategory,
    Mutasi,
    MutasiCategory,
    PendingEntry,
    Regu,
    RollCallLine,
    RosterChange,
    RosterChangeKind,
    Shift,
    ShiftStatus,
)
from spkt.dutylog.selectors import shift_on_duty
from spkt.org.models import Personnel, Unit, User

log = logging.getLogger(__name__)
ROTATION_EPOCH = date(2026, 1, 1)
# Lazy: raised inside book_language() (mutasi_append) but read in the officer's language.
SEALED = gettext_lazy(
    "Buku dinas ini sudah disegel pada serah terima dan tidak menerima entri lagi; ulangi pada "
    "dinas yang sedang berjalan."
)


def mutasi_payload(entry: Mutasi) -> dict:
    return {
        "type": "mutasi",
        "unit": entry.unit_id,  # since ADR 0032; older entries lack it and still verify
        "shift": entry.shift_id,
        "at": entry.at,
        "category": entry.category,
        "text": entry.text,
        "red": entry.red,
        "author": entry.author_id,
        "corrects": entry.corrects_id,
    }


register_ledgered(Mutasi, mutasi_payload, kinds=("dutylog.mutasi",))


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    red_default: bool
    order: int


# The SOP's red ink by default for incidents, orders from superiors and handover notes. Rows of
# EntryCategory (global, then per unit) override these by code, add new ones or switch them off.
DEFAULT_CATEGORIES = [
    Category("apel", "Apel", False, 10),
    Category("kejadian", "Kejadian", True, 20),
    Category("laporan_masyarakat", "Laporan masyarakat", False, 30),
    Category("perintah_pimpinan", "Perintah pimpinan", True, 40),
    Category("patroli", "Patroli", False, 50),
    Category("tahanan", "Tahanan", False, 60),
    Category("barang_bukti", "Barang bukti", False, 70),
    Category("serah_terima", "Serah terima", True, 80),
    Category("lain_lain", "Lain-lain", False, 90),
]


def categories_for(unit: Unit) -> dict[str, Category]:
    found = {c.code: c for c in DEFAULT_CATEGORIES}
    rows = EntryCategory.objects.filter(Q(unit=unit) | Q(unit=None))
    for row in sorted(rows, key=lambda r: r.unit_id is not None):  # the unit's own rows win
        if row.active:
            found[row.code] = Category(row.code, row.label, row.red_default, row.order)
        else:
            found.pop(row.code, None)
    return dict(sorted(found.items(), key=lambda item: item[1].order))


# --- The roster -----
def _rotation(unit: Unit, day: date, squads: list[Regu]) -> Regu | None:
    return squads[(day - ROTATION_EPOCH).days % len(squads)] if squads else None


def shift_planned(unit: Unit, day: date, squads: list[Regu]) -> Shift:
    starts_at, ends_at = duty_day_bounds(day, unit.shift_start_hour)
    regu = _rotation(unit, day, squads)
    shift = locked_get_or_create(
        Shift,
        unit=unit,
        starts_at=starts_at,
        defaults={
            "ends_at": ends_at,
            "regu": regu,
            "ka_spkt": regu.head if regu else None,
            "handover_due_at": ends_at + timedelta(minutes=unit.handover_grace_minutes),
        },
    )
    if regu is not None and not shift.members.exists() and shift.regu_id == regu.pk:
        shift.members.set(regu.members.all())
    return shift


def squads_of(unit: Unit) -> list[Regu]:
    return list(Regu.objects.filter(unit=unit).select_related("head").order_by("order", "pk"))


@transaction.atomic
def roster_plan(*, unit: Unit, year: int, month: int, actor: User) -> list[Shift]:
    """Plan every 24-hour shift of a month by rotating the squads; existing shifts are kept."""
    squads = squads_of(unit)
    if not squads:
        raise ValidationError(_("Satuan ini belum memiliki regu jaga."))
    days = calendar.monthrange(year, month)[1]
    shifts = [shift_planned(unit, date(year, month, d), squads) for d in range(1, days + 1)]
    audit_log(
        action="dutylog.roster.planned", actor=actor, unit=unit, data={"year": year, "month": month}
    )
    return shifts


@transaction.atomic
def roster_change(
    *,
    shift: Shift,
    kind: str,
    person: Personnel,
    reason: str,
    actor: User,
    replacement: Personnel | None = None,
) -> RosterChange:
    reason = reason.strip()
    if shift.status != ShiftStatus.PLANNED:
        raise ValidationError(_("Jadwal hanya dapat diubah sebelum dinas dibuka."))
    if not reason:
        raise ValidationError(_("Alasan perubahan jadwal wajib diisi."))
    if person.pk not in shift.lineup():
        raise ValidationError(_("Personel tersebut tidak terjadwal pada dinas ini."))
    if kind == RosterChangeKind.SWAP:
        if replacement is None or replacement.unit_id != shift.unit_id:
            raise ValidationError(_("Pengganti harus personel satuan ini."))
        if replacement.pk in shift.lineup():
            raise ValidationError(_("Pengganti sudah terjadwal pada dinas ini."))
    elif kind != RosterChangeKind.ABSENT:
        raise ValidationError(_("Jenis perubahan tidak dikenal."))
    change = RosterChange.objects.create(
        shift=shift,
        kind=kind,
        person=person,
        reason=reason,
        replacement=replacement,
        by=actor,
        at=clock.now(),
    )
    shift.members.remove(person)
    if replacement is not None:
        shift.members.add(replacement)
        if shift.ka_spkt_id == person.pk:
            Shift.objects.filter(pk=shift.pk).update(ka_spkt=replacement)
    audit_log(
        action=f"dutylog.roster.{kind}",
        actor=actor,
        unit=shift.unit,
        target=shift,
        data={"person": person.pk, "reason": reason},
    )
    return change


# --- Shifts -----
def shift_open_of(unit: Unit) -> Shift | None:
    return (
        Shift.objects.filter(unit=unit, status=ShiftStatus.OPEN).select_related("ka_spkt").first()
    )


@transaction.atomic(savepoint=False)
def shift_current(*, unit: Unit, at: datetime | None = None) -> Shift:
    """The shift whose book takes an entry made at ``at``, by the rule of
    ``selectors.shift_on_duty``: the open shift; with none open, the roster's shift covering
    ``at`` unless it is closed. When the roster holds nothing usable, the shift is planned from
    the squad rotation (the next duty day's if the covering one is already closed). Entries made
    while no shift is open, such as web messages before the unit's first apel, thus wait in a
    planned shift whose book the apel then opens; never in a sealed one.

    Read under the book lock, the shift stays current until the caller's transaction ends: a
    document signed by its Ka SPKT cannot be overtaken by a handover."""
    at = at or clock.now()
    book_lock(unit=unit)
    shift = shift_on_duty(unit=unit, at=at)
    day = duty_day_of(at, unit.shift_start_hour)
    while shift is None or shift.status == ShiftStatus.CLOSED:
        shift = shift_planned(unit, day, squads_of(unit))
        day += timedelta(days=1)
    return shift


def book_lock(*, unit: Unit) -> LedgerHead:
    """Lock the unit's ledger head, which every entry takes anyway (``ledger_append``). Taken
    first, before any shift row, it puts each entry wholly before or wholly after a handover (the
    handover seals the outgoing shift while holding it), and gives every writer one lock order.
    Returns the head, which a caller holding it may pass on (``mutasi_append(head=...)``)."""
    return locked_get_or_create(LedgerHead, unit=unit, defaults={"seq": 0, "hash": GENESIS})


def _roll_call_text(lines: list[RollCallLine]) -> str:
    present = [ln.person for ln in lines if ln.present]
    absent = [ln for ln in lines if not ln.present]
    text = _("hadir %(n)d orang") % {"n": len(present)}
    if absent:
        text += "; " + _("tidak hadir: %(names)s") % {
            "names": ", ".join(f"{ln.person} ({ln.reason})" for ln in absent)
        }
    return text


def _record_roll_call(shift: Shift, roll_call: list[tuple[int, bool, str]]) -> list[RollCallLine]:
    lineup = shift.lineup()
    people = {p.pk: p for p in Personnel.objects.filter(pk__in=lineup)}
    answered = {pid for pid, _present, _reason in roll_call}
    if answered != lineup:
        raise ValidationError(
            _("Apel harus mencatat semua personel dinas, tidak lebih dan tidak kurang.")
        )
    lines = []
    for pid, present, reason in roll_call:
        if not present and not reason.strip():
            raise ValidationError(
                _("Alasan ketidakhadiran %(name)s wajib diisi.") % {"name": people[pid]}
            )
        lines.append(
            RollCallLine(
                shift=shift,
                person=people[pid],
                present=present,
                reason="" if present else reason.strip(),
            )
        )
    if not any(line.present for line in lines):
        raise ValidationError(_("Tidak ada personel yang hadir; dinas tidak dapat dibuka."))
    RollCallLine.objects.bulk_create(lines)
    return lines


def open_with_roll_call(
    shift: Shift, roll_call: list[tuple[int, bool, str]], actor: User, now: datetime
) -> None:
    lines = _record_roll_call(shift, roll_call)
    try:
        with transaction.atomic():
            updated = Shift.objects.filter(pk=shift.pk, status=ShiftStatus.PLANNED).update(
                status=ShiftStatus.OPEN, opened_at=now
            )
    except IntegrityError:
        updated = 0
    if updated != 1:
        raise ValidationError(_("Sudah ada dinas jaga lain yang sedang berjalan di satuan ini."))
    shift.status, shift.opened_at = ShiftStatus.OPEN, now
    with book_language():
        regu = shift.regu.name if shift.regu else _("dinas jaga")
        mutasi_append(
            unit=shift.unit,
            shift=shift,
            actor=actor,
            category=MutasiCategory.APEL,
            text=_("Apel pembukaan %(regu)s: %(roll)s.")
            % {"regu": regu, "roll": _roll_call_text(lines)},
        )


@transaction.atomic
def shift_open(*, shift: Shift, actor: User, roll_call: list[tuple[int, bool, str]]) -> Shift:
    """Open a shift with its roll call when no shift of the unit is open (the first one, or after
    a gap). Otherwise shifts open through the handover from the shift before."""
    book_lock(unit=shift.unit)
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.status != ShiftStatus.PLANNED:
        raise ValidationError(_("Dinas ini sudah pernah dibuka."))
    if shift_open_of(shift.unit) is not None:
        raise ValidationError(_("Sudah ada dinas jaga lain yang sedang berjalan di satuan ini."))
    now = clock.now()
    if now < shift.starts_at - timedelta(hours=1) or now >= shift.ends_at:
        raise ValidationError(_("Dinas hanya dapat dibuka pada waktunya."))
    open_with_roll_call(shift, roll_call, actor, now)
    audit_log(action="dutylog.shift.opened", actor=actor, unit=shift.unit, target=shift)
    return shift


# --- Entries -----
@transaction.atomic(savepoint=False)
def mutasi_append(
    *,
    unit: Unit,
    text: str,
    category: str,
    actor: User | None = None,
    at: datetime | None = None,
    red: bool | None = None,
    corrects: Mutasi | None = None,
    shift: Shift | None = None,
    head: LedgerHead | None = None,
    categories: dict[str, Category] | None = None,
) -> Mutasi:
    """Append an entry to the Buku Mutasi. A caller that already holds the shift passes it. A
    caller that holds the book lock and has checked under it that ``shift`` is not sealed passes
    the ``head`` it locked (and may pass the unit's ``categories`` it read before the lock).
    The caller composes ``text`` inside ``book_language()``: the book is Indonesian."""
    require_book_language("mutasi_append")
    if categories is not None and category in categories and (text or "").strip():
        text = text.strip()
    else:
        text, categories = _checked(unit, text, category)
    at = at or clock.now()
    if head is not None and shift is not None:
        pass  # the caller holds the book lock and checked the shift under it
    else:
        # Under the book lock no handover can seal a shift until this entry commits, and one
        # that sealed it before is visible: the shift is chosen (or checked) only now.
        head = book_lock(unit=unit)
        if shift is None:
            shift = shift_current(unit=unit, at=at)
        elif Shift.objects.filter(pk=shift.pk, status=ShiftStatus.CLOSED).exists():
            # The database refuses it too (migration dutylog 0006); this says why, in words.
            raise ValidationError(SEALED)
    entry = Mutasi(
        unit=unit,
        shift=shift,
        at=at,
        category=category,
        text=text,
        red=categories[category].red_default if red is None else red,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        corrects=corrects,
    )
    entry.ledger_entry = ledger_append(
        unit=unit, kind="dutylog.mutasi", payload=mutasi_payload(entry), head=head
    )
    entry.save()
    return entry


def _checked(unit: Unit, text: str, category: str) -> tuple[str, dict[str, Category]]:
    text = (text or "").strip()
    # Lazy: these reach the officer, and are read after book_language() has ended.
    if not text:
        raise ValidationError(gettext_lazy("Uraian mutasi tidak boleh kosong."))
    categories = categories_for(unit)
    if category not in categories:
        raise ValidationError(gettext_lazy("Kategori mutasi tidak dikenal."))
    return text, categories


def mutasi_append_later(
    *,
    unit: Unit,
    text: str,
    category: str,
    actor: User | None = None,
    at: datetime | None = None,
    red: bool | None = None,
    flush: bool = True,
) -> PendingEntry:
    """Record an entry for the book without taking the book lock: one insert in the caller's
    transaction. The worker appends it right after the commit (``mutasi_flush``); the clock and
    every handover flush what a stopped worker left. The entry keeps its own time ``at``. A
    built-in category with ``red`` left out takes the unit's red ink for it when it is flushed.
    ``flush=False``: the caller flushes the unit itself once its transaction has committed (a
    worker's batch, ``mutasi_flush_batch``), so no task is queued for it."""
    require_book_language("mutasi_append_later")
    if category in MutasiCategory.values:
        # A built-in category needs no lookup on the hot path; one a unit has switched off
        # since is filed under "lain-lain" by the flush.
        text = (text or "").strip()
        if not text:
            raise ValidationError(gettext_lazy("Uraian mutasi tidak boleh kosong."))
    else:
        text, categories = _checked(unit, text, category)
        red = categories[category].red_default if red is None else red
    pending = PendingEntry.objects.create(
        unit=unit,
        at=at or clock.now(),
        category=category,
        text=text,
        red=red,
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if flush:
        transaction.on_commit(lambda: _enqueue_flush(unit.pk))
    return pending


def _enqueue_flush(unit_id: int) -> None:
    from spkt.dutylog.tasks import mutasi_flush_task

    # One flush waiting per unit: sixteen phones tapping give the worker a few flushes, not one
    # per tap that would each find the queue already emptied.
    enqueue_once("mutasi", unit_id, mutasi_flush_task)


@transaction.atomic
def mutasi_flush(*, unit: Unit, limit: int = 500) -> int:
    """Append the unit's waiting entries to the book in time order under one book lock, and
    delete them in the same transaction. Two flushes of one unit queue on the lock; the second
    finds nothing left. The entries are chained with one INSERT (``ledger_append_many``) and
    stored with another. Returns how many entries were written."""
    head = book_lock(unit=unit)
    waiting = list(PendingEntry.objects.filter(unit=unit).order_by("at", "pk")[:limit])
    if not waiting:
        return 0
    categories = categories_for(unit)
    entries: list[Mutasi] = []
    shift: Shift | None = None
    for pending in waiting:
        # The open shift takes every entry whatever its hour (``shift_on_duty``); without one,
        # each entry goes to the shift its time falls in. Under the book lock neither changes.
        if shift is None or not (
            shift.status == ShiftStatus.OPEN or shift.starts_at <= pending.at < shift.ends_at
        ):
            shift = shift_current(unit=unit, at=pending.at)
        # A category retired since the tap must not hold the book up: file it under "lain-lain".
        category = pending.category if pending.category in categories else MutasiCategory.LAIN_LAIN
        red = pending.red
        if red is None:
            red = categories[category].red_default
        entries.append(
            Mutasi(
                unit=unit,
                shift=shift,
                at=pending.at,
                category=category,
                text=pending.text,
                red=red,
                author_id=pending.author_id,
            )
        )
    chain = ledger_append_many(
        unit=unit,
        kind="dutylog.mutasi",
        payloads=[mutasi_payload(entry) for entry in entries],
        head=head,
    )
    for entry, link in zip(entries, chain, strict=True):
        entry.ledger_entry = link
    Mutasi.objects.bulk_create(entries)
    PendingEntry.objects.filter(pk__in=[p.pk for p in waiting]).delete()
    return len(waiting)


def mutasi_flush_batch(unit: Unit) -> None:
    """Flush the unit's waiting entries right after a worker's batch committed them
    (``mutasi_append_later(flush=False)``). A failure is logged and left to the clock's sweep,
    which flushes every unit with entries waiting; the batch itself is done."""
    try:
        mutasi_flush(unit=unit)
    except Exception:
        log.exception("book entries of unit %s left for the clock's flush", unit.pk)


def mutasi_flush_all(*, limit: int = 500) -> int:
    """The clock's sweep: every unit with entries still waiting (a worker stopped or was slow)."""
    units = Unit.objects.filter(pk__in=PendingEntry.objects.values("unit_id").distinct()).order_by(
        "pk"
    )
    return sum(mutasi_flush(unit=unit, limit=limit) for unit in units)


@transaction.atomic
def mutasi_write(
    *,
    actor: User,
    unit: Unit,
    text: str,
    category: str,
    at: datetime | None = None,
    red: bool | None = None,
) -> Mutasi:
    """An officer's own entry: only into the open shift, timed within it and not in the future."""
    shift = shift_open_of(unit)
    if shift is None:
        raise ValidationError(_("Belum ada dinas jaga yang dibuka; lakukan apel pembukaan dulu."))
    now = clock.now()
    at = at or now
    if at > now + timedelta(minutes=1):
        raise ValidationError(_("Waktu entri tidak boleh di masa depan."))
    if at < (shift.opened_at or shift.starts_at):
        raise ValidationError(_("Waktu entri berada di luar dinas jaga yang sedang berjalan."))
    with book_language():
        entry = mutasi_append(
            unit=unit, shift=shift, actor=actor, text=text, category=category, at=at, red=red
        )
    audit_log(action="dutylog.mutasi.written", actor=actor, unit=unit, target=entry)
    return entry


@transaction.atomic
def mutasi_correct(*, actor: User, original: Mutasi, text: str) -> Mutasi:
    """A correction is a new entry in the open shift that points at the entry it corrects."""
    shift = shift_open_of(original.unit)
    if shift is None:
        raise ValidationError(_("Belum ada dinas jaga yang dibuka; lakukan apel pembukaan dulu."))
    if not (text or "").strip():
        raise ValidationError(_("Isi koreksi tidak boleh kosong."))
    with book_language():
        entry = mutasi_append(
            unit=original.unit,
            shift=shift,
            actor=actor,
            category=original.category,
            red=original.red,
            corrects=original,
            text=_("Koreksi atas entri %(time)s: %(text)s")
            % {"time": local(original.at).strftime("%d-%m-%Y %H:%M"), "text": text.strip()},
        )
    audit_log(
        action="dutylog.mutasi.corrected",
        actor=actor,
        unit=original.unit,
        target=entry,
        data={"corrects": original.pk},
    )
    return entry


def mutasi_change_refused(
    *, actor: User, entry: Mutasi, method: str, request: HttpRequest | None = None
) -> None:
    """Entries are never edited or deleted; an attempt is itself recorded."""
    audit_log(
        action="dutylog.mutasi.change_refused",
        actor=actor,
        unit=entry.unit,
        target=entry,
        data={"method": method},
        request=request,
    )
