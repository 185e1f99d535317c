"""rexian import-legacy FILE [--map 目标=列名 ...] [--source 名称] [--dry-run] [--user 用户名]"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rexian.core.errors import DomainError
from rexian.core.tables import read_table
from rexian.directory.models import User
from rexian.imports.actions import check_stream
from rexian.tickets.access import SYSTEM, Actor
from rexian.tickets.actions import import_legacy
from rexian.tickets.legacy import TARGETS, CheckResult, guess_mapping

TARGET_NAMES = {name: t.name for t in TARGETS for name in (t.name, t.label)}
PROGRESS_EVERY = 1000


class Command(BaseCommand):
    help = "导入原热线的历史工单（.xlsx 或 .csv）：先检查每一行，有任何错误则不导入；全部正确则一次导入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=".xlsx 或 .csv 文件")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="目标=列名",
            help="某字段取自哪一列，如 --map 原工单编号=受理号；可重复",
        )
        parser.add_argument("--source", default="", help="原热线名称（文件没有“原热线”列时使用）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--user", default="", help="记为导入人的中心管理员用户名（默认：系统）")

    def handle(self, *args: Any, file: str, map: list[str], source: str, dry_run: bool, user: str, **_: Any) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        actor = self._actor(user)
        mapping = self._mapping(path, map)
        started = time.perf_counter()
        try:
            with path.open("rb") as stream:
                result = check_stream(stream, path.name, mapping, source=source, progress=self._progress)
        except DomainError as error:
            raise CommandError(error.message) from error
        self._report(result)
        if dry_run:
            self.stdout.write(f"检查通过：{result.processed} 行均可导入（试导入，未写入）。")
            return
        try:
            count = import_legacy(actor=actor, rows=result.rows)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"已导入 {count} 件历史工单，用时 {time.perf_counter() - started:.1f} 秒。")

    def _actor(self, username: str) -> Actor:
        if not username:
            return SYSTEM
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户不存在或已停用：{username}")
        return user

    def _mapping(self, path: Path, pairs: list[str]) -> dict[str, str]:
        with path.open("rb") as stream:
            try:
                mapping = guess_mapping(read_table(stream, path.name).headers)
            except DomainError as error:
                raise CommandError(error.message) from error
        for pair in pairs:
            target, sep, header = pair.partition("=")
            if not sep or target.strip() not in TARGET_NAMES:
                labels = "、".join(t.label for t in TARGETS)
                raise CommandError(f"无法识别 --map {pair}：应为 目标=列名，目标可填 {labels}")
            mapping[TARGET_NAMES[target.strip()]] = header.strip()
        shown = "，".join(f"{t.label}←{mapping[t.name]}" for t in TARGETS if mapping.get(t.name))
        self.stdout.write(f"列映射：{shown}")
        return mapping

    def _progress(self, rows: int) -> None:
        if rows % PROGRESS_EVERY == 0:
            self.stdout.write(f"已检查 {rows} 行……")

    def _report(self, result: CheckResult) -> None:
        for error in result.errors:
            self.stderr.write(f"第 {error.row} 行 {error.field}：{error.message}")
        if result.errors:
            raise CommandError(f"检查了 {result.processed} 行，发现 {len(result.errors)} 处错误，未导入任何工单。")
