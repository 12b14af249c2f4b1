"""Progress notes (SP2HP) join the ledger (ADR 0032): add the link, chain the notes written before,
then make the link required. The payload is frozen here as ``services.progress_payload`` wrote it
at this point, so these entries verify like the ones written live."""

from datetime import UTC

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

TABLE = "documents_caseprogress"
TRIGGER = "documents_caseprogress_append_only"  # spkt.core.migration_ops.append_only


def chain_existing_notes(apps, schema_editor) -> None:  # noqa: ANN001
    from spkt.core.canonical import normalise
    from spkt.core.ledger import GENESIS, entry_hash

    CaseProgress = apps.get_model("documents", "CaseProgress")
    LedgerEntry = apps.get_model("core", "LedgerEntry")
    LedgerHead = apps.get_model("core", "LedgerHead")
    notes = (
        CaseProgress.objects.filter(ledger_entry__isnull=True)
        .select_related("document")
        .order_by("at", "pk")
    )
    if not notes.exists():
        return
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:  # the row trigger refuses UPDATE; the table's owner lifts it for this transaction
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
    recorded_at = timezone.now().astimezone(UTC)
    for note in notes:
        unit_id = note.document.unit_id
        head = LedgerHead.objects.select_for_update().filter(unit_id=unit_id).first()
        if head is None:
            head = LedgerHead.objects.create(unit_id=unit_id, seq=0, hash=GENESIS)
        payload = normalise(
            {
                "type": "document.progress",
                "unit": unit_id,
                "document": note.document_id,
                "at": note.at,
                "by": note.by_id,
                "stage": note.stage,
                "public_note": note.public_note,
                "internal_note": note.internal_note,
            }
        )
        seq = head.seq + 1
        digest = entry_hash(
            prev_hash=head.hash,
            unit_id=unit_id,
            seq=seq,
            kind="documents.progress",
            at=recorded_at,
            payload=payload,
        )
        entry = LedgerEntry.objects.create(
            unit_id=unit_id,
            seq=seq,
            kind="documents.progress",
            recorded_at=recorded_at,
            payload=payload,
            prev_hash=head.hash,
            hash=digest,
        )
        LedgerHead.objects.filter(pk=head.pk).update(seq=seq, hash=digest)
        CaseProgress.objects.filter(pk=note.pk).update(ledger_entry=entry)
    if postgres:
        # Deferred foreign-key checks must run before the table can be altered again.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_lp_sttlp_prereg"),
        ("documents", "0006_load_pasal"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseprogress",
            name="ledger_entry",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.ledgerentry",
            ),
        ),
        migrations.RunPython(chain_existing_notes, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="caseprogress",
            name="ledger_entry",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.ledgerentry",
            ),
        ),
    ]
