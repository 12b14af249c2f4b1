"""A document reads its shift before it takes the book lock (so the lock is held only for the
writes). When a handover seals that shift in between, the document is signed, numbered and booked
by the incoming shift, never into the sealed book."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spkt.conftest import issue
from spkt.core.ledger import verify
from spkt.documents import services as documents
from spkt.dutylog.handover import handover_start
from spkt.dutylog.models import Mutasi, ShiftStatus
from spkt.dutylog.tests.test_current_shift import HANDOVER, _confirm, _open_regu_one


def test_a_shift_sealed_between_reading_and_locking_is_not_the_signer(
    selatan, squads, ka_spkt, petugas, monkeypatch
) -> None:
    outgoing = _open_regu_one(selatan, ka_spkt)
    with time_machine.travel(HANDOVER, tick=False):
        ho = _confirm(handover_start(outgoing=outgoing, actor=ka_spkt), ka_spkt)
    outgoing.refresh_from_db()
    assert outgoing.status == ShiftStatus.CLOSED
    real = documents.desk_context

    def read_before_the_handover(unit, now):  # what an issue that started a moment earlier read
        _shift, chain = real(unit, now)
        return outgoing, chain

    monkeypatch.setattr(documents, "desk_context", read_before_the_handover)
    with time_machine.travel(HANDOVER + timedelta(minutes=1), tick=False):
        doc = issue(petugas, selatan)
    assert doc.shift_id == ho.incoming_id
    assert doc.snapshot["signer"]["name"] == ho.incoming.ka_spkt.name.upper()
    booked = Mutasi.objects.get(text__contains=doc.number)
    assert booked.shift_id == ho.incoming_id
    assert verify().ok


def test_the_book_lock_is_taken_after_the_reads(selatan, squads, ka_spkt, petugas) -> None:
    """What an SKTLK can read or write without the unit's locks comes before the first of them;
    under them come only the writes that need them."""
    _open_regu_one(selatan, ka_spkt)
    issue(petugas, selatan)  # the unit's key and counter exist from here on
    with CaptureQueriesContext(connection) as queries:
        issue(petugas, selatan)
    sql = [q["sql"] for q in queries.captured_queries]
    first_lock = next(i for i, s in enumerate(sql) if "core_ledgerhead" in s)
    locked = sql[first_lock:]
    assert not any("core_unitkey" in s for s in locked), "the signing key is read before"
    assert not any("dutylog_entrycategory" in s for s in locked), "categories are read before"
    assert not any('INSERT INTO "documents_citizen"' in s for s in locked)
    head_reads = [s for s in locked if "core_ledgerhead" in s and s.lstrip().startswith("SELECT")]
    assert len(head_reads) == 1, "the head is locked once for the document and its book entry"
