from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from rexian.core.doctor import Status, run_checks


class Command(BaseCommand):
    help = "Check the settings, the database, the holiday calendar and the worker; exit non-zero on a failure."

    def handle(self, *args, **options) -> None:
        findings = run_checks()
        for finding in findings:
            self.stdout.write(f"[{finding.status.value}] {finding.check}：{finding.message}")
        failed = sum(f.status is Status.FAIL for f in findings)
        if failed:
            raise CommandError(f"{failed} 项检查失败。")
        warned = sum(f.status is Status.WARN for f in findings)
        self.stdout.write(f"检查完毕：{len(findings)} 项，{warned} 项警告。")
