"""Sectors get `in_intersector`: Common Services (and any sub-sector of it) have no people
in need and stay out of inter-sector figures, as the response counts them."""

from django.db import migrations, models

COMMON_SERVICES = "CSS"


def common_services_out(apps, schema_editor):
    Sector = apps.get_model("reference", "Sector")
    Sector.objects.filter(code=COMMON_SERVICES).update(in_intersector=False)
    Sector.objects.filter(parent__code=COMMON_SERVICES).update(in_intersector=False)


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="sector",
            name="in_intersector",
            field=models.BooleanField(
                default=True,
                help_text=(
                    "Off for sectors without people in need of their own (Common Services): "
                    "they take no people in need and stay out of inter-sector figures."
                ),
                verbose_name="counted in inter-sector figures",
            ),
        ),
        migrations.RunPython(common_services_out, migrations.RunPython.noop),
    ]
