from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rexian.core import clock
from rexian.core.clock import SHANGHAI
from rexian.demo.generate import generate
from rexian.tickets.workflow import STATE_LABELS, State

MAX_MONTHS = 120
PROGRESS_EVERY = 2.0  # seconds between progress lines


class Command(BaseCommand):
    help = (
        "Fill the database with generated history: N tickets received over --months months up to --end, with every "
        "event and the open tickets' stage clocks (loads the demo city's units and categories into an empty database)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, required=True, help="how many tickets")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--months", type=int, default=12, help="the period the tickets arrive in (default 12)")
        parser.add_argument("--end", help="the last day of the period, YYYY-MM-DD (default: now)")

    def handle(self, *args: Any, tickets: int, seed: int, months: int, end: str | None, **options: Any) -> None:
        if tickets < 1:
            raise CommandError("--tickets 应为正整数。")
        if not 1 <= months <= MAX_MONTHS:
            raise CommandError(f"--months 应为 1–{MAX_MONTHS} 的整数。")
        last_print = time.monotonic()

        def progress(done: int, total: int) -> None:
            nonlocal last_print
            if done == total or time.monotonic() - last_print >= PROGRESS_EVERY:
                self.stdout.write(f"已生成 {done:,} / {total:,} 张工单")
                last_print = time.monotonic()

        try:
            figures = generate(tickets, seed=seed, end=_end(end), months=months, progress=progress)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(_summary(figures)))


def _summary(figures: dict[str, Any]) -> str:
    states = "，".join(f"{STATE_LABELS[s]} {figures['states'][s.value]:,}" for s in State)
    rate = figures["tickets"] / max(figures["seconds"], 0.001)
    return (
        f"已生成 {figures['tickets']:,} 张工单、{figures['events']:,} 条流转记录、{figures['clocks']:,} 个环节时限"
        f"（{figures['database']}，{figures['seconds']:.1f} 秒，每秒 {rate:,.0f} 张）：{states}。"
    )


def _end(text: str | None) -> datetime | None:
    """The end of the given day (Asia/Shanghai), or now when that is today; None for now."""
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--end 应为 YYYY-MM-DD 格式的日期：{text}") from None
    now = clock.now()
    if day > now.astimezone(SHANGHAI).date():
        raise CommandError("--end 不能晚于今天：生成的记录不能发生在将来。")
    return min(datetime.combine(day + timedelta(days=1), datetime.min.time(), SHANGHAI), now)
