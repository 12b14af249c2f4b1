from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0004_intake"),
    ]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="second_factor_for_desk",
            field=models.BooleanField(
                default=False, verbose_name="faktor kedua juga untuk anggota jaga"
            ),
        ),
    ]
