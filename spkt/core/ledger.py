"""The per-unit hash chain behind the Buku Mutasi and every issued document.

``hash = SHA-256(prev_hash ‖ canonical JSON of {unit, seq, kind, at, payload})``. Records that live
in their own tables (a Mutasi entry, a Document) keep a one-to-one link to their ledger entry, and
``verify`` checks both that each chain is unbroken and that each linked record still says what its
entry says, so editing either table is detected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import models, transaction

from spkt.core import clock
from spkt.core.canonical import canonical_json, normalise
from spkt.core.db import locked_get_or_create
from spkt.core.models import LedgerEntry, LedgerHead
from spkt.org.models import Unit

GENESIS = "0" * 64


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
def ledger_append(*, unit: Unit, kind: str, payload: dict) -> LedgerEntry:
    head = locked_get_or_create(LedgerHead, unit=unit, defaults={"seq": 0, "hash": GENESIS})
    payload = normalise(payload)
    recorded_at = clock.now().astimezone(UTC)
    seq = head.seq + 1
    digest = entry_hash(
        prev_hash=head.hash, unit_id=unit.pk, seq=seq, kind=kind, at=recorded_at, payload=payload
    )
    entry = LedgerEntry(
        unit=unit,
        seq=seq,
        kind=kind,
        recorded_at=recorded_at,
        payload=payload,
        prev_hash=head.hash,
        hash=digest,
    )
    entry.save()
    LedgerHead.objects.filter(pk=head.pk).update(seq=seq, hash=digest)
    return entry


# --- Linked records -------------------------------------------------------------------------------
@dataclass(frozen=True)
class LedgeredModel:
    """A model whose rows each carry ``ledger_entry`` and whose ``payload(row)`` must equal it."""

    model: type[models.Model]
    payload: Callable[[models.Model], dict]
    select_related: tuple[str, ...] = ()


_LEDGERED: list[LedgeredModel] = []


def register_ledgered(
    model: type[models.Model],
    payload: Callable[[models.Model], dict],
    *,
    select_related: tuple[str, ...] = (),
) -> None:
    if all(item.model is not model for item in _LEDGERED):
        _LEDGERED.append(LedgeredModel(model, payload, select_related))


# --- Verification ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Break:
    unit_id: int
    seq: int | None
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"unit {self.unit_id}"
        if self.seq is not None:
            where += f", seq {self.seq} (entry id {self.entry_id})"
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


def _rows(unit_ids: list[int] | None, chunk: int) -> Iterator[tuple]:
    qs = LedgerEntry.objects.order_by("unit_id", "seq").values_list(*_FIELDS)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    yield from qs.iterator(chunk_size=chunk)


def verify(*, unit_ids: list[int] | None = None, chunk: int = 5000) -> VerifyResult:
    """Walk every chain in order; stop at the first break and name it."""
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
        if reason:
            result.first_break = Break(unit_id, seq, entry_id, reason)
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
    for item in _LEDGERED:
        qs = item.model._default_manager.select_related("ledger_entry", *item.select_related)
        if unit_ids is not None:
            qs = qs.filter(ledger_entry__unit_id__in=unit_ids)
        for row in qs.order_by("pk").iterator(chunk_size=2000):
            result.records += 1
            entry = row.ledger_entry
            if canonical_json(normalise(item.payload(row))) != canonical_json(entry.payload):
                return Break(
                    entry.unit_id,
                    entry.seq,
                    entry.pk,
                    f"{item.model._meta.label} id {row.pk} no longer matches its ledger entry",
                )
    return None
