"""Indicators get a measure kind in place of `counts_people`: people reached, people
trained, an output in its unit, or a stock. Indicators that counted people count people
reached, except the shipped training indicators (people trained); the others are outputs,
except support spaces operating (a stock). MPC-02 stops repeating the 5W CVA value in US$:
it counts people receiving one-off emergency multipurpose cash (docs/methodology.md)."""

from django.db import migrations, models

PEOPLE_TRAINED = ("EDU-03", "CSS-02")
STOCKS = ("CSS-03",)
MPC_02 = {
    "unit": "people",
    "name_en": "People receiving one-off emergency multipurpose cash",
    "name_es": (
        "Personas que reciben transferencias monetarias multipropósito de emergencia de una "
        "sola vez"
    ),
    "name_pt": (
        "Pessoas que recebem transferências monetárias multipropósito emergenciais de parcela única"
    ),
}


def measures_set(apps, schema_editor):
    Indicator = apps.get_model("reference", "Indicator")
    Indicator.objects.filter(counts_people=True).update(measure="people-reached")
    Indicator.objects.filter(counts_people=False).update(measure="output")
    Indicator.objects.filter(code__in=PEOPLE_TRAINED).update(measure="people-trained")
    Indicator.objects.filter(code__in=STOCKS).update(measure="stock")
    Indicator.objects.filter(code="MPC-02", unit="USD").update(measure="people-reached", **MPC_02)


def counts_people_set(apps, schema_editor):
    Indicator = apps.get_model("reference", "Indicator")
    Indicator.objects.update(counts_people=False)
    Indicator.objects.filter(measure__in=("people-reached", "people-trained")).update(
        counts_people=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0002_sector_in_intersector"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="measure",
            field=models.CharField(
                choices=[
                    ("people-reached", "People reached"),
                    ("people-trained", "People trained"),
                    ("output", "Output"),
                    ("stock", "Stock"),
                ],
                default="people-reached",
                max_length=16,
                verbose_name="measure",
            ),
        ),
        migrations.RunPython(measures_set, counts_people_set),
        migrations.RemoveField(model_name="indicator", name="counts_people"),
    ]
