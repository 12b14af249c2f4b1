from django.db import migrations

from spkt.core.migration_ops import append_only


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_lp_sttlp_prereg")]

    operations = [append_only("documents_caseprogress")]
