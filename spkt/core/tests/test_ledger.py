import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from spkt.conftest import is_postgres, issue
from spkt.core.booktext import book_language
from spkt.core.ledger import GENESIS, ledger_append, register_ledger_only, verify
from spkt.core.models import AppendOnlyError, LedgerEntry
from spkt.dutylog.models import MutasiCategory
from spkt.dutylog.services import mutasi_append
from spkt.org.models import Unit

register_ledger_only("test.entry")  # these tests' entries are their own record


def chain(unit: Unit, n: int = 5) -> list[LedgerEntry]:
    return [ledger_append(unit=unit, kind="test.entry", payload={"i": i}) for i in range(n)]


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def tamper(statement: str, params: list | None = None) -> None:
    """What an attacker with database access would do: on PostgreSQL first switch the guard off."""
    if is_postgres():
        sql("SET LOCAL session_replication_role = replica")  # a superuser turns triggers off
    sql(statement, params)


def test_entries_link_each_to_the_previous(selatan: Unit) -> None:
    entries = chain(selatan, 3)
    assert entries[0].prev_hash == GENESIS
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash


def test_units_have_separate_chains(selatan: Unit, utara: Unit) -> None:
    a = chain(selatan, 2)
    b = chain(utara, 2)
    assert a[0].seq == b[0].seq == 1
    result = verify()
    assert result.ok
    assert (result.chains, result.entries) == (2, 4)


def test_verify_ledger_exits_zero_on_intact_chains(selatan: Unit, capsys) -> None:
    chain(selatan)
    call_command("verify_ledger")
    assert "OK: 1 chain(s), 5 entries" in capsys.readouterr().out


def test_a_changed_entry_is_detected_and_named(selatan: Unit, capsys) -> None:
    entries = chain(selatan)
    tamper("UPDATE core_ledgerentry SET kind = %s WHERE id = %s", ["test.forged", entries[2].pk])
    with pytest.raises(SystemExit) as exc:
        call_command("verify_ledger")
    assert exc.value.code == 1
    assert f"seq 3 (entry id {entries[2].pk})" in capsys.readouterr().err


def test_a_changed_payload_is_detected(selatan: Unit) -> None:
    entries = chain(selatan)
    tamper("UPDATE core_ledgerentry SET payload = %s WHERE id = %s", ['{"i": 99}', entries[1].pk])
    result = verify()
    assert (result.first_break.seq, "entry changed" in result.first_break.reason) == (2, True)


def test_a_deleted_entry_is_detected(selatan: Unit) -> None:
    entries = chain(selatan)
    tamper("DELETE FROM core_ledgerentry WHERE id = %s", [entries[1].pk])
    assert verify().first_break.seq == 3


def test_a_deleted_tail_is_detected_through_the_head(selatan: Unit) -> None:
    entries = chain(selatan)
    tamper("DELETE FROM core_ledgerentry WHERE id = %s", [entries[-1].pk])
    assert "entries deleted" in verify().first_break.reason


def test_an_entry_inserted_in_the_middle_is_detected(selatan: Unit) -> None:
    from spkt.core.ledger import entry_hash

    entries = chain(selatan)
    # Make room at seq 3 (highest first, so the unique constraint holds), then forge a
    # well-formed entry there that links to entry 2.
    for e in reversed(entries[2:]):
        tamper("UPDATE core_ledgerentry SET seq = seq + 1 WHERE id = %s", [e.pk])
    forged_at = entries[1].recorded_at
    digest = entry_hash(
        prev_hash=entries[1].hash,
        unit_id=selatan.pk,
        seq=3,
        kind="test.entry",
        at=forged_at,
        payload={"i": 42},
    )
    sql(
        "INSERT INTO core_ledgerentry (unit_id, seq, kind, recorded_at, payload, prev_hash, hash) "
        "VALUES (%s, 3, 'test.entry', %s, %s, %s, %s)",
        [selatan.pk, forged_at, '{"i": 42}', entries[1].hash, digest],
    )
    result = verify()
    assert result.first_break.seq == 4  # the old third entry no longer links or hashes


def test_reordered_entries_are_detected(selatan: Unit) -> None:
    entries = chain(selatan)
    a, b = entries[1], entries[2]
    tamper("UPDATE core_ledgerentry SET seq = seq + 1000 WHERE id IN (%s, %s)", [a.pk, b.pk])
    tamper("UPDATE core_ledgerentry SET seq = %s WHERE id = %s", [3, a.pk])
    tamper("UPDATE core_ledgerentry SET seq = %s WHERE id = %s", [2, b.pk])
    assert verify().first_break.seq == 2


def test_a_changed_mutasi_row_no_longer_matches_its_entry(selatan: Unit) -> None:
    with book_language():
        entry = mutasi_append(
            unit=selatan, text="Apel pagi, personel lengkap.", category=MutasiCategory.APEL
        )
    tamper("UPDATE dutylog_mutasi SET text = %s WHERE id = %s", ["Apel pagi.", entry.pk])
    result = verify()
    assert "dutylog.Mutasi" in result.first_break.reason


def test_the_orm_refuses_to_change_or_delete_entries(selatan: Unit) -> None:
    entry = chain(selatan, 1)[0]
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(kind="x")


@pytest.mark.postgres
@pytest.mark.parametrize(
    "table", ["core_ledgerentry", "dutylog_mutasi", "documents_document", "core_auditevent"]
)
def test_postgres_refuses_update_and_delete(selatan: Unit, petugas, table: str) -> None:
    issue(petugas, selatan)  # a document, its Mutasi entry, ledger entries and an audit event
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):  # noqa: S608
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            sql(statement)


def test_an_entry_appended_behind_the_head_is_detected(selatan: Unit) -> None:
    from spkt.core.ledger import entry_hash

    entries = chain(selatan, 2)
    at = entries[-1].recorded_at
    digest = entry_hash(
        prev_hash=entries[-1].hash,
        unit_id=selatan.pk,
        seq=3,
        kind="test.entry",
        at=at,
        payload={"i": 7},
    )
    sql(
        "INSERT INTO core_ledgerentry (unit_id, seq, kind, recorded_at, payload, prev_hash, hash) "
        "VALUES (%s, 3, 'test.entry', %s, %s, %s, %s)",
        [selatan.pk, at, '{"i": 7}', entries[-1].hash, digest],
    )
    assert "past its head" in verify().first_break.reason


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_verify_raises_no_false_alarm_while_appends_run(selatan: Unit) -> None:
    import threading

    stop = threading.Event()

    def writer() -> None:
        try:
            while not stop.is_set():
                ledger_append(unit=selatan, kind="test.entry", payload={"w": 1})
        finally:
            connection.close()

    chain(selatan, 20)
    threads = [threading.Thread(target=writer) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        results = [verify() for _ in range(15)]
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert all(r.ok for r in results), [str(r.first_break) for r in results if not r.ok]
