from django.db import migrations

from spkt.core.migration_ops import append_only


class Migration(migrations.Migration):
    dependencies = [("dutylog", "0002_initial")]

    operations = [
        append_only("dutylog_mutasi"),
    ]
