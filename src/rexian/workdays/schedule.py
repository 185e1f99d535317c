"""Reading a year's holiday schedule as the State Council's notice lists it (pure Python).

CSV, one line per holiday range or make-up day, with a header:

    date,kind,name
    2027-01-01..2027-01-03,holiday,元旦
    2027-02-06..2027-02-13,holiday,春节
    2027-02-14,makeup,春节

`kind` is holiday (放假), makeup (调休上班), closure (本地停止办公) or local_workday (本地加班日).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("holiday", "makeup", "closure", "local_workday")
MAX_RANGE_DAYS = 31


@dataclass(frozen=True)
class ScheduleDay:
    day: date
    kind: str
    name: str


class ScheduleError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _days(text: str) -> list[date]:
    first, _, last = text.partition("..")
    start = date.fromisoformat(first.strip())
    end = date.fromisoformat(last.strip()) if last else start
    if end < start or (end - start).days >= MAX_RANGE_DAYS:
        raise ValueError("range")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def parse_schedule(text: str) -> list[ScheduleDay]:
    """Every day of the file, or a ScheduleError naming every bad line (nothing is half-read)."""
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    problems: list[str] = []
    if not rows or not {"date", "kind"} <= set(rows[0]):
        raise ScheduleError(["第 1 行应为表头：date,kind,name"])
    days: dict[date, ScheduleDay] = {}
    for line, row in enumerate(rows, start=2):
        kind = (row.get("kind") or "").strip()
        if kind not in KINDS:
            problems.append(f"第 {line} 行：类型应为 {'/'.join(KINDS)}，而不是“{kind}”。")
            continue
        try:
            dates = _days(row.get("date") or "")
        except ValueError:
            problems.append(f"第 {line} 行：日期应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD（不超过 31 天）。")
            continue
        for day in dates:
            if day in days and days[day].kind != kind:
                problems.append(f"第 {line} 行：{day} 已在前面以另一类型出现。")
            days[day] = ScheduleDay(day, kind, (row.get("name") or "").strip()[:60])
    if problems:
        raise ScheduleError(problems)
    return sorted(days.values(), key=lambda d: d.day)
