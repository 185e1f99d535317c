from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from rexian.supervision.sweep import sweep


class Command(BaseCommand):
    help = (
        "Update stage clocks, warning lights, 催办 and ladder notices, and cards "
        "(idempotent; the worker runs it every minute)."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(json.dumps(sweep().as_dict()))
