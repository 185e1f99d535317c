from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rexian.core.backup import KIND_LABELS, BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a `rexian backup` archive: the database is replaced whole, the uploaded files put back."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="overwrite a database that already has tickets")

    def handle(self, *args, archive: Path, yes: bool, **options) -> None:
        if not archive.is_file():
            raise CommandError(f"找不到备份文件：{archive}")
        try:
            manifest = restore_backup(archive, confirmed=yes)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"恢复完成：{archive}（{KIND_LABELS[manifest.database]}，备份于 {manifest.created_at}，"
            f"工单 {manifest.tickets} 件，Rexian {manifest.rexian_version}）。"
            "请运行 rexian migrate、rexian check-invariants 和 rexian doctor。"
        )
