"""Writes for field help: create, dispatch, status, steps, situation reports, clearance.

Dispatch, arrival and clearance are written to the Buku Mutasi in the same transaction (red for
the types marked red, TPTKP); an override of the dispatch rules is a red entry with its reason.
Status updates and reports carry an idempotency key from the phone, so a replay is applied once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.utils.translation import gettext as _

from spkt.core import clock
from spkt.core.audit import audit_log
from spkt.core.booktext import book_language
from spkt.dutylog.models import MutasiCategory
from spkt.dutylog.selectors import shift_on_duty
from spkt.dutylog.services import mutasi_append, mutasi_append_later
from spkt.fieldhelp.defaults import task_types_ensure
from spkt.fieldhelp.details import details_clean
from spkt.fieldhelp.models import (
    CLOSED_STATUSES,
    STATUS_ORDER,
    AssetKind,
    Assignment,
    Family,
    Priority,
    SituationReport,
    Source,
    StatusEvent,
    StepTick,
    Task,
    TaskStatus,
    TaskType,
)
from spkt.fieldhelp.photos import Photo, photos_check, photos_store
from spkt.intake.models import Contact
from spkt.org.models import Equipment, Kelurahan, Personnel, Unit, User

M = TypeVar("M", bound=models.Model)

# Statuses an officer moves a task to with task_status; clearance goes through task_clear.
ADVANCE = (TaskStatus.EN_ROUTE, TaskStatus.ON_SCENE)


def book_category(task_type: TaskType) -> str:
    if task_type.family in (Family.TURJAWALI, Family.PENGAMANAN):
        return MutasiCategory.PATROLI
    return MutasiCategory.KEJADIAN


def _book(task: Task, actor: User | None, text: str, *, red: bool | None = None) -> None:
    """Append a Mutasi entry about the task (text composed by the caller in book_language)."""
    mutasi_append(
        unit=task.unit,
        actor=actor,
        category=book_category(task.type),
        red=task.type.red if red is None else red,
        text=text,
    )


def _coordinate(value: Any, low: int, high: int, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(label)s bukan angka.") % {"label": label}) from None
    if not number.is_finite() or not low <= number <= high:
        raise ValidationError(
            _("%(label)s harus di antara %(low)d dan %(high)d.")
            % {"label": label, "low": low, "high": high}
        )
    return number.quantize(Decimal("0.000001"))


def accuracy(value: Any) -> int | None:
    """The phone's accuracy in metres (browsers give a float); absurd values are refused."""
    if value in (None, ""):
        return None
    try:
        metres = float(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Akurasi lokasi bukan angka.")) from None
    if not 0 <= metres <= 100_000:
        raise ValidationError(_("Akurasi lokasi tidak masuk akal."))
    return round(metres)


def coordinates(lat: Any, lon: Any) -> tuple[Decimal | None, Decimal | None]:
    """Both or neither, each within its range."""
    lat_d = _coordinate(lat, -90, 90, _("Lintang"))
    lon_d = _coordinate(lon, -180, 180, _("Bujur"))
    if (lat_d is None) != (lon_d is None):
        raise ValidationError(_("Isi lintang dan bujur bersama-sama."))
    return lat_d, lon_d


def task_types_for(unit: Unit) -> list[TaskType]:
    """The types a unit uses: its own rows, and the shipped defaults it has not replaced."""
    if not TaskType.objects.filter(unit=None).exists():
        task_types_ensure()  # the global rows went missing (a flushed test database)
    rows = TaskType.objects.filter(Q(unit=unit) | Q(unit=None), active=True)
    by_code: dict[str, TaskType] = {}
    for row in rows.order_by("order", "code"):
        if row.unit_id is not None or row.code not in by_code:
            by_code[row.code] = row
    return sorted(by_code.values(), key=lambda t: (t.order, t.code))


def _interval(task: Task) -> timedelta:
    return timedelta(minutes=task.type.report_interval_minutes)


def _event(task: Task, status: str, actor: User | None, at: datetime, **extra: Any) -> StatusEvent:
    return StatusEvent.objects.create(
        task=task,
        status=status,
        at=at,
        by=actor if getattr(actor, "is_authenticated", False) else None,
        **extra,
    )


def _check_open(task: Task) -> None:
    if task.status in CLOSED_STATUSES:
        raise ValidationError(_("Tugas ini sudah selesai dan tidak dapat diubah lagi."))


def _locked(
    task: Task, *, replay_of: type[models.Model] | None = None, key: str | None = None
) -> Task:
    """The task under its row lock, with its type and unit read in the same query. Only the task
    row is locked (``of=self``; FOR UPDATE would also lock the unit's row and queue every phone of
    the station behind each other), and as NO KEY UPDATE, so rows pointing at the task (its
    events) insert without waiting. With ``replay_of`` and a key, the same query tells whether an
    update with that key was already applied (``task.replayed_pk``)."""
    rows = Task.objects.select_for_update(of=("self",), no_key=True).select_related("type", "unit")
    if replay_of is not None:
        rows = rows.annotate(
            replayed_pk=Subquery(
                replay_of._default_manager.filter(task=OuterRef("pk"), idempotency_key=key).values(
                    "pk"
                )[:1]
            )
            if key
            else Value(None, output_field=models.IntegerField())
        )
    return rows.get(pk=task.pk)


# --- Create ------------------------------------------------------------------------------------
@transaction.atomic
def task_create(
    *,
    actor: User,
    unit: Unit,
    task_type: TaskType,
    source: str,
    address: str,
    kelurahan: Kelurahan | None = None,
    lat: Any = None,
    lon: Any = None,
    known: str = "",
    requested_by: str = "",
    priority: str = Priority.NORMAL,
    contact: Contact | None = None,
    planned_for: datetime | None = None,
    details: dict | None = None,
) -> Task:
    if source not in Source.values:
        raise ValidationError(_("Sumber permintaan tidak dikenal."))
    if priority not in Priority.values:
        raise ValidationError(_("Prioritas tidak dikenal."))
    if task_type.pk not in {t.pk for t in task_types_for(unit)}:
        raise ValidationError(_("Jenis bantuan lapangan tidak dikenal pada satuan ini."))
    if kelurahan is not None and kelurahan.unit_id != unit.pk:
        raise ValidationError(_("Kelurahan bukan wilayah satuan ini."))
    if contact is not None and contact.unit_id != unit.pk:
        raise ValidationError(_("Kontak bukan milik satuan ini."))
    if source == Source.CONTACT and contact is None:
        raise ValidationError(_("Permintaan dari kontak memerlukan kontaknya."))
    address = (address or "").strip()
    if not address:
        raise ValidationError(_("Alamat lokasi wajib diisi."))
    lat_d, lon_d = coordinates(lat, lon)
    checked = details_clean(task_type.family, details)
    now = clock.now()
    _check_plan(planned_for, now)
    task = Task.objects.create(
        unit=unit,
        type=task_type,
        source=source,
        contact=contact,
        address=address,
        kelurahan=kelurahan,
        lat=lat_d,
        lon=lon_d,
        known=(known or "").strip(),
        details=checked,
        requested_by=(requested_by or "").strip(),
        priority=priority,
        planned_for=planned_for,
        requested_at=now,
        created_by=actor,
    )
    _event(task, TaskStatus.REQUESTED, actor, now)
    audit_log(action="fieldhelp.task.created", actor=actor, unit=unit, target=task)
    return task


def _check_plan(planned_for: datetime | None, now: datetime) -> None:
    """When a planned task (an event to secure, the week's Turjawali) is to happen, if given:
    within a year."""
    if planned_for is None:
        return
    if planned_for.tzinfo is None:
        raise ValidationError(_("Waktu pelaksanaan harus menyertakan zona waktu."))
    if not now - timedelta(days=1) <= planned_for <= now + timedelta(days=366):
        raise ValidationError(_("Waktu pelaksanaan harus antara kemarin dan satu tahun ke depan."))


# --- Dispatch ----------------------------------------------------------------------------------
def _active_elsewhere(
    task: Task, *, personnel: Iterable[Personnel] = (), equipment: Iterable[Equipment] = ()
) -> dict[tuple[str, int], int]:
    """(kind, asset id) -> task id of the asset's active assignment on another task."""
    found: dict[tuple[str, int], int] = {}
    rows = Assignment.objects.filter(active=True).exclude(task=task)
    for pid, tid in rows.filter(personnel__in=personnel).values_list("personnel", "task"):
        found[("p", pid)] = tid
    for eid, tid in rows.filter(equipment__in=equipment).values_list("equipment", "task"):
        found[("e", eid)] = tid
    return found


def _problem_texts(problems: list[tuple[str, object]]) -> list[str]:
    """In the current language: the officer's screen, or the book inside book_language()."""
    texts = {
        "off_duty": _("%(x)s tidak sedang dinas jaga."),
        "busy": _("%(x)s sedang ditugaskan pada tugas lain."),
        "out": _("%(x)s sedang dipakai pada tugas lain."),
    }
    return [texts[kind] % {"x": thing} for kind, thing in problems]


@transaction.atomic
def task_dispatch(
    *,
    actor: User,
    task: Task,
    personnel: Iterable[Personnel] = (),
    equipment: Iterable[Equipment] = (),
    override_reason: str = "",
) -> Task:
    """Assign officers of the shift on duty and items of the unit's inventory. An officer not in
    the lineup or busy on another task, or an item already out, is refused unless the desk gives
    a reason: then it is moved here and the override is a red Buku Mutasi entry."""
    task = _locked(task)
    _check_open(task)
    people = list(dict.fromkeys(personnel))
    items = list(dict.fromkeys(equipment))
    if not people and not items:
        raise ValidationError(_("Pilih sedikitnya satu personel atau satu inventaris."))
    for person in people:
        if person.unit_id != task.unit_id or not person.active:
            raise ValidationError(_("Personel bukan anggota satuan ini."))
    for item in items:
        if item.unit_id != task.unit_id or not item.active:
            raise ValidationError(_("Inventaris bukan milik satuan ini."))
    here = set(
        Assignment.objects.filter(task=task, active=True).values_list("personnel", "equipment")
    )
    people = [p for p in people if (p.pk, None) not in here]
    items = [e for e in items if (None, e.pk) not in here]
    if not people and not items:
        raise ValidationError(_("Semua yang dipilih sudah ditugaskan pada tugas ini."))
    shift = shift_on_duty(unit=task.unit)
    lineup = shift.lineup() if shift is not None else set()
    busy = _active_elsewhere(task, personnel=people, equipment=items)
    problems: list[tuple[str, object]] = []
    for person in people:
        if person.pk not in lineup:
            problems.append(("off_duty", person))
        if ("p", person.pk) in busy:
            problems.append(("busy", person))
    for item in items:
        if ("e", item.pk) in busy:
            problems.append(("out", item))
    reason = (override_reason or "").strip()
    if problems and not reason:
        raise ValidationError(_problem_texts(problems))
    now = clock.now()
    moved = sorted(set(busy.values()))
    if busy:
        # Override: the asset leaves its other task now.
        Assignment.objects.filter(active=True).exclude(task=task).filter(
            personnel__in=[p for p in people if ("p", p.pk) in busy]
        ).update(active=False, released_at=now)
        Assignment.objects.filter(active=True).exclude(task=task).filter(
            equipment__in=[e for e in items if ("e", e.pk) in busy]
        ).update(active=False, released_at=now)
    rows = [
        Assignment(
            task=task,
            kind=AssetKind.PERSONNEL,
            personnel=p,
            assigned_at=now,
            assigned_by=actor,
            override_reason=reason if problems else "",
        )
        for p in people
    ] + [
        Assignment(
            task=task,
            kind=AssetKind.EQUIPMENT,
            equipment=e,
            assigned_at=now,
            assigned_by=actor,
            override_reason=reason if problems else "",
        )
        for e in items
    ]
    try:
        with transaction.atomic():
            Assignment.objects.bulk_create(rows)
    except IntegrityError:
        # Another dispatcher assigned the same officer or item a moment ago: they won.
        raise ValidationError(
            _("Personel atau inventaris baru saja ditugaskan oleh petugas lain; muat ulang.")
        ) from None
    first = task.status == TaskStatus.REQUESTED
    task.version += 1
    if first:
        task.status = TaskStatus.DISPATCHED
        task.dispatched_at = now
        task.report_due_at = now + _interval(task)
        task.save(update_fields=["status", "dispatched_at", "report_due_at", "version"])
        _event(task, TaskStatus.DISPATCHED, actor, now)
    else:
        task.save(update_fields=["version"])
    if moved:
        # The board shows those tasks without the asset now.
        Task.objects.filter(pk__in=moved).update(version=F("version") + 1)
    names = ", ".join(str(x) for x in [*people, *items])
    with book_language():
        _book(
            task,
            actor,
            (
                _("Memberangkatkan %(names)s untuk %(type)s di %(place)s.")
                if first
                else _("Menambah %(names)s pada %(type)s di %(place)s.")
            )
            % {"names": names, "type": task.type.label, "place": task.address},
        )
        if problems:
            _book(
                task,
                actor,
                _("Pengecualian penugasan (%(problems)s) dengan alasan: %(reason)s")
                % {"problems": " ".join(_problem_texts(problems)), "reason": reason},
                red=True,
            )
    audit_log(
        action="fieldhelp.task.dispatched",
        actor=actor,
        unit=task.unit,
        target=task,
        data={
            "personnel": [p.pk for p in people],
            "equipment": [e.pk for e in items],
            "override": bool(problems),
            "moved_from": moved,
        },
    )
    return task


def _replayed(model: type[M], task: Task, key: str | None) -> M | None:
    if not key:
        return None
    return model._default_manager.filter(task=task, idempotency_key=key).first()


# --- Status ------------------------------------------------------------------------------------
@transaction.atomic
def task_status(
    *,
    actor: User,
    task: Task,
    status: str,
    idempotency_key: str | None = None,
    lat: Any = None,
    lon: Any = None,
    accuracy_m: Any = None,
    note: str = "",
    correction: bool = False,
) -> Task:
    """Move a task forward (en route, on scene). Going back is only a correction with a reason.
    A replayed update (same idempotency key) changes nothing."""
    key = (idempotency_key or "").strip()[:64] or None
    task = _locked(task, replay_of=StatusEvent, key=key)
    if getattr(task, "replayed_pk", None) is not None:  # annotated by _locked
        return task
    _check_open(task)
    if status not in ADVANCE and not (correction and status in STATUS_ORDER):
        raise ValidationError(_("Status tidak dikenal."))
    if status in CLOSED_STATUSES or status == TaskStatus.REQUESTED:
        raise ValidationError(_("Status tidak dikenal."))
    if task.status == TaskStatus.REQUESTED:
        raise ValidationError(_("Tugas belum diberangkatkan."))
    lat_d, lon_d = coordinates(lat, lon)
    metres = accuracy(accuracy_m) if lat_d is not None else None
    note = (note or "").strip()
    current, wanted = STATUS_ORDER.index(task.status), STATUS_ORDER.index(status)
    now = clock.now()
    if correction:
        if wanted >= current:
            raise ValidationError(_("Koreksi hanya untuk mengembalikan status."))
        if not note:
            raise ValidationError(_("Koreksi status memerlukan alasan."))
        fields = {"status": status, "version": task.version + 1}
        stamps = (("en_route_at", TaskStatus.EN_ROUTE), ("on_scene_at", TaskStatus.ON_SCENE))
        for stamp, later in stamps:
            if STATUS_ORDER.index(later) > wanted:
                fields[stamp] = None
        if "on_scene_at" in fields:
            fields["response_seconds"] = None
        Task.objects.filter(pk=task.pk).update(**fields)
        _event(task, status, actor, now, note=note, correction=True, idempotency_key=key)
        with book_language():
            _book(
                task,
                actor,
                _("Koreksi status %(type)s di %(place)s menjadi %(status)s: %(reason)s")
                % {
                    "type": task.type.label,
                    "place": task.address,
                    "status": TaskStatus(status).label,
                    "reason": note,
                },
                red=True,
            )
        task.refresh_from_db()
        return task
    if wanted <= current:
        raise ValidationError(
            _("Status tidak dapat mundur dari %(now)s ke %(to)s; gunakan koreksi.")
            % {"now": task.get_status_display(), "to": TaskStatus(status).label}
        )
    fields = {"status": status, "version": task.version + 1}
    if status == TaskStatus.EN_ROUTE:
        fields["en_route_at"] = now
    else:
        fields["on_scene_at"] = now
        fields["response_seconds"] = max(0, int((now - task.requested_at).total_seconds()))
    Task.objects.filter(pk=task.pk).update(**fields)
    # No savepoint for the key: the replay was looked for under the task's row lock, so no other
    # update of this task (same key or not) can insert between that look and this insert.
    _event(
        task,
        status,
        actor,
        now,
        lat=lat_d,
        lon=lon_d,
        accuracy_m=metres,
        note=note,
        idempotency_key=key,
    )
    if status == TaskStatus.ON_SCENE:
        # The tap answers without queueing behind the unit's book lock; the entry keeps the
        # arrival time and reaches the book right after the commit (ADR 0042).
        with book_language():
            mutasi_append_later(
                unit=task.unit,
                category=book_category(task.type),
                red=task.type.red,
                actor=actor,
                at=now,
                text=_("Petugas tiba di lokasi %(type)s di %(place)s.")
                % {"type": task.type.label, "place": task.address},
            )
    for name, value in fields.items():  # what the update wrote, without reading it back
        setattr(task, name, value)
    return task


@transaction.atomic
def task_step_tick(*, actor: User, task: Task, step: int) -> StepTick:
    """Tick a step of the type's checklist (1-based); ticking it again keeps the first time."""
    task = _locked(task)
    _check_open(task)
    if not 1 <= step <= len(task.type.steps or []):
        raise ValidationError(_("Langkah tidak dikenal."))
    if task.status == TaskStatus.REQUESTED:
        raise ValidationError(_("Tugas belum diberangkatkan."))
    tick, _created = StepTick.objects.get_or_create(
        task=task, step=step, defaults={"at": clock.now(), "by": actor}
    )
    return tick


@transaction.atomic
def task_report(
    *,
    actor: User,
    task: Task,
    text: str,
    idempotency_key: str | None = None,
    evidence: str = "",
    witnesses: str = "",
    photos: Sequence[Photo] = (),
) -> SituationReport:
    """A situation report (with up to three photos, and for an LP the evidence and witnesses
    found, one per line): restarts the hourly clock of the task."""
    key = (idempotency_key or "").strip()[:64] or None
    task = _locked(task)
    earlier = _replayed(SituationReport, task, key)
    if earlier is not None:
        return earlier
    _check_open(task)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Laporan situasi tidak boleh kosong."))
    if task.status == TaskStatus.REQUESTED:
        raise ValidationError(_("Tugas belum diberangkatkan."))
    checked = photos_check(list(photos))
    now = clock.now()
    report = SituationReport.objects.create(
        task=task,
        text=text,
        evidence=(evidence or "").strip()[:4000],
        witnesses=(witnesses or "").strip()[:4000],
        at=now,
        by=actor,
        idempotency_key=key,
    )
    photos_store(report, checked)
    Task.objects.filter(pk=task.pk).update(
        version=task.version + 1,
        last_report_at=now,
        report_due_at=now + _interval(task),
        overdue_at=None,
        escalated_kapolsek_at=None,
    )
    return report


@transaction.atomic
def task_clear(
    *,
    actor: User,
    task: Task,
    handed_to: str = "",
    note: str = "",
    idempotency_key: str | None = None,
) -> Task:
    """Close the task (cleared, or handed over to Reskrim, Lantas, a hospital); the officers and
    items are free again."""
    key = (idempotency_key or "").strip()[:64] or None
    task = _locked(task)
    if _replayed(StatusEvent, task, key) is not None:
        return task
    _check_open(task)
    if task.status == TaskStatus.REQUESTED:
        raise ValidationError(_("Tugas belum diberangkatkan."))
    handed_to = (handed_to or "").strip()[:120]
    status = TaskStatus.HANDED_OVER if handed_to else TaskStatus.CLEARED
    now = clock.now()
    Task.objects.filter(pk=task.pk).update(
        status=status, cleared_at=now, handed_to=handed_to, version=task.version + 1
    )
    Assignment.objects.filter(task=task, active=True).update(active=False, released_at=now)
    _event(task, status, actor, now, note=(note or "").strip()[:255], idempotency_key=key)
    with book_language():
        _book(
            task,
            actor,
            (
                _("%(type)s di %(place)s selesai; diserahkan kepada %(to)s.")
                if handed_to
                else _("%(type)s di %(place)s selesai.")
            )
            % {"type": task.type.label, "place": task.address, "to": handed_to},
        )
    audit_log(action="fieldhelp.task.cleared", actor=actor, unit=task.unit, target=task)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_from_contact(*, actor: User, contact: Contact, **fields: Any) -> Task:
    """The inbox's "Bantuan lapangan": a task linked to the contact, which is closed with that
    outcome in the same transaction (the citizen keeps the tracking code)."""
    from spkt.intake.models import Outcome
    from spkt.intake.services import contact_close

    contact = contact_close(actor=actor, contact=contact, outcome=Outcome.FIELD_HELP)
    fields.setdefault("requested_by", contact.sender_name or contact.sender_address)
    return task_create(
        actor=actor, unit=contact.unit, source=Source.CONTACT, contact=contact, **fields
    )
