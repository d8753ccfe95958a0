# Targets (PlanningFigure) are plan data: the model moves from analytics to plans and
# keeps its table, analytics_planningfigure. Only Django's record of the model changes
# here (analytics.0004 drops it from analytics); the rows stay where they are, on SQLite
# and PostgreSQL alike. The content type moves with the model, so the admin's
# permissions and history of targets follow it.

import django.db.models.deletion
from django.db import migrations, models


def content_type_move(apps, schema_editor, *, source="analytics", target="plans"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if ContentType.objects.using(db).filter(app_label=target, model="planningfigure").exists():
        return
    ContentType.objects.using(db).filter(app_label=source, model="planningfigure").update(
        app_label=target
    )


def content_type_back(apps, schema_editor):
    content_type_move(apps, schema_editor, source="plans", target="analytics")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("plans", "0001_initial"),
        ("reference", "0001_initial"),
        ("analytics", "0003_alter_planningfigure_kind"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PlanningFigure",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("target", "target")], max_length=16)),
                        ("year", models.PositiveSmallIntegerField()),
                        ("people", models.PositiveBigIntegerField()),
                        ("country", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="reference.country")),
                        ("population_group", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="reference.populationgroup")),
                        ("sector", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="reference.sector")),
                    ],
                    options={
                        "db_table": "analytics_planningfigure",
                        "constraints": [models.UniqueConstraint(fields=("kind", "year", "country", "sector", "population_group"), name="unique_planning_figure")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_move, content_type_back),
    ]
