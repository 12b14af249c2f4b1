"""The per-unit hash chain behind the Buku Mutasi and every issued document.

``hash = SHA-256(prev_hash ‖ canonical JSON of {unit, seq, kind, at, payload})``. Records that live
in their own tables (a Mutasi entry, a Document) keep a one-to-one link to their ledger entry, and
``verify`` checks that each chain is unbroken, that every entry's record still exists (and every
record has its entry), and that each record still says what its entry says, so editing or deleting
from either table is detected. docs/ledger.md says what it cannot catch alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.db.models.base import ModelState

from spkt.core import clock
from spkt.core.booktext import book_language
from spkt.core.canonical import canonical_json, normalise
from spkt.core.db import fast_values, locked_get_or_create
from spkt.core.models import LedgerEntry, LedgerHead
from spkt.org.models import Unit

GENESIS = "0" * 64
M = TypeVar("M", bound=models.Model)


def entry_hash(
    *, prev_hash: str, unit_id: int, seq: int, kind: str, at: datetime, payload: object
) -> str:
    body = {
        "unit": unit_id,
        "seq": seq,
        "kind": kind,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "payload": payload,
    }
    return hashlib.sha256((prev_hash + canonical_json(body)).encode()).hexdigest()


@transaction.atomic(savepoint=False)
def ledger_append(
    *, unit: Unit, kind: str, payload: dict[str, Any], head: LedgerHead | None = None
) -> LedgerEntry:
    """Chain ``payload`` onto the unit's ledger. ``head`` is the unit's head row when the caller
    already holds its lock (``dutylog.services.book_lock``), which saves the statement that would
    take it again; it is kept in step with each entry appended through it. A head that another
    append has overtaken in the meantime fails loudly (the unique ``unit, seq``), never forks."""
    if kind not in _KINDS:
        # verify could never check this entry's record; fail in the first test that writes it.
        raise ImproperlyConfigured(
            f"ledger kind {kind!r} is not registered (register_ledgered or register_ledger_only)"
        )
    if head is None or head.unit_id != unit.pk:
        head = locked_get_or_create(LedgerHead, unit=unit, defaults={"seq": 0, "hash": GENESIS})
    entry = _link(unit, kind, payload, head.seq, head.hash, clock.now().astimezone(UTC))
    entry.save()
    LedgerHead.objects.filter(pk=head.pk).update(seq=entry.seq, hash=entry.hash)
    head.seq, head.hash = entry.seq, entry.hash
    return entry


@transaction.atomic(savepoint=False)
def ledger_append_many(
    *, unit: Unit, kind: str, payloads: Sequence[dict[str, Any]], head: LedgerHead
) -> list[LedgerEntry]:
    """Chain ``payloads`` onto the unit's ledger in order, with one INSERT for all the entries and
    one UPDATE of the head: the batch form of ``ledger_append`` for a caller that holds the head's
    lock (``dutylog.services.book_lock``). The entries are the same as appended one by one."""
    if kind not in _KINDS:
        raise ImproperlyConfigured(
            f"ledger kind {kind!r} is not registered (register_ledgered or register_ledger_only)"
        )
    if head.unit_id != unit.pk:
        raise ValueError("the head is another unit's")
    if not payloads:
        return []
    recorded_at = clock.now().astimezone(UTC)
    entries: list[LedgerEntry] = []
    seq, prev_hash = head.seq, head.hash
    for payload in payloads:
        entries.append(_link(unit, kind, payload, seq, prev_hash, recorded_at))
        seq, prev_hash = entries[-1].seq, entries[-1].hash
    LedgerEntry.objects.bulk_create(entries)
    LedgerHead.objects.filter(pk=head.pk).update(seq=seq, hash=prev_hash)
    head.seq, head.hash = seq, prev_hash
    return entries


def _link(
    unit: Unit, kind: str, payload: dict[str, Any], seq: int, prev_hash: str, recorded_at: datetime
) -> LedgerEntry:
    """The entry after the one numbered ``seq`` whose hash is ``prev_hash`` (not saved)."""
    with book_language():  # a lazy label in the payload is hashed in Indonesian
        payload = normalise(payload)
    seq += 1
    digest = entry_hash(
        prev_hash=prev_hash, unit_id=unit.pk, seq=seq, kind=kind, at=recorded_at, payload=payload
    )
    return LedgerEntry(
        unit=unit,
        seq=seq,
        kind=kind,
        recorded_at=recorded_at,
        payload=payload,
        prev_hash=prev_hash,
        hash=digest,
    )


# --- Linked records -------------------------------------------------------------------------------
# The key under which a record's own unit is hashed into its payload (ADR 0032).
RECORD_UNIT = "unit"


@dataclass(frozen=True)
class LedgeredModel:
    """A model whose rows each carry ``ledger_entry``: there is one row for every entry of
    ``kinds``, and ``payload(row)`` equals that entry's payload. ``unit`` is the path from a row to
    its unit (``"unit"``, ``"document__unit"``)."""

    model: type[models.Model]
    payload: Callable[[Any], dict[str, Any]]
    kinds: tuple[str, ...]
    unit: str = "unit"
    select_related: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.model._meta.label


_LEDGERED: list[LedgeredModel] = []
# Every kind an entry may have, and the model that must hold its record (None: the entry is the
# whole record). An entry of a kind not in here cannot be checked, so verify reports it.
_KINDS: dict[str, LedgeredModel | None] = {}


def register_ledgered(
    model: type[models.Model],
    payload: Callable[[Any], dict[str, Any]],
    *,
    kinds: tuple[str, ...],
    unit: str = "unit",
    select_related: tuple[str, ...] = (),
) -> None:
    """Declare that every ledger entry of ``kinds`` has its record in ``model`` (and back).

    ``payload(row)`` is what ``ledger_append`` was given for the row, with the row's unit under
    ``"unit"``; ``unit`` is the same unit as a lookup path. Register from the app's ``ready()``
    (importing the module that calls this), so every process knows every kind."""
    if any(item.model is model for item in _LEDGERED):
        return  # the module that registers was imported twice
    item = LedgeredModel(model, payload, tuple(kinds), unit, select_related)
    _claim(item.kinds, item)
    _LEDGERED.append(item)


def register_ledger_only(*kinds: str) -> None:
    """Declare kinds whose entries are the whole record: nothing outside the ledger to check."""
    _claim(kinds, None)


def _claim(kinds: tuple[str, ...], owner: LedgeredModel | None) -> None:
    for kind in kinds:
        if kind in _KINDS and _model_of(_KINDS[kind]) is not _model_of(owner):
            raise ImproperlyConfigured(f"ledger kind {kind!r} is registered twice")
    for kind in kinds:
        _KINDS[kind] = owner


def _model_of(item: LedgeredModel | None) -> type[models.Model] | None:
    return item.model if item is not None else None


def ledger_kinds() -> dict[str, type[models.Model] | None]:
    """Each registered kind and the model that holds its record (None: ledger only)."""
    return {kind: _model_of(item) for kind, item in _KINDS.items()}


def record_problem(row: models.Model, entry: LedgerEntry) -> str | None:
    """Why ``row`` no longer matches its ledger ``entry``, or None when it does.

    The row's payload is hashed with the entry's other fields and compared with the entry's
    hash, so the row is checked against the chain itself, not against a stored payload that
    could have been changed with it (and the stored payload need not be read at all)."""
    item = next(item for item in _LEDGERED if isinstance(row, item.model))
    with book_language():  # as ledger_append normalised it
        return _record_problem(item, row, entry)


def _record_problem(item: LedgeredModel, row: models.Model, entry: LedgerEntry) -> str | None:
    if entry.kind not in item.kinds:
        return f"{item.label} id {row.pk} points to a {entry.kind} entry, not one of {item.kinds}"
    payload = item.payload(row)
    record_unit = payload.get(RECORD_UNIT)
    if record_unit != entry.unit_id:
        return (
            f"{item.label} id {row.pk} belongs to unit {record_unit}, but its entry is in the "
            f"chain of unit {entry.unit_id} (moved to another unit)"
        )
    if _hash_with(entry, payload) == entry.hash:
        return None
    # Written before the record's unit joined the payload (ADR 0032): the entry's chain stands
    # for the unit, checked above, so a record moved to another unit is caught either way.
    payload.pop(RECORD_UNIT)
    if _hash_with(entry, payload) == entry.hash:
        return None
    return f"{item.label} id {row.pk} no longer matches its ledger entry"


def _hash_with(entry: LedgerEntry, payload: dict[str, Any]) -> str:
    # canonical_json(payload) equals canonical_json(normalise(payload)), which ledger_append hashed.
    return entry_hash(
        prev_hash=entry.prev_hash,
        unit_id=entry.unit_id,
        seq=entry.seq,
        kind=entry.kind,
        at=entry.recorded_at,
        payload=payload,
    )


# --- Verification ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Break:
    unit_id: int | None
    seq: int | None
    entry_id: int | None
    reason: str
    kind: str | None = None

    def __str__(self) -> str:
        where = f"unit {self.unit_id}"
        if self.seq is not None:
            where += f", seq {self.seq} (entry id {self.entry_id})"
            if self.kind:
                where += f", kind {self.kind}"
        return f"{where}: {self.reason}"


@dataclass
class VerifyResult:
    chains: int = 0
    entries: int = 0
    records: int = 0
    first_break: Break | None = None

    @property
    def ok(self) -> bool:
        return self.first_break is None


_FIELDS = ("id", "unit_id", "seq", "kind", "recorded_at", "payload", "prev_hash", "hash")


def _rows(unit_ids: list[int] | None, chunk: int) -> Iterator[tuple[Any, ...]]:
    qs = LedgerEntry.objects.order_by("unit_id", "seq").values_list(*_FIELDS)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    yield from fast_values(qs, chunk=chunk)


def verify(*, unit_ids: list[int] | None = None, chunk: int = 5000) -> VerifyResult:
    """Walk every chain in order, then check the records the entries point to; stop at the first
    break and name it."""
    result = VerifyResult()
    # Appends may commit while we read: heads are read before and after the walk, so the chain
    # seen must reach the first head (nothing deleted) and not pass the second (nothing added
    # behind SPKT's back).
    heads = dict(LedgerHead.objects.values_list("unit_id", "seq"))
    tips: dict[int, tuple[int, str]] = {}
    current_unit: int | None = None
    prev_hash, expected_seq = GENESIS, 1
    for entry_id, unit_id, seq, kind, at, payload, stored_prev, stored_hash in _rows(
        unit_ids, chunk
    ):
        if unit_id != current_unit:
            current_unit, prev_hash, expected_seq = unit_id, GENESIS, 1
            result.chains += 1
        result.entries += 1
        reason = None
        if seq != expected_seq:
            reason = f"expected seq {expected_seq}, found {seq} (entry missing or inserted)"
        elif stored_prev != prev_hash:
            reason = "prev_hash does not match the previous entry (reordered or replaced)"
        elif (
            entry_hash(
                prev_hash=prev_hash, unit_id=unit_id, seq=seq, kind=kind, at=at, payload=payload
            )
            != stored_hash
        ):
            reason = "hash does not match the entry's content (entry changed)"
        elif kind not in _KINDS:
            reason = f"kind {kind!r} is not registered, so its record cannot be checked"
        if reason:
            result.first_break = Break(unit_id, seq, entry_id, reason, kind)
            return result
        prev_hash, expected_seq = stored_hash, seq + 1
        tips[unit_id] = (seq, stored_hash)
    heads_after = dict(LedgerHead.objects.values_list("unit_id", "seq"))
    for unit_id in sorted(set(heads) | set(tips)):
        if unit_ids is not None and unit_id not in unit_ids:
            continue
        tip_seq = tips.get(unit_id, (0, GENESIS))[0]
        reason = None
        if tip_seq < heads.get(unit_id, 0):
            reason = (
                f"chain ends at seq {tip_seq} but its head says {heads[unit_id]} (entries deleted)"
            )
        elif tip_seq > heads_after.get(unit_id, 0):
            reason = f"chain runs to seq {tip_seq} past its head (entries added outside SPKT)"
        if reason:
            result.first_break = Break(unit_id, None, None, reason)
            return result
    result.first_break = _verify_records(unit_ids, result)
    return result


def _verify_records(unit_ids: list[int] | None, result: VerifyResult) -> Break | None:
    # Each check is one statement, so it sees an entry and its record (written in one
    # transaction) both or neither, however many appends commit meanwhile (ADR 0023).
    for item in _LEDGERED:
        found = (
            _entry_without_record(item, unit_ids)
            or _record_without_entry(item, unit_ids)
            or _changed_record(item, unit_ids, result)
        )
        if found:
            return found
    return None


def _entry_without_record(item: LedgeredModel, unit_ids: list[int] | None) -> Break | None:
    """The first entry of the item's kinds whose record is gone: one anti-join, not a query per
    entry."""
    records = item.model._default_manager.filter(ledger_entry_id=OuterRef("pk"))
    qs = LedgerEntry.objects.filter(kind__in=item.kinds).filter(~Exists(records))
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    found = qs.order_by("unit_id", "seq").values_list("pk", "unit_id", "seq", "kind").first()
    if found is None:
        return None
    entry_id, unit_id, seq, kind = found
    return Break(unit_id, seq, entry_id, f"its {item.label} record is missing (deleted)", kind)


def _record_without_entry(item: LedgeredModel, unit_ids: list[int] | None) -> Break | None:
    """The first row that points to no entry of its kinds (none, a deleted one, another kind's)."""
    entries = LedgerEntry.objects.filter(pk=OuterRef("ledger_entry_id"), kind__in=item.kinds)
    qs = item.model._default_manager.filter(~Exists(entries))
    if unit_ids is not None:
        qs = qs.filter(**{f"{item.unit}__in": unit_ids})
    found = qs.order_by("pk").values_list("pk", item.unit, "ledger_entry_id").first()
    if found is None:
        return None
    pk, unit_id, entry_id = found
    return Break(
        unit_id,
        None,
        entry_id,
        f"{item.label} id {pk} points to no {' or '.join(item.kinds)} ledger entry "
        f"(entry id {entry_id})",
    )


def _changed_record(
    item: LedgeredModel, unit_ids: list[int] | None, result: VerifyResult
) -> Break | None:
    with book_language():
        for row, entry in _rows_and_entries(item, unit_ids):
            result.records += 1
            problem = _record_problem(item, row, entry)
            if problem:
                return Break(entry.unit_id, entry.seq, entry.pk, problem, entry.kind)
    return None


# The entry fields a row is checked with: not the stored payload, since each row is hashed and
# compared with its entry's hash, which the walk has just checked against the chain.
_ENTRY_FIELDS = ("unit_id", "seq", "kind", "recorded_at", "prev_hash", "hash")


def _rows_and_entries(
    item: LedgeredModel, unit_ids: list[int] | None, chunk: int = 5000
) -> Iterator[tuple[models.Model, LedgerEntry]]:
    """Each row of ``item.model`` (with its ``select_related`` objects) and its entry, built from
    value tuples: ORM instances cost about twice the chain walk per row (bench/ledger.py). A field
    not fetched here is still loaded on access, so a payload function reads what it needs."""
    own = [f.attname for f in item.model._meta.concrete_fields]
    related = []
    for name in item.select_related:
        model = item.model._meta.get_field(name).related_model
        if not isinstance(model, type):  # select_related names relations only
            raise TypeError(f"{item.model.__name__}.{name} is not a relation")
        related.append((name, model, [f.attname for f in model._meta.concrete_fields]))
    columns = [
        *own,
        *(f"{name}__{attname}" for name, _, attnames in related for attname in attnames),
        *(f"ledger_entry__{field}" for field in _ENTRY_FIELDS),
    ]
    qs = item.model._default_manager.order_by("pk").values_list(*columns)
    if unit_ids is not None:
        qs = qs.filter(ledger_entry__unit_id__in=unit_ids)
    for values in fast_values(qs, chunk=chunk):
        row = _loaded(item.model, qs.db, own, values)
        at = len(own)
        for name, model, attnames in related:
            row._state.fields_cache[name] = _loaded(model, qs.db, attnames, values[at:])
            at += len(attnames)
        entry = _loaded(
            LedgerEntry,
            qs.db,
            ("id", *_ENTRY_FIELDS),
            (row.__dict__["ledger_entry_id"], *values[at:]),
        )
        yield row, entry


def _loaded(model: type[M], db: str, attnames: Sequence[str], values: Sequence[Any]) -> M:
    """A model instance as the ORM would load it, without ``__init__`` and its signals."""
    obj = model.__new__(model)
    obj.__dict__.update(zip(attnames, values, strict=False))
    obj._state = ModelState()
    obj._state.adding, obj._state.db = False, db
    return obj
