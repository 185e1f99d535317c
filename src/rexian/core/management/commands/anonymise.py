from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from rexian.core import clock, retention


class Command(BaseCommand):
    help = "Anonymise citizens' personal data past the retention period (REXIAN_RETENTION_YEARS); the statistics stay."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what is due, change nothing")

    def handle(self, *args, dry_run: bool, **options) -> None:
        years = settings.REXIAN["RETENTION_YEARS"]
        if years <= 0:
            self.stdout.write("保存期限为 0（REXIAN_RETENTION_YEARS=0）：不做匿名化。")
            return
        now = clock.now()
        if dry_run:
            self._report("到期待匿名化", retention.pending(now, years))
            return
        total = retention.RetentionResult()
        while True:  # batch after batch, each ticket in its own transaction
            done = retention.run(now, years=years)
            total += done
            if not done:
                break
        self._report(f"已匿名化（保存期限 {years} 年）", total)

    def _report(self, title: str, result: retention.RetentionResult) -> None:
        self.stdout.write(
            f"{title}：工单 {result.tickets} 件，未成单通话 {result.calls} 个，急警联动记录 {result.transfers} 条，"
            f"未成单渠道来件 {result.messages} 条。"
        )
