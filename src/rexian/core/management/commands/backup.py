from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rexian.core.backup import KIND_LABELS, BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one tar.gz (safe while the server runs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="directory for the archive (default: var/backups)")

    def handle(self, *args, output: Path | None, **options) -> None:
        try:
            path, manifest = create_backup(output or Path(settings.VAR_DIR) / "backups")
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"备份完成：{path}（{KIND_LABELS[manifest.database]}，工单 {manifest.tickets} 件，"
            f"流转记录 {manifest.events} 条，附件 {manifest.attachments} 个）"
        )
