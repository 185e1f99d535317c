"""`rexian bench hotspots` on a small CSV file: one JSON line per hotspot, no database."""

from __future__ import annotations

import csv
import json
import math
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rexian.analytics.bench import parse_time

HEADER = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "点赞数"]
NOISE = [
    ("阳光花园小区楼下KTV夜间噪音扰民", "阳光花园小区楼下的KTV每天夜里噪音扰民，吵得睡不着。"),
    ("阳光花园小区旁边酒吧深夜噪音太大", "阳光花园小区旁边酒吧深夜噪音太大，严重扰民。"),
    ("阳光花园小区夜间噪音扰民", "阳光花园小区夜间噪音扰民，音响声音很大，希望整治。"),
]
WATER = [
    ("建设路下雨后严重积水", "建设路下雨后严重积水，行人无法通行。"),
    ("建设路一下雨就积水", "建设路一下雨就积水，车辆熄火，请疏通排水。"),
]
OTHERS = [
    ("幸福里社区暖气不热", "幸福里社区暖气不热，室温只有十二度。"),
    ("咨询社保缴费标准", "咨询灵活就业人员社保缴费标准。"),
    ("12路公交车间隔太长", "12路公交车发车间隔太长，等车一个小时。"),
]


def rows() -> list[list[str]]:
    """Six noise complaints (2019/11/02 – 2019/11/12, one much liked), four about water, three unrelated."""
    out = []
    for k in range(6):
        title, text = NOISE[k % len(NOISE)]
        out.append([f"N{k}", f"u{k}", title, f"2019/11/{2 + 2 * k} 20:15:00", text, "30" if k == 0 else "0"])
    for k in range(4):
        title, text = WATER[k % len(WATER)]
        out.append([f"W{k}", f"v{k}", title, f"2019-11-{3 + k:02d} 08:00:00", text, ""])
    for k, (title, text) in enumerate(OTHERS):
        out.append([f"X{k}", f"x{k}", title, f"2019/11/{5 + k} 10:00:00", text, "1"])
    return out


def write_csv(path: Path, data: list[list[str]], header: list[str] = HEADER, bom: bool = True) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(data)
    return path


def bench(path: Path, *args: str) -> list[dict[str, Any]]:
    out = StringIO()
    call_command("bench", "hotspots", "--messages", str(path), "--text-col", "留言详情", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().strip().splitlines()]


FULL = ["--title-col", "留言主题", "--time-col", "留言时间", "--weight-col", "点赞数", "--top", "2"]


def test_the_top_hotspots_as_json_lines(tmp_path: Path) -> None:
    first, second = bench(write_csv(tmp_path / "m.csv", rows()), *FULL)
    assert list(first)[:5] == ["rank", "heat", "time_range", "place_people", "description"]
    assert (first["rank"], second["rank"]) == (1, 2)
    assert sorted(first["ids"]) == [f"N{k}" for k in range(6)] and sorted(second["ids"]) == [f"W{k}" for k in range(4)]
    assert first["time_range"] == "2019/11/02 至 2019/11/12"
    assert second["time_range"] == "2019/11/03 至 2019/11/06"
    assert (first["size"], first["people"], first["weight"]) == (6, 6, 30)
    # The week up to the newest message (11/12) has 4 noise complaints, the week before 2: growth log2(5/3).
    assert first["growth"] == pytest.approx(math.log2(5 / 3), abs=1e-3)
    assert first["heat"] == pytest.approx((6 + math.log2(31)) * (1 + math.log2(5 / 3) / 2), abs=0.01)
    assert "阳光花园小区" in first["place_people"] and "噪音" in first["description"]
    assert "建设路" in second["place_people"] and "积水" in second["keywords"]


def test_top_and_optional_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", rows(), bom=False)
    (only,) = bench(path, "--title-col", "留言主题", "--top", "1")
    assert sorted(only["ids"]) == [f"N{k}" for k in range(6)]
    assert only["time_range"] == "" and only["weight"] == 0
    assert len(bench(path)) == 2  # texts alone find the same two; five by default, two exist


def test_rows_are_numbered_without_an_id_column(tmp_path: Path) -> None:
    header = ["标题", "内容"]
    path = write_csv(tmp_path / "m.csv", [[title, text] for _, _, title, _, text, _ in rows()], header)
    out = StringIO()
    call_command("bench", "hotspots", "--messages", str(path), "--text-col", "内容", "--top", "1", stdout=out)
    (only,) = [json.loads(line) for line in out.getvalue().splitlines()]
    assert sorted(only["ids"], key=int) == [str(k) for k in range(1, 7)]  # the first message is row 1


def test_one_author_writing_many_times_counts_once(tmp_path: Path) -> None:
    data = rows()
    for row in data[:6]:
        row[1] = "same"
    first, second = bench(write_csv(tmp_path / "m.csv", data), "--title-col", "留言主题", "--top", "2")
    assert sorted(first["ids"]) == [f"W{k}" for k in range(4)]  # four people beat one person six times
    assert (second["size"], second["people"]) == (6, 1)


@pytest.mark.parametrize(
    ("change", "args", "message"),
    [
        (None, ["--time-col", "时间"], "没有“时间”列"),
        (None, ["--title-col", "主题"], "现有列：留言编号、留言用户"),
        ((2, 3, "十一月三日"), FULL, r"第 3 行（留言编号 N2）的时间“十一月三日”无法识别"),
        ((4, 5, "很多"), FULL, r"第 5 行（留言编号 N4）的权重“很多”不是数字"),
        (None, ["--top", "0"], "--top 应为正整数"),
    ],
)
def test_clear_errors(tmp_path: Path, change: tuple[int, int, str] | None, args: list[str], message: str) -> None:
    data = rows()
    if change:
        row, column, value = change
        data[row][column] = value
    with pytest.raises(CommandError, match=message):
        bench(write_csv(tmp_path / "m.csv", data), *args)


def test_a_missing_file_or_an_empty_one(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到文件"):
        bench(tmp_path / "nowhere.csv")
    empty = write_csv(tmp_path / "empty.csv", [["1", "u", "", "2019/11/02 10:00:00", "", "0"]])
    with pytest.raises(CommandError, match="没有可用的留言"):
        bench(empty)


def test_times_as_exports_write_them() -> None:
    assert parse_time("2019/2/28 11:25:05").month == 2
    assert parse_time("2019-08-01 00:00:00").day == 1
    assert parse_time("2019/06/20 20:38").hour == 20
    assert parse_time("2019年8月1日").month == 8
    assert parse_time("2019-08-01T09:30:00+08:00").hour == 9
    assert parse_time("") is None
