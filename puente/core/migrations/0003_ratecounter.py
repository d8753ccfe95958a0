"""The rate counter moves from feedback to core: the password reset counts with it too.
Its rows are windows of at most an hour, so nothing is carried over."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_upload"),
    ]

    operations = [
        migrations.CreateModel(
            name="RateCounter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("bucket", models.CharField(max_length=96, unique=True)),
                ("window_start", models.FloatField()),
                ("count", models.PositiveIntegerField(default=0)),
            ],
        ),
    ]
