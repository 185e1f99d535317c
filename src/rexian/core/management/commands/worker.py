from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Run background tasks queued in the database (needs REXIAN_TASKS=database), and every minute the "
        "supervision sweep and notification retries."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", action="store_true", help="sweep once, run what is queued, then exit")

    def handle(self, *args, batch: bool, **options) -> None:
        from rexian.supervision.periodic import every_minute, start_scheduler

        if settings.TASK_MODE != "database":
            raise CommandError(
                "后台任务当前随请求即时执行（REXIAN_TASKS=immediate）；设置 REXIAN_TASKS=database 后再启动 worker。"
            )
        if batch:
            every_minute()
        else:
            start_scheduler()
        call_command("db_worker", *(["--batch"] if batch else []))
