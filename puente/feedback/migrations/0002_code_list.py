"""The default code list: the seven feedback types and the intake channels."""

from django.db import migrations

from puente.feedback.code_list import CHANNELS, TYPES

def seed(apps, schema_editor):
    FeedbackType = apps.get_model("feedback", "FeedbackType")
    FeedbackChannel = apps.get_model("feedback", "FeedbackChannel")
    for position, (code, en, es, pt, sensitive, public) in enumerate(TYPES):
        FeedbackType.objects.update_or_create(
            code=code,
            defaults={
                "name_en": en,
                "name_es": es,
                "name_pt": pt,
                "sensitive": sensitive,
                "public": public,
                "position": position,
            },
        )
    for position, (code, en, es, pt) in enumerate(CHANNELS):
        FeedbackChannel.objects.update_or_create(
            code=code, defaults={"name_en": en, "name_es": es, "name_pt": pt, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
