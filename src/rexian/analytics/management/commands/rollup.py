from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rexian.analytics.actions import roll_up
from rexian.analytics.models import DailyCounts, DailyHandlingDays, RollupState
from rexian.core import clock


class Command(BaseCommand):
    help = (
        "Roll up every closed day not rolled up yet into the statistics' daily counts (the worker does it a month "
        "of days per minute); --rebuild drops the roll-up first, e.g. after importing history."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="roll up every day again from the event log")

    def handle(self, *args: Any, rebuild: bool, **options: Any) -> None:
        if rebuild:
            RollupState.objects.all().delete()
            DailyCounts.objects.all().delete()
            DailyHandlingDays.objects.all().delete()
        started = time.perf_counter()
        days = roll_up(clock.now(), days_per_run=None)
        through = RollupState.objects.values_list("through", flat=True).first()
        self.stdout.write(f"已汇总 {days} 天，统计汇总至 {through or '—'}（{time.perf_counter() - started:.1f} 秒）。")
