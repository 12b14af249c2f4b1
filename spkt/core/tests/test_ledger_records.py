"""verify_ledger notices records that are gone, records without their entry, and records moved to
another unit (ADR 0032): on SQLite, and on PostgreSQL past the append-only triggers."""

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from spkt.conftest import issue
from spkt.core import clock, ledger
from spkt.core.booktext import book_language
from spkt.core.ledger import ledger_append, register_ledger_only, verify
from spkt.core.tests.test_ledger import sql, tamper
from spkt.documents.lp import lp_draft_save, lp_issue, progress_add
from spkt.documents.models import CaseProgress, Document
from spkt.documents.services import document_void, sktlk_extend
from spkt.documents.tests.test_lp import content, pasal  # noqa: F401  (pasal is a fixture)
from spkt.dutylog.models import Mutasi, MutasiCategory
from spkt.dutylog.selectors import chain_head_at
from spkt.dutylog.services import mutasi_append, mutasi_payload
from spkt.org.models import Unit

ROOT = Path(__file__).resolve().parents[3]


def broken_with(capsys) -> str:
    """Run the command; it must exit 1. Returns what it wrote to stderr."""
    with pytest.raises(SystemExit) as exc:
        call_command("verify_ledger")
    assert exc.value.code == 1
    return capsys.readouterr().err


def append(**kwargs) -> Mutasi:
    with book_language():
        return mutasi_append(**kwargs)


def named(entry_id: int, seq: int, kind: str) -> str:
    return f"seq {seq} (entry id {entry_id}), kind {kind}"


def progress_note(petugas, reskrim, selatan, offence) -> CaseProgress:
    officer = selatan.regu.first().head
    draft = lp_draft_save(
        actor=petugas,
        unit=selatan,
        content=content(offence, model="A", citizen=None, officer=officer),
    )
    lp = lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)
    return progress_add(actor=reskrim, lp=lp, stage="penyelidikan", public_note="Saksi diperiksa.")


# --- Every ledgered model knows its kinds ------------------------------------------------------------
def test_a_fresh_process_knows_every_kind_and_its_model() -> None:
    # verify_ledger runs in its own process: the registry must not depend on which modules some
    # earlier code happened to import.
    code = (
        "import django; django.setup(); from spkt.core.ledger import ledger_kinds; "
        "print(sorted(f'{k}={m._meta.label if m else None}' for k, m in ledger_kinds().items()))"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "SPKT_ENV": "test", "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    for pair in (
        "dutylog.mutasi=dutylog.Mutasi",
        "documents.issued=documents.Document",
        "documents.voided=documents.DocumentVoid",
        "documents.progress=documents.CaseProgress",
    ):
        assert pair in out.stdout


def test_an_unregistered_kind_is_refused_and_reported(selatan: Unit, monkeypatch) -> None:
    with pytest.raises(ImproperlyConfigured, match="not registered"), transaction.atomic():
        ledger_append(unit=selatan, kind="test.unknown", payload={})
    register_ledger_only("test.later-forgotten")
    entry = ledger_append(unit=selatan, kind="test.later-forgotten", payload={})
    monkeypatch.delitem(ledger._KINDS, "test.later-forgotten")
    found = verify().first_break
    assert (found.seq, found.entry_id, found.kind) == (entry.seq, entry.pk, "test.later-forgotten")
    assert "not registered" in found.reason


# --- A record that is gone names its entry ----------------------------------------------------------
def test_intact_records_verify(petugas, reskrim, ka_spkt, selatan, pasal) -> None:  # noqa: F811
    note = progress_note(petugas, reskrim, selatan, pasal)
    document_void(actor=ka_spkt, document=note.document, reason="Salah data")
    result = verify()
    assert result.ok, str(result.first_break)
    assert result.records >= Mutasi.objects.count() + Document.objects.count() + 2


def test_a_deleted_mutasi_row_is_named(selatan: Unit, capsys) -> None:
    append(unit=selatan, text="Apel pagi.", category=MutasiCategory.APEL)
    entry = append(unit=selatan, text="Patroli ke pasar.", category=MutasiCategory.PATROLI)
    tamper("DELETE FROM dutylog_mutasi WHERE id = %s", [entry.pk])
    found = verify().first_break
    assert (found.unit_id, found.seq, found.entry_id, found.kind) == (
        selatan.pk,
        entry.ledger_entry.seq,
        entry.ledger_entry_id,
        "dutylog.mutasi",
    )
    assert "dutylog.Mutasi record is missing" in found.reason
    err = broken_with(capsys)
    assert named(entry.ledger_entry_id, entry.ledger_entry.seq, "dutylog.mutasi") in err
    assert f"BROKEN: unit {selatan.pk}, " in err


def test_a_deleted_document_row_is_named(petugas, selatan: Unit, capsys) -> None:
    doc = issue(petugas, selatan)
    # The rows that point at it go first (its survey invitation), as they would for anyone
    # deleting it with the foreign keys on.
    tamper("DELETE FROM ikm_surveyinvitation WHERE document_id = %s", [doc.pk])
    tamper("DELETE FROM documents_document WHERE id = %s", [doc.pk])
    found = verify().first_break
    assert (found.entry_id, found.kind) == (doc.ledger_entry_id, "documents.issued")
    assert "documents.Document record is missing" in found.reason
    assert named(doc.ledger_entry_id, doc.ledger_entry.seq, "documents.issued") in broken_with(
        capsys
    )


def test_a_deleted_void_row_is_named(petugas, ka_spkt, selatan: Unit, capsys) -> None:
    doc = issue(petugas, selatan)
    void = document_void(actor=ka_spkt, document=doc, reason="Salah data")
    tamper("DELETE FROM documents_documentvoid WHERE id = %s", [void.pk])
    found = verify().first_break
    assert (found.entry_id, found.kind) == (void.ledger_entry_id, "documents.voided")
    assert named(void.ledger_entry_id, void.ledger_entry.seq, "documents.voided") in broken_with(
        capsys
    )


def test_a_deleted_progress_note_is_named(
    petugas,
    reskrim,
    selatan: Unit,
    pasal,  # noqa: F811
    capsys,
) -> None:
    note = progress_note(petugas, reskrim, selatan, pasal)
    assert verify().ok
    tamper("DELETE FROM documents_caseprogress WHERE id = %s", [note.pk])
    found = verify().first_break
    assert (found.entry_id, found.kind) == (note.ledger_entry_id, "documents.progress")
    assert named(note.ledger_entry_id, note.ledger_entry.seq, "documents.progress") in (
        broken_with(capsys)
    )


def test_a_changed_progress_note_is_detected(
    petugas,
    reskrim,
    selatan: Unit,
    pasal,  # noqa: F811
) -> None:
    note = progress_note(petugas, reskrim, selatan, pasal)
    tamper(
        "UPDATE documents_caseprogress SET public_note = %s WHERE id = %s", ["Selesai.", note.pk]
    )
    assert "documents.CaseProgress" in verify().first_break.reason


# --- A record without its entry ---------------------------------------------------------------------
def test_a_row_that_points_to_no_entry_of_its_kind_is_reported(
    petugas, selatan: Unit, capsys
) -> None:
    doc = issue(petugas, selatan)
    shift_id = Mutasi.objects.filter(unit=selatan).values_list("shift_id", flat=True).first()
    # A forged Buku Mutasi row slipped in beside the document's entry (a foreign key that holds).
    sql(
        "INSERT INTO dutylog_mutasi (unit_id, shift_id, at, category, text, red, ledger_entry_id) "
        "VALUES (%s, %s, %s, 'kejadian', 'Entri sisipan', false, %s)",
        [selatan.pk, shift_id, doc.issued_at, doc.ledger_entry_id],
    )
    forged = Mutasi.objects.get(text="Entri sisipan")
    found = verify().first_break
    assert found.unit_id == selatan.pk
    assert f"dutylog.Mutasi id {forged.pk} points to no dutylog.mutasi ledger entry" in found.reason
    assert f"dutylog.Mutasi id {forged.pk}" in broken_with(capsys)


def test_a_row_whose_entry_was_deleted_is_reported(selatan: Unit) -> None:
    append(unit=selatan, text="Apel pagi.", category=MutasiCategory.APEL)
    last = append(unit=selatan, text="Patroli.", category=MutasiCategory.PATROLI)
    # Deleting the tail entry and rewinding the head hides the gap from the chain walk.
    tamper("DELETE FROM core_ledgerentry WHERE id = %s", [last.ledger_entry_id])
    tamper(
        "UPDATE core_ledgerhead SET seq = seq - 1, hash = %s WHERE unit_id = %s",
        [last.ledger_entry.prev_hash, selatan.pk],
    )
    found = verify().first_break
    assert f"dutylog.Mutasi id {last.pk} points to no dutylog.mutasi ledger entry" in found.reason
    assert f"(entry id {last.ledger_entry_id})" in found.reason
    # Leave no dangling key behind for the end-of-test constraint check (SQLite).
    tamper("DELETE FROM dutylog_mutasi WHERE id = %s", [last.pk])


# --- A record moved to another unit -----------------------------------------------------------------
def test_a_document_moved_to_another_unit_is_detected(
    petugas, selatan: Unit, utara: Unit, capsys
) -> None:
    doc = issue(petugas, selatan)
    assert doc.ledger_entry.payload["unit"] == selatan.pk  # new entries hash the record's unit
    tamper("UPDATE documents_document SET unit_id = %s WHERE id = %s", [utara.pk, doc.pk])
    found = verify().first_break
    assert (found.entry_id, found.kind) == (doc.ledger_entry_id, "documents.issued")
    assert "moved to another unit" in found.reason
    assert "moved to another unit" in broken_with(capsys)


def test_a_mutasi_moved_to_another_unit_is_detected(selatan: Unit, utara: Unit) -> None:
    entry = append(unit=selatan, text="Apel pagi.", category=MutasiCategory.APEL)
    tamper("UPDATE dutylog_mutasi SET unit_id = %s WHERE id = %s", [utara.pk, entry.pk])
    found = verify().first_break
    assert found.entry_id == entry.ledger_entry_id
    assert "moved to another unit" in found.reason


def test_an_entry_written_before_the_unit_joined_still_verifies_and_catches_a_move(
    selatan: Unit, utara: Unit
) -> None:
    first = append(unit=selatan, text="Apel pagi.", category=MutasiCategory.APEL)
    # As mutasi_append wrote it before ADR 0032: the same payload without "unit".
    old = Mutasi(
        unit=selatan,
        shift=first.shift,
        at=first.at,
        category=MutasiCategory.KEJADIAN,
        text="Entri lama.",
    )
    payload = mutasi_payload(old)
    del payload["unit"]
    old.ledger_entry = ledger_append(unit=selatan, kind="dutylog.mutasi", payload=payload)
    old.save()
    assert "unit" not in old.ledger_entry.payload
    assert verify().ok
    tamper("UPDATE dutylog_mutasi SET unit_id = %s WHERE id = %s", [utara.pk, old.pk])
    found = verify().first_break
    assert found.entry_id == old.ledger_entry_id
    assert "moved to another unit" in found.reason


# --- The replacement and the command ------------------------------------------------------------------
def test_a_deleted_replacement_is_named(petugas, selatan: Unit) -> None:
    old = issue(petugas, selatan)
    new = sktlk_extend(actor=petugas, old=old, idempotency_key=uuid.uuid4().hex)
    # The rows that point at it go first (its survey invitation), as they would for anyone
    # deleting it with the foreign keys on.
    tamper("DELETE FROM ikm_surveyinvitation WHERE document_id = %s", [new.pk])
    tamper("DELETE FROM documents_document WHERE id = %s", [new.pk])
    assert verify().first_break.entry_id == new.ledger_entry_id


def test_the_command_says_ok_with_its_counts(petugas, selatan: Unit, capsys) -> None:
    issue(petugas, selatan)
    call_command("verify_ledger")
    out = capsys.readouterr().out
    assert out.startswith("OK: 1 chain(s), ")
    assert " linked records, 0 anchor(s) verified" in out


def test_the_command_refuses_a_missing_or_malformed_anchor_file(
    selatan: Unit, tmp_path: Path
) -> None:
    append(unit=selatan, text="Apel pagi.", category=MutasiCategory.APEL)
    with pytest.raises(CommandError, match="Cannot read anchor file"):
        call_command("verify_ledger", "--anchor", str(tmp_path / "tidak-ada.txt"))
    bad = tmp_path / "anchor.txt"
    bad.write_text("bukan-anchor\n")
    with pytest.raises(CommandError, match="Malformed anchor line"):
        call_command("verify_ledger", "--anchor", str(bad))


# --- What only the exported day hash catches (docs/ledger.md) ----------------------------------------
def test_a_rewound_head_passes_the_walk_but_not_the_anchor(
    selatan: Unit, tmp_path: Path, capsys
) -> None:
    first, *rest = [
        append(unit=selatan, text=text, category=MutasiCategory.LAIN_LAIN)
        for text in ("Apel pagi.", "Patroli ke pasar.", "Kebakaran kecil di Biawu.")
    ]
    head = chain_head_at(unit=selatan, moment=clock.now(), day=clock.now().date())
    anchor = tmp_path / "day-hashes.txt"
    anchor.write_text(head.export_line() + "\n")
    call_command("verify_ledger", "--anchor", str(anchor))
    assert "1 anchor(s) verified" in capsys.readouterr().out
    # A superuser removes the last two entries with their rows and moves the head back.
    for entry in rest:
        tamper("DELETE FROM dutylog_mutasi WHERE id = %s", [entry.pk])
        tamper("DELETE FROM core_ledgerentry WHERE id = %s", [entry.ledger_entry_id])
    tamper(
        "UPDATE core_ledgerhead SET seq = %s, hash = %s WHERE unit_id = %s",
        [first.ledger_entry.seq, first.ledger_entry.hash, selatan.pk],
    )
    assert verify().ok  # consistent: the walk alone cannot see it
    with pytest.raises(SystemExit):
        call_command("verify_ledger", "--anchor", str(anchor))
    assert f"seq {head.seq}: the chain no longer holds the anchored hash" in (
        capsys.readouterr().err
    )
    # The desk writes on: the anchored position exists again, with another hash.
    for text in ("Patroli malam.", "Situasi aman."):
        append(unit=selatan, text=text, category=MutasiCategory.LAIN_LAIN)
    assert verify().ok
    with pytest.raises(SystemExit):
        call_command("verify_ledger", "--anchor", str(anchor))
    err = capsys.readouterr().err
    assert f"seq {head.seq}: the chain no longer holds the anchored hash" in err
    assert "(found nothing)" not in err
