# Where each population group applies, and when and where each indicator is in force
# (docs/methodology.md, "Where each population group and indicator applies"). The shipped
# values come with `puente load-reference` (reference/data/).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0003_indicator_measure"),
    ]

    operations = [
        migrations.AddField(
            model_name="populationgroup",
            name="countries",
            field=models.ManyToManyField(
                blank=True,
                related_name="population_groups",
                to="reference.country",
                verbose_name="countries",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="first_year",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="first year"
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="last_year",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="last year"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="countries",
            field=models.ManyToManyField(
                blank=True,
                related_name="indicators",
                to="reference.country",
                verbose_name="countries",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="platforms",
            field=models.ManyToManyField(
                blank=True,
                related_name="indicators",
                to="reference.platform",
                verbose_name="platforms",
            ),
        ),
    ]
