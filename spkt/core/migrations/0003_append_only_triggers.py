from django.db import migrations

from spkt.core.migration_ops import append_only


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]

    operations = [
        append_only("core_ledgerentry"),
        append_only("core_auditevent"),
    ]
