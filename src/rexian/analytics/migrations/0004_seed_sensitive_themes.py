from django.db import migrations

from rexian.analytics.hotspots import ALERT_THRESHOLDS, WATCH_THEMES


def seed(apps, schema_editor):
    theme_model = apps.get_model("analytics", "SensitiveTheme")
    for name, patterns in WATCH_THEMES.items():
        theme_model.objects.get_or_create(
            name=name, defaults={"patterns": "\n".join(patterns), "threshold": ALERT_THRESHOLDS.get(name, 1)}
        )


def unseed(apps, schema_editor):
    apps.get_model("analytics", "SensitiveTheme").objects.filter(name__in=list(WATCH_THEMES)).delete()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0003_sensitive_themes")]
    operations = [migrations.RunPython(seed, unseed)]
