"""PostgreSQL refuses TRUNCATE on every append-only table, the audit log included: a TRUNCATE
fires no row trigger, so the UPDATE/DELETE triggers of the earlier migrations never saw it. New
append-only tables get this trigger from ``append_only()`` itself. On SQLite nothing changes
(spkt.core.migration_ops says why)."""

from django.db import migrations

from spkt.core.migration_ops import refuse_truncate


class Migration(migrations.Migration):
    # The latest migration of every app whose tables are covered, so the tables exist.
    dependencies = [
        ("core", "0004_lp_sttlp_prereg"),
        ("dutylog", "0006_mutasi_sealed_shift_guard"),
        ("documents", "0007_progress_ledger_entry"),
    ]

    operations = [
        refuse_truncate(
            "core_ledgerentry",
            "core_auditevent",
            "dutylog_mutasi",
            "documents_document",
            "documents_documentvoid",
            "documents_caseprogress",
        )
    ]
