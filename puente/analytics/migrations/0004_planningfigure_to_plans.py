# Targets (PlanningFigure) moved to plans (plans.0002), which keeps the table
# analytics_planningfigure: analytics forgets the model without touching the table. After
# needs.0002, which read people in need out of that model as analytics knew it.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("analytics", "0003_alter_planningfigure_kind"),
        ("needs", "0002_people_in_need_from_planning_figures"),
        ("plans", "0002_planningfigure"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PlanningFigure")],
            database_operations=[],
        ),
    ]
