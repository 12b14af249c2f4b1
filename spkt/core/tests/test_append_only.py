"""PostgreSQL refuses UPDATE, DELETE and TRUNCATE on every append-only table, the audit log
included; the suite's own flush (config/testing) still empties them between transactional tests."""

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from spkt.conftest import issue
from spkt.core.models import AppendOnlyModel
from spkt.core.tests.test_ledger import sql
from spkt.documents.services import document_void

APPEND_ONLY = sorted(
    model._meta.db_table for model in apps.get_models() if issubclass(model, AppendOnlyModel)
)


def test_the_append_only_tables_are_the_ones_expected() -> None:
    # A new append-only model must get its triggers too (append_only() in its migration).
    assert APPEND_ONLY == [
        "core_auditevent",
        "core_ledgerentry",
        "documents_caseprogress",
        "documents_document",
        "documents_documentvoid",
        "dutylog_mutasi",
        "fieldhelp_statusevent",
        "reports_dailyreportaddendum",
    ]


@pytest.mark.postgres
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_postgres_refuses_truncate(petugas, ka_spkt, selatan, table: str) -> None:
    # Rows in the ledger, the book, the documents, a void and the audit log.
    document_void(actor=ka_spkt, document=issue(petugas, selatan), reason="Salah data")
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred key checks TRUNCATE would wait for
    before = count(table)
    # CASCADE passes the foreign keys that stop a plain TRUNCATE of a referenced table, so it is
    # the trigger that must refuse it.
    with pytest.raises(DatabaseError, match=r"TRUNCATE on \w+ refused"), transaction.atomic():
        sql(f"TRUNCATE {table} CASCADE")
    with pytest.raises(DatabaseError), transaction.atomic():
        sql(f"TRUNCATE {table}")
    assert count(table) == before


def count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_postgres_has_every_guard_on_every_append_only_table(db, table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
            "AND tgenabled = 'O'",
            [table],
        )
        triggers = {name for (name,) in cursor.fetchall()}
    assert {f"{table}_append_only", f"{table}_no_truncate"} <= triggers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_suites_flush_empties_append_only_tables(petugas, selatan) -> None:
    # This test's own teardown is the flush: it must TRUNCATE past the triggers (the next
    # transactional test would find these rows otherwise). The check is in the test below.
    issue(petugas, selatan)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_after_a_flush_the_append_only_tables_are_empty() -> None:
    assert {table: count(table) for table in APPEND_ONLY} == dict.fromkeys(APPEND_ONLY, 0)
