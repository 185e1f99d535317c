"""Reading a year's holiday schedule as the State Council's notice lists it (pure Python).

Two formats, chosen by the file name (`read_schedule`): `.yaml`/`.yml` is YAML, anything else CSV.

CSV, one line per holiday range or make-up day, with a header:

    date,kind,name
    2027-01-01..2027-01-03,holiday,元旦
    2027-02-06..2027-02-13,holiday,春节
    2027-02-14,makeup,春节

`kind` is holiday (放假), makeup (调休上班), closure (本地停止办公) or local_workday (本地加班日).

YAML, one entry per holiday, worded like the notice:

    year: 2027                    # optional: every date must then fall in 2027
    source: 国办发明电〔2026〕X号   # optional: `rexian calendar import --source` overrides it
    holidays:
      - name: 元旦
        dates: 2027-01-01..2027-01-03
      - name: 春节
        dates: 2027-02-06..2027-02-13
        makeup: [2027-02-14, 2027-02-20]

`dates` (放假) and `makeup` (调休上班) take a date, a range a..b or a list of them. YAML holds the notice
only; local closures and local working days are edited in the admin.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import yaml

KINDS = ("holiday", "makeup", "closure", "local_workday")
MAX_RANGE_DAYS = 31
NAME_LENGTH = 60
YAML_SUFFIXES = (".yaml", ".yml")
YAML_TOP_KEYS = ("year", "source", "holidays")
# Entry key → the kind of day it lists.
YAML_ENTRY_KINDS = {"dates": "holiday", "makeup": "makeup"}
YAML_ENTRY_KEYS = ("name", *YAML_ENTRY_KINDS)
KIND_LABELS = {"holiday": "放假日", "makeup": "调休上班日"}


@dataclass(frozen=True)
class ScheduleDay:
    day: date
    kind: str
    name: str


@dataclass(frozen=True)
class Schedule:
    days: list[ScheduleDay]
    source: str = ""


class ScheduleError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_schedule(text: str, filename: str) -> Schedule:
    """The schedule in `text`, read as YAML or CSV according to `filename`."""
    if filename.lower().endswith(YAML_SUFFIXES):
        return parse_schedule_yaml(text)
    return Schedule(parse_schedule(text))


def _days(text: str) -> list[date]:
    """The dates of "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD"; a ValueError says in Chinese what is wrong."""
    first, _, last = text.partition("..")
    try:
        start = date.fromisoformat(first.strip())
        end = date.fromisoformat(last.strip()) if last else start
    except ValueError:
        raise ValueError(f"“{text}”不是有效日期，应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD") from None
    if end < start:
        raise ValueError(f"范围“{text}”的结束日期早于开始日期")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise ValueError(f"范围“{text}”超过 {MAX_RANGE_DAYS} 天")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def parse_schedule(text: str) -> list[ScheduleDay]:
    """Every day of the CSV file, or a ScheduleError naming every bad line (nothing is half-read)."""
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
        except ValueError as error:
            problems.append(f"第 {line} 行：{error}。")
            continue
        for day in dates:
            if day in days and days[day].kind != kind:
                problems.append(f"第 {line} 行：{day} 已在前面以另一类型出现。")
            days[day] = ScheduleDay(day, kind, (row.get("name") or "").strip()[:NAME_LENGTH])
    if problems:
        raise ScheduleError(problems)
    return sorted(days.values(), key=lambda d: d.day)


class _ScheduleLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with two changes so that every mistake reaches the checks below: dates stay
    text (PyYAML would fail on 2027-02-30 with a bare ValueError, before the entry could be named), and a
    key given twice is an error (PyYAML would silently keep the last, e.g. drop a first `makeup` list)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"键“{key}”重复", key_node.start_mark)
            seen.add(key)
        return mapping


_ScheduleLoader.add_constructor("tag:yaml.org,2002:timestamp", _ScheduleLoader.construct_scalar)


def _load_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_ScheduleLoader)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 1
        raise ScheduleError([f"第 {line} 行：YAML 格式有误（{error.problem}）。"]) from error
    except yaml.YAMLError as error:
        raise ScheduleError([f"YAML 格式有误（{error}）。"]) from error


def parse_schedule_yaml(text: str) -> Schedule:
    """Every day of the YAML file and its source, or a ScheduleError naming every bad entry (nothing is
    half-read)."""
    document = _load_yaml(text.lstrip("\ufeff"))
    if not isinstance(document, dict):
        raise ScheduleError(["文件应为 YAML 映射，包含 year、source、holidays 三个键。"])
    reader = _YamlReader()
    reader.read(document)
    if reader.problems:
        raise ScheduleError(reader.problems)
    return Schedule(sorted(reader.days.values(), key=lambda d: d.day), (document.get("source") or "").strip())


def _unknown_keys(mapping: dict[Any, Any], allowed: tuple[str, ...], where: str) -> list[str]:
    return [f"{where}：未知的键“{key}”（可用：{'、'.join(allowed)}）。" for key in mapping if key not in allowed]


class _YamlReader:
    """Collects the days of a YAML schedule and every problem found on the way."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.days: dict[date, ScheduleDay] = {}
        self.owners: dict[date, str] = {}  # date → the entry that listed it, to name both in a conflict
        self.year: int | None = None

    def read(self, document: dict[Any, Any]) -> None:
        self.problems += _unknown_keys(document, YAML_TOP_KEYS, "文件顶层")
        self._read_header(document)
        entries = document.get("holidays")
        if not isinstance(entries, list) or not entries:
            self.problems.append("holidays 应为非空列表，每项包含 name、dates，可选 makeup。")
            return
        for index, entry in enumerate(entries, start=1):
            self._read_entry(index, entry)

    def _read_header(self, document: dict[Any, Any]) -> None:
        year = document.get("year")
        if isinstance(year, int) and not isinstance(year, bool) and 1000 <= year <= 9999:
            self.year = year
        elif year is not None:
            self.problems.append(f"year 应为四位年份，如 2027，而不是“{year}”。")
        if not isinstance(document.get("source") or "", str):
            self.problems.append("source 应为文字，如 国办发明电〔2026〕X号。")

    def _read_entry(self, index: int, entry: Any) -> None:
        label = f"holidays 第 {index} 项"
        if not isinstance(entry, dict):
            self.problems.append(f"{label}应为映射，包含 name、dates，可选 makeup。")
            return
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            self.problems.append(f"{label}：缺少 name（节日名称）。")
            return
        name = name.strip()[:NAME_LENGTH]
        label = f"{label}（{name}）"
        self.problems += _unknown_keys(entry, YAML_ENTRY_KEYS, label)
        if "dates" not in entry:
            self.problems.append(f"{label}：缺少 dates（放假日期）。")
        for key, kind in YAML_ENTRY_KINDS.items():
            if key in entry:
                self._read_dates(label, key, entry[key], kind, name)

    def _read_dates(self, label: str, key: str, value: Any, kind: str, name: str) -> None:
        """Add the days listed under `key`: one date or range, or a list of them."""
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str):
                self.problems.append(
                    f"{label}：{key} 中的“{item}”应为日期 YYYY-MM-DD 或范围 YYYY-MM-DD..YYYY-MM-DD（可写成列表）。"
                )
                continue
            try:
                days = _days(item)
            except ValueError as error:
                self.problems.append(f"{label}：{key} 中{error}。")
                continue
            if self.year is not None and any(day.year != self.year for day in days):
                self.problems.append(f"{label}：{key} 中的“{item}”不在 year 所定的 {self.year} 年内。")
                continue
            for day in days:
                self._add(label, ScheduleDay(day, kind, name))

    def _add(self, label: str, day: ScheduleDay) -> None:
        earlier = self.days.get(day.day)
        if earlier is not None and earlier.kind != day.kind:
            self.problems.append(
                f"{label}：{day.day} 已在 {self.owners[day.day]} 中列为{KIND_LABELS[earlier.kind]}，"
                f"不能再列为{KIND_LABELS[day.kind]}。"
            )
            return
        self.days[day.day] = day
        self.owners[day.day] = label
