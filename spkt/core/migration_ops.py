"""Migration operations for append-only tables: PostgreSQL refuses UPDATE, DELETE and TRUNCATE
on them (row triggers for the first two, a statement trigger for TRUNCATE, which fires no row
trigger).

SQLite gets no trigger: Django's test flush deletes rows there, SQLite has no TRUNCATE (a DELETE
without WHERE is already refused by the ORM guard), and an attacker with the file could drop a
trigger anyway; on SQLite the ORM guard and verify_ledger are the protection.

Django's test flush TRUNCATEs every table on PostgreSQL: the suite's ``flush`` (config/testing)
runs it as a replica session, which fires no ordinary trigger. Production has no such command.
"""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

FUNCTION = """
CREATE OR REPLACE FUNCTION spkt_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'SPKT: %% on %% refused: append-only table', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def append_only(table: str) -> migrations.RunPython:
    """Row triggers against UPDATE and DELETE and a statement trigger against TRUNCATE. Tables made
    append-only before TRUNCATE was covered got theirs from core 0005_refuse_truncate."""
    trigger = f"{table}_append_only"

    def forward(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(FUNCTION)
        schema_editor.execute(
            f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION spkt_refuse_change();"
        )
        _no_truncate(schema_editor, table)

    def backward(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")
            schema_editor.execute(_drop_no_truncate(table))

    return migrations.RunPython(forward, backward, elidable=False)


def refuse_truncate(*tables: str) -> migrations.RunPython:
    """The TRUNCATE trigger alone, for tables whose row triggers already exist."""

    def forward(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(FUNCTION)
        for table in tables:
            _no_truncate(schema_editor, table)

    def backward(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(_drop_no_truncate(table))

    return migrations.RunPython(forward, backward, elidable=False)


def _no_truncate(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    # Replaced if present: on a fresh database the tables' first migrations (append_only) have
    # already created it; on one migrated before 0005_refuse_truncate they have not.
    schema_editor.execute(_drop_no_truncate(table))
    schema_editor.execute(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION spkt_refuse_change();"
    )


def _drop_no_truncate(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};"
