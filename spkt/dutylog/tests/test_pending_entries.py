"""Entries recorded on a hot path without the book lock (``mutasi_append_later``) reach the book
exactly once, in time order, with their own time: from the worker after the commit, from the
clock when the worker was down, and from a handover before it seals the book."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from spkt.core.booktext import book_language
from spkt.core.ledger import verify
from spkt.dutylog.handover import handover_start
from spkt.dutylog.models import Mutasi, MutasiCategory, PendingEntry, ShiftStatus
from spkt.dutylog.services import mutasi_append_later, mutasi_flush, mutasi_flush_all
from spkt.dutylog.tests.test_current_shift import HANDOVER, _confirm, _open_regu_one


def _later(unit, text: str, at=None, category=MutasiCategory.KEJADIAN, actor=None):
    with book_language():
        return mutasi_append_later(unit=unit, text=text, category=category, at=at, actor=actor)


def _texts(unit) -> list[str]:
    return list(Mutasi.objects.filter(unit=unit).order_by("pk").values_list("text", flat=True))


def test_the_worker_books_the_entry_after_the_commit(
    selatan, ka_spkt, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pending = _later(selatan, "Petugas tiba di lokasi.", actor=ka_spkt)
        assert not Mutasi.objects.filter(text="Petugas tiba di lokasi.").exists()
    assert len(callbacks) == 1
    entry = Mutasi.objects.get(text="Petugas tiba di lokasi.")
    assert entry.at == pending.at
    assert entry.author == ka_spkt
    assert not PendingEntry.objects.exists()
    assert verify().ok


def test_with_the_worker_down_entries_wait_then_land_once_in_time_order(selatan) -> None:
    from spkt.core import clock

    now = clock.now()
    _later(selatan, "kedua", at=now - timedelta(minutes=1))
    _later(selatan, "pertama", at=now - timedelta(minutes=5))
    _later(selatan, "ketiga", at=now)
    assert PendingEntry.objects.count() == 3
    assert mutasi_flush_all() == 3
    assert mutasi_flush_all() == 0, "a second sweep finds nothing"
    booked = list(Mutasi.objects.filter(unit=selatan).order_by("pk"))
    assert [e.text for e in booked] == ["pertama", "kedua", "ketiga"]
    assert booked[0].at == now - timedelta(minutes=5)
    assert verify().ok


def test_bad_entries_are_refused_at_the_tap_and_nothing_waits(selatan) -> None:
    with pytest.raises(ValidationError):
        _later(selatan, "   ")
    with pytest.raises(ValidationError):
        _later(selatan, "teks", category="tidak_ada")
    with pytest.raises(RuntimeError):  # composed outside the book language: a programming error
        mutasi_append_later(unit=selatan, text="x", category=MutasiCategory.KEJADIAN)
    assert not PendingEntry.objects.exists()


def test_a_category_retired_before_the_flush_does_not_hold_the_book_up(selatan) -> None:
    _later(selatan, "Catatan lama")
    PendingEntry.objects.update(category="sudah_dihapus")
    assert mutasi_flush(unit=selatan) == 1
    assert Mutasi.objects.get(text="Catatan lama").category == MutasiCategory.LAIN_LAIN


def test_the_handover_books_waiting_entries_before_it_seals(selatan, squads, ka_spkt) -> None:
    outgoing = _open_regu_one(selatan, ka_spkt)
    with time_machine.travel(HANDOVER - timedelta(minutes=2), tick=False):
        _later(selatan, "Tiba di lokasi sebelum serah terima.")
    with time_machine.travel(HANDOVER, tick=False):
        ho = _confirm(handover_start(outgoing=outgoing, actor=ka_spkt), ka_spkt)
    outgoing.refresh_from_db()
    assert outgoing.status == ShiftStatus.CLOSED
    entry = Mutasi.objects.get(text="Tiba di lokasi sebelum serah terima.")
    assert entry.shift_id == ho.outgoing_id, "the entry belongs to the book that was sealed"
    assert not PendingEntry.objects.exists()
    assert verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_flushes_at_once_book_each_entry_once(selatan) -> None:
    from spkt.core import clock

    # Waiting as a stopped worker leaves them (here, outside a transaction, the commit hook of
    # mutasi_append_later would book them at once).
    PendingEntry.objects.bulk_create(
        PendingEntry(unit=selatan, at=clock.now(), category=MutasiCategory.KEJADIAN, text=f"e{n}")
        for n in range(20)
    )
    barrier = threading.Barrier(2)
    done: list[int] = []

    def flush() -> None:
        try:
            barrier.wait()
            done.append(mutasi_flush(unit=selatan))
        finally:
            connection.close()

    threads = [threading.Thread(target=flush) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(done) == [0, 20]
    assert len(_texts(selatan)) == len(set(_texts(selatan))) == 20


def test_a_flushed_batch_is_chained_as_entries_appended_one_by_one(selatan, ka_spkt) -> None:
    from spkt.core.models import LedgerEntry, LedgerHead
    from spkt.dutylog.services import mutasi_append

    with book_language():
        mutasi_append(unit=selatan, text="Sebelum", category=MutasiCategory.APEL, actor=ka_spkt)
    for n in range(5):
        _later(selatan, f"entri {n}", actor=ka_spkt)
    assert mutasi_flush(unit=selatan) == 5
    chain = list(LedgerEntry.objects.filter(unit=selatan).order_by("seq"))
    assert [e.seq for e in chain] == list(range(1, 7))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(chain))
    head = LedgerHead.objects.get(unit=selatan)
    assert (head.seq, head.hash) == (6, chain[-1].hash)
    booked = list(Mutasi.objects.filter(unit=selatan).order_by("ledger_entry__seq"))
    assert [e.text for e in booked] == ["Sebelum"] + [f"entri {n}" for n in range(5)]
    assert all(e.author == ka_spkt for e in booked)
    assert verify().ok


def test_without_an_open_shift_each_entry_goes_to_the_shift_its_time_falls_in(
    selatan, squads
) -> None:
    # 14:00 WITA: two entries in the middle of yesterday's duty day, one in today's.
    now = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    times = [now - timedelta(days=1), now - timedelta(days=1, minutes=-5), now]
    for n, at in enumerate(times):
        _later(selatan, f"jam {n}", at=at)
    assert mutasi_flush(unit=selatan) == 3
    booked = list(Mutasi.objects.filter(unit=selatan).select_related("shift").order_by("at"))
    for entry in booked:
        assert entry.shift.starts_at <= entry.at < entry.shift.ends_at
        assert entry.shift.status != ShiftStatus.CLOSED
    assert booked[0].shift_id == booked[1].shift_id != booked[2].shift_id
    assert verify().ok


def test_an_entry_left_without_ink_takes_the_units_red_for_its_category_at_the_flush(
    selatan,
) -> None:
    from spkt.dutylog.models import EntryCategory

    _later(selatan, "Kontak masuk", category=MutasiCategory.LAPORAN_MASYARAKAT)
    assert PendingEntry.objects.get().red is None
    EntryCategory.objects.create(
        unit=selatan, code=MutasiCategory.LAPORAN_MASYARAKAT, label="Laporan", red_default=True
    )
    mutasi_flush(unit=selatan)
    assert Mutasi.objects.get(text="Kontak masuk").red is True
