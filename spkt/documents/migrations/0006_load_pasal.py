from django.db import migrations


def load(apps, schema_editor) -> None:  # noqa: ANN001
    from spkt.documents.pasal import pasal_load

    pasal_load(apps.get_model("documents", "Pasal"))


class Migration(migrations.Migration):
    dependencies = [("documents", "0005_progress_append_only")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
