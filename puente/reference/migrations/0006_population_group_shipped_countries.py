"""A database migrated before population groups had countries gets the shipped ones
(reference/data/population_groups.csv), as `puente load-reference` would give them: until
then every group would apply nowhere and every 5W row naming one would be refused. A
group that already has countries keeps them."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parents[1] / "data" / "population_groups.csv"


def shipped_countries_set(apps, schema_editor):
    PopulationGroup = apps.get_model("reference", "PopulationGroup")
    Country = apps.get_model("reference", "Country")
    with DATA.open(encoding="utf-8", newline="") as handle:
        shipped = {row["code"]: row["countries"].split() for row in csv.DictReader(handle)}
    for group in PopulationGroup.objects.filter(code__in=shipped):
        if not group.countries.exists():
            group.countries.set(Country.objects.filter(iso3__in=shipped[group.code]))


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0005_admin2"),
    ]

    operations = [
        migrations.RunPython(shipped_countries_set, migrations.RunPython.noop),
    ]
