from django.db import migrations

ROLES = ["kapolsek", "ka_spkt", "anggota_jaga", "reskrim", "penilai", "admin"]


def create_roles(apps, schema_editor) -> None:  # noqa: ANN001
    group = apps.get_model("auth", "Group")
    for name in ROLES:
        group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
