from django.db import migrations

from rexian.supervision.clocks import TAIAN_LADDER

def seed(apps, schema_editor):
    LadderLevel = apps.get_model("supervision", "LadderLevel")
    LadderLevel.objects.bulk_create(
        LadderLevel(level=level, name=name, auto_after_workdays=auto, explanation_workdays=days, issuer_roles=roles)
        for level, name, auto, days, roles in TAIAN_LADDER
    )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
