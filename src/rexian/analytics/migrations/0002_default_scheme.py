from django.db import migrations

from rexian.analytics.assessment import DEFAULT_SCHEME


def seed(apps, schema_editor):
    item_model = apps.get_model("analytics", "AssessmentItem")
    for item in DEFAULT_SCHEME:
        item_model.objects.get_or_create(code=item.code, defaults={"points": item.points})


def unseed(apps, schema_editor):
    apps.get_model("analytics", "AssessmentItem").objects.filter(code__in=[i.code for i in DEFAULT_SCHEME]).delete()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
