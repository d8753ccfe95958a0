"""The 5W table partitioned by year on PostgreSQL (puente/reporting/partitions.py): a
row's key unique with its month, the history's reference to a row checked by Django, then
the table rebuilt as one partition per year and a default one, in this migration's
transaction. On SQLite only the first two apply."""

import django.db.models.deletion
from django.db import migrations, models


def partition(apps, schema_editor):
    from puente.reporting.partitions import table_partition

    table_partition(schema_editor.connection)


def unpartition(apps, schema_editor):
    from puente.reporting.partitions import table_unpartition

    table_unpartition(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0003_activityrow_cva_terms"),
    ]

    operations = [
        migrations.AlterField(
            model_name="rowchange",
            name="row",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="changes",
                to="reporting.activityrow",
            ),
        ),
        migrations.AlterField(
            model_name="activityrow",
            name="row_key",
            field=models.UUIDField(),
        ),
        migrations.AddConstraint(
            model_name="activityrow",
            constraint=models.UniqueConstraint(
                fields=("row_key", "month"), name="row_key_month_unique"
            ),
        ),
        migrations.RunPython(partition, unpartition),
    ]
