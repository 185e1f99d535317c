from django.db import migrations

from rexian.intake.screening import SEED_RULES


def seed(apps, schema_editor):
    ScreeningRule = apps.get_model("intake", "ScreeningRule")
    ScreeningRule.objects.bulk_create(
        ScreeningRule(
            concern=rule.concern.value,
            pattern=rule.pattern,
            is_regex=rule.is_regex,
            transfer_to=rule.transfer_to,
            reason=rule.reason,
            redirect_to=rule.redirect_to,
        )
        for rule in SEED_RULES
    )


def unseed(apps, schema_editor):
    ScreeningRule = apps.get_model("intake", "ScreeningRule")
    for rule in SEED_RULES:
        ScreeningRule.objects.filter(concern=rule.concern.value, pattern=rule.pattern, is_regex=rule.is_regex).delete()


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
