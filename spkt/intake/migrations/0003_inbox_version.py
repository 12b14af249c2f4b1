"""The inbox's change marker (Contact.inbox_version), raised by triggers on every write; and an
index of a unit's contacts by arrival (the daily report, the Anev).

No lock is taken beyond the contact row being written: PostgreSQL draws the value from a sequence
(non-transactional, never waits), SQLite, whose writers are serialised anyway, from the table's
highest value plus one. A per-unit counter row was tried first and deadlocked under load (a hot row
locked in the middle of transactions that lock the ledger head and the unit in other orders)."""

from django.db import migrations, models

PG = [
    "CREATE SEQUENCE IF NOT EXISTS intake_inbox_version_seq",
    """
CREATE OR REPLACE FUNCTION spkt_inbox_version() RETURNS trigger AS $$
BEGIN
  NEW.inbox_version := nextval('intake_inbox_version_seq');
  RETURN NEW;
END;
$$ LANGUAGE plpgsql
""",
    "CREATE TRIGGER intake_contact_inbox_version BEFORE INSERT OR UPDATE ON intake_contact "
    "FOR EACH ROW EXECUTE FUNCTION spkt_inbox_version()",
]
SQLITE = [
    # AFTER triggers (SQLite cannot assign NEW); recursive triggers are off, so the inner UPDATE
    # does not fire them again.
    """
CREATE TRIGGER intake_contact_inbox_version AFTER INSERT ON intake_contact
BEGIN
  UPDATE intake_contact SET inbox_version =
    (SELECT COALESCE(MAX(inbox_version), 0) + 1 FROM intake_contact) WHERE id = NEW.id;
END
""",
    """
CREATE TRIGGER intake_contact_inbox_version_upd AFTER UPDATE ON intake_contact
WHEN NEW.inbox_version = OLD.inbox_version
BEGIN
  UPDATE intake_contact SET inbox_version =
    (SELECT COALESCE(MAX(inbox_version), 0) + 1 FROM intake_contact) WHERE id = NEW.id;
END
""",
]


def forward(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in PG if vendor == "postgresql" else SQLITE if vendor == "sqlite" else []:
        schema_editor.execute(statement)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS intake_contact_inbox_version ON intake_contact"
        )
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS intake_contact_inbox_version")
        schema_editor.execute("DROP TRIGGER IF EXISTS intake_contact_inbox_version_upd")


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_walkin_call_index"),
        ("org", "0004_intake"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="inbox_version",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["unit", "inbox_version"], name="contact_unit_version_idx"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["unit", "received_at"], name="contact_unit_received_idx"),
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
