from django.db import migrations

from rexian.taxonomy.policy import SEED_RULES


def seed(apps, schema_editor):
    TimeLimitPolicy = apps.get_model("taxonomy", "TimeLimitPolicy")
    TimeLimitPolicy.objects.bulk_create(
        TimeLimitPolicy(
            stage=rule.stage,
            appeal_type=rule.appeal_type,
            urgency=rule.urgency,
            amount=rule.limit.amount,
            unit=rule.limit.unit,
            note="种子文档默认时限",
        )
        for rule in SEED_RULES
    )


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0002_time_limits")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
