"""The rate counter now lives in core (core.0003_ratecounter)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_sensitive_guard_rate_counter"),
        ("core", "0003_ratecounter"),
    ]

    operations = [
        migrations.DeleteModel(name="RateCounter"),
    ]
