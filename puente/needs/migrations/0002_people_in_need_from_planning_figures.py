"""People in need were once kept beside targets (analytics.PlanningFigure, kind in-need);
they move to the needs analysis as country-wide figures without severity."""

from django.db import migrations


def forwards(apps, schema_editor):
    PlanningFigure = apps.get_model("analytics", "PlanningFigure")
    NeedFigure = apps.get_model("needs", "NeedFigure")
    old = PlanningFigure.objects.filter(kind="in-need")
    NeedFigure.objects.bulk_create(
        NeedFigure(
            year=f.year,
            country_id=f.country_id,
            sector_id=f.sector_id,
            population_group_id=f.population_group_id,
            people_in_need=f.people,
        )
        for f in old
    )
    old.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("needs", "0001_initial"),
        ("analytics", "0003_alter_planningfigure_kind"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
