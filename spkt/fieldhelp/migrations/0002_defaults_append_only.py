"""The shipped task types (spkt.fieldhelp.defaults) and the append-only timeline."""

from django.db import migrations

from spkt.core.migration_ops import append_only


def ship(apps, schema_editor):
    from spkt.fieldhelp.defaults import task_types_ensure

    task_types_ensure(apps.get_model("fieldhelp", "TaskType"))


class Migration(migrations.Migration):
    dependencies = [("fieldhelp", "0001_initial")]

    operations = [
        migrations.RunPython(ship, migrations.RunPython.noop),
        append_only("fieldhelp_statusevent"),
    ]
