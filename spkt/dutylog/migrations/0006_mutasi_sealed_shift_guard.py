"""The database refuses a Buku Mutasi entry for a shift whose book was sealed at its handover.

``mutasi_append`` refuses it first with a message; this trigger holds for every other writer too
(a bug, a script, a raw INSERT). Unlike the append-only triggers (``core.migration_ops``) it exists
on SQLite as well: it guards INSERT only, which the test flush never runs.

On SQLite, Django rebuilds a table to alter it, which drops its triggers: a later migration that
alters ``dutylog_mutasi`` must create this trigger again (the sealed-shift tests fail otherwise).
"""

from django.db import migrations

TRIGGER = "dutylog_mutasi_sealed_shift"

# Two statements, executed one by one; "%%" because the schema editor formats with parameters.
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION spkt_refuse_sealed_shift() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM dutylog_shift WHERE id = NEW.shift_id AND status = 'closed') THEN
    RAISE EXCEPTION 'SPKT: entry into sealed shift %% refused', NEW.shift_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
POSTGRES_TRIGGER = """
CREATE TRIGGER dutylog_mutasi_sealed_shift BEFORE INSERT ON dutylog_mutasi
  FOR EACH ROW EXECUTE FUNCTION spkt_refuse_sealed_shift();
"""

SQLITE = """
CREATE TRIGGER dutylog_mutasi_sealed_shift BEFORE INSERT ON dutylog_mutasi
FOR EACH ROW WHEN (SELECT status FROM dutylog_shift WHERE id = NEW.shift_id) = 'closed'
BEGIN
  SELECT RAISE(ABORT, 'SPKT: entry into sealed shift refused');
END;
"""


def forward(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)
        schema_editor.execute(POSTGRES_TRIGGER)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE)


def backward(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON dutylog_mutasi;")
        schema_editor.execute("DROP FUNCTION IF EXISTS spkt_refuse_sealed_shift();")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER};")


class Migration(migrations.Migration):
    dependencies = [("dutylog", "0005_handover_seal")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
