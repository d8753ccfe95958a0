"""The cube no longer holds one "outputs" figure: outputs are summed per unit and stocks
take their latest value (analytics/measures.py), never added to each other."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0004_planningfigure_to_plans"),
    ]

    operations = [
        migrations.RemoveField(model_name="reachcell", name="outputs"),
    ]
