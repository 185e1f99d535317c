"""`rexian bench hotspots`: the hotspots of a CSV file of messages, one dict per hotspot (no database).

The keys follow the 热点问题表 of the 2020 Taidi contest (problem C): 热度排名 `rank`, 热度指数 `heat`,
时间范围 `time_range`, 地点/人群 `place_people`, 问题描述 `description`; then the figures behind them and the
member messages' ids. The public data sets behind docs/hotspots.md are read from wherever they lie; nothing of
them is copied into the project.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Any

from rexian.analytics.hotspots import Hotspot, Message, find_hotspots

# Columns read when present, by the names public data sets and hotline exports give them.
ID_COLUMNS = ("留言编号", "编号", "工单编号", "工单号", "id", "ID")
AUTHOR_COLUMNS = ("留言用户", "用户", "来电人", "来电号码", "author", "user")
TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)


def hotspots_from_csv(
    path: Path, *, text_col: str, title_col: str | None, time_col: str | None, weight_col: str | None, top: int
) -> list[dict[str, Any]]:
    """The `top` hottest hotspots of the messages in a CSV file (UTF-8, with or without BOM), as dicts.

    Member ids come from a column named like 留言编号 or id when there is one, else they are row numbers (the first
    message is row 1); an author column (留言用户, 来电人, …) makes the heat count people rather than messages.
    Raises ValueError, in Chinese, for a missing file or column, a time or weight that cannot be read (naming the
    row), or a file without a usable message.
    """
    if top < 1:
        raise ValueError("--top 应为正整数。")
    messages = read_messages(path, text_col=text_col, title_col=title_col, time_col=time_col, weight_col=weight_col)
    return [hotspot_row(h) for h in find_hotspots(messages, top=top)]


def read_messages(
    path: Path, *, text_col: str, title_col: str | None, time_col: str | None, weight_col: str | None
) -> list[Message]:
    """The messages of a CSV file; rows with neither text nor title are left out."""
    if not path.is_file():
        raise ValueError(f"找不到文件：{path}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        for column in (text_col, title_col, time_col, weight_col):
            if column is not None and column not in columns:
                raise ValueError(f"{path.name} 中没有“{column}”列（现有列：{'、'.join(columns) or '无'}）。")
        id_col = next((c for c in ID_COLUMNS if c in columns), None)
        author_col = next((c for c in AUTHOR_COLUMNS if c in columns), None)
        messages = []
        for number, row in enumerate(reader, start=1):
            ident = _cell(row, id_col) or str(number)
            where = f"第 {number} 行" + (f"（{id_col} {ident}）" if id_col else "")
            text, title = _cell(row, text_col), _cell(row, title_col)
            if not text and not title:
                continue
            messages.append(
                Message(
                    id=ident,
                    text=text,
                    title=title,
                    at=parse_time(_cell(row, time_col), where),
                    weight=_weight(_cell(row, weight_col), where),
                    author=_cell(row, author_col),
                )
            )
    if not messages:
        raise ValueError(f"{path.name} 中没有可用的留言（“{text_col}”列全为空）。")
    return messages


def _cell(row: dict[str, str], column: str | None) -> str:
    return (row.get(column) or "").strip() if column else ""


def parse_time(value: str, where: str = "") -> datetime | None:
    """A time as exports write it ("2019/2/28 11:25:05", "2019-08-01 00:00:00", "2019年8月1日"); None when blank."""
    if not value:
        return None
    for form in TIME_FORMATS:
        try:
            return datetime.strptime(value, form)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where}的时间“{value}”无法识别（应如 2019/2/28 11:25:05 或 2019-02-28）。") from None


def _weight(value: str, where: str) -> float:
    if not value:
        return 0.0
    try:
        return float(value.replace(",", ""))
    except ValueError:
        raise ValueError(f"{where}的权重“{value}”不是数字。") from None


def hotspot_row(hotspot: Hotspot) -> dict[str, Any]:
    """One line of the 热点问题表, with the figures behind it."""
    return {
        "rank": hotspot.rank,
        "heat": hotspot.heat,
        "time_range": _time_range(hotspot),
        "place_people": hotspot.place_people,
        "description": hotspot.description,
        "size": hotspot.size,
        "people": hotspot.people,
        "weight": int(hotspot.weight) if float(hotspot.weight).is_integer() else hotspot.weight,
        "growth": hotspot.growth,
        "keywords": hotspot.keywords,
        "themes": hotspot.themes,
        "ids": hotspot.member_ids,
    }


def _time_range(hotspot: Hotspot) -> str:
    if hotspot.first_at is None or hotspot.last_at is None:
        return ""
    return f"{hotspot.first_at:%Y/%m/%d} 至 {hotspot.last_at:%Y/%m/%d}"
