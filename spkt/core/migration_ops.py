"""Migration operations for append-only tables: PostgreSQL refuses UPDATE and DELETE on them.

SQLite gets no trigger: Django's test flush deletes rows there, and an attacker with the file could
drop a trigger anyway; on SQLite the ORM guard and verify_ledger are the protection.
"""

from __future__ import annotations

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION spkt_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'SPKT: %% on %% refused: append-only table', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def append_only(table: str) -> migrations.RunPython:
    trigger = f"{table}_append_only"

    def forward(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(FUNCTION)
        schema_editor.execute(
            f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION spkt_refuse_change();"
        )

    def backward(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")

    return migrations.RunPython(forward, backward, elidable=False)
