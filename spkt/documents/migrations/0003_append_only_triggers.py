from django.db import migrations

from spkt.core.migration_ops import append_only


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_initial")]

    operations = [
        append_only("documents_document"),
        append_only("documents_documentvoid"),
    ]
