from __future__ import annotations

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rexian.core import clock
from rexian.workdays.actions import import_schedule
from rexian.workdays.models import CalendarDay
from rexian.workdays.schedule import ScheduleError, read_schedule
from rexian.workdays.selectors import current_calendar, missing_years


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from error


def _warning(year: int, today: date) -> str:
    if year == today.year:
        return f"{year} 年的节假日安排未载入：期限按周一至周五暂算（临时期限）。"
    return f"{year} 年的节假日安排尚未载入：国务院通知发布后请用 rexian calendar import 导入。"


class Command(BaseCommand):
    help = (
        "工作日历：add-workdays DATE N（第 N 个工作日）、between A B（A 之后到 B 的工作日数）、"
        "status（载入情况，缺年度时非零退出）、import FILE（导入 CSV 或 YAML 格式的放假安排）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        add = commands.add_parser("add-workdays", help="the n-th working day after DATE (次日起算)")
        add.add_argument("day")
        add.add_argument("n", type=int)
        between = commands.add_parser("between", help="working days in (A, B]")
        between.add_argument("start")
        between.add_argument("end")
        commands.add_parser("status", help="loaded years; exits 1 when a needed year is missing")
        load = commands.add_parser(
            "import", help="a year's schedule from a CSV (date,kind,name) or YAML (.yaml/.yml) file"
        )
        load.add_argument("file")
        load.add_argument("--source", default="", help="e.g. 国办发明电〔2026〕X号; overrides the YAML file's source")

    def handle(self, *args: object, command: str, **options: object) -> None:
        calendar = current_calendar()
        if command == "add-workdays":
            start, n = _date(str(options["day"])), int(options["n"])  # type: ignore[call-overload]
            if n < 0:
                raise CommandError("N 不能为负数。")
            result = calendar.add_workdays(start, n)
            note = "" if calendar.covers(start, result) else "  （临时：跨越未载入节假日安排的年份）"
            self.stdout.write(f"{result.isoformat()}{note}")
        elif command == "between":
            start, end = _date(str(options["start"])), _date(str(options["end"]))
            self.stdout.write(str(calendar.workdays_between(start, end)))
        elif command == "import":
            self._import(str(options["file"]), str(options["source"]))
        else:
            self._status(calendar.years)

    def _import(self, path: str, source: str) -> None:
        try:
            with open(path, encoding="utf-8") as handle:
                schedule = read_schedule(handle.read(), path)
        except OSError as error:
            raise CommandError(f"无法读取 {path}：{error.strerror}") from error
        except ScheduleError as error:
            raise CommandError("文件有误，未导入任何内容：\n" + "\n".join(error.problems)) from error
        years = "、".join(map(str, import_schedule(schedule.days, source or schedule.source or path)))
        self.stdout.write(self.style.SUCCESS(f"已导入 {len(schedule.days)} 个日期，年度：{years}。"))
        from rexian.tickets.actions import reschedule_all_provisional  # tickets build on the calendar

        moved = reschedule_all_provisional()
        self.stdout.write(f"已按新日历重算 {moved} 件工单的暂定时限。")

    def _status(self, years: frozenset[int]) -> None:
        today = clock.local_now().date()
        span = f"{min(years)}–{max(years)}" if years else "无"
        self.stdout.write(f"已载入年度：{span}（{len(years)} 年），例外日期 {CalendarDay.objects.count()} 个。")
        missing = missing_years(today)
        for year in missing:
            self.stdout.write(self.style.WARNING(f"警告：{_warning(year, today)}"))
        if missing:
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("日历完整。"))
