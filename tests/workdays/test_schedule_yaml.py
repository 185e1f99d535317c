"""The YAML schedule: read like the State Council's notice, checked like the CSV, imported by the command."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.management import CommandError, call_command

from rexian.core.clock import SHANGHAI
from rexian.workdays.models import CalendarDay, DayKind, ScheduleYear
from rexian.workdays.schedule import ScheduleError, parse_schedule, parse_schedule_yaml, read_schedule

SCHEDULE_2027 = """\
year: 2027
source: 国办发明电〔2026〕7号
holidays:
  - name: 元旦
    dates: 2027-01-01..2027-01-03
  - name: 春节
    dates: 2027-02-06..2027-02-13
    makeup: [2027-02-14, 2027-02-20]
"""

SAME_AS_CSV = """\
date,kind,name
2027-01-01..2027-01-03,holiday,元旦
2027-02-06..2027-02-13,holiday,春节
2027-02-14,makeup,春节
2027-02-20,makeup,春节
"""
NEW_YEAR = "holidays:\n  - name: 元旦\n    dates: 2027-01-01\n"


def problems(text: str) -> list[str]:
    with pytest.raises(ScheduleError) as error:
        parse_schedule_yaml(text)
    return error.value.problems


def test_a_schedule_reads_like_the_notice_and_gives_the_same_days_as_csv():
    schedule = parse_schedule_yaml(SCHEDULE_2027)
    assert schedule.source == "国办发明电〔2026〕7号"
    assert schedule.days == parse_schedule(SAME_AS_CSV)
    assert len(schedule.days) == 13
    assert [(d.day, d.kind, d.name) for d in schedule.days[-2:]] == [
        (date(2027, 2, 14), "makeup", "春节"),
        (date(2027, 2, 20), "makeup", "春节"),
    ]


def test_year_and_source_are_optional_and_dates_may_be_a_list():
    schedule = parse_schedule_yaml("holidays:\n  - name: 国庆节\n    dates: [2027-10-01..2027-10-03, '2027-10-05']\n")
    assert schedule.source == ""
    assert [d.day.day for d in schedule.days] == [1, 2, 3, 5]


def test_the_file_name_chooses_the_format():
    assert read_schedule(SCHEDULE_2027, "2027.YAML").days == read_schedule(SAME_AS_CSV, "2027.csv").days
    assert read_schedule(SCHEDULE_2027, "2027.yml").source == "国办发明电〔2026〕7号"


def test_unknown_keys_are_named_with_their_entry():
    found = problems("year: 2027\nsauce: x\nholidays:\n  - name: 春节\n    dates: 2027-02-06\n    makup: 2027-02-14\n")
    assert found == [
        "文件顶层：未知的键“sauce”（可用：year、source、holidays）。",
        "holidays 第 1 项（春节）：未知的键“makup”（可用：name、dates、makeup）。",
    ]


def test_an_impossible_date_is_named_with_its_entry():
    found = problems("holidays:\n  - name: 元旦\n    dates: 2027-01-01\n  - name: 春节\n    dates: 2027-02-30\n")
    assert found == [
        "holidays 第 2 项（春节）：dates 中“2027-02-30”不是有效日期，应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD。"
    ]


def test_a_range_over_31_days_or_backwards_is_refused():
    found = problems("holidays:\n  - name: 春节\n    dates: [2027-02-06..2027-03-09, 2027-02-13..2027-02-06]\n")
    assert found == [
        "holidays 第 1 项（春节）：dates 中范围“2027-02-06..2027-03-09”超过 31 天。",
        "holidays 第 1 项（春节）：dates 中范围“2027-02-13..2027-02-06”的结束日期早于开始日期。",
    ]
    assert len(parse_schedule_yaml("holidays:\n  - name: 长假\n    dates: 2027-01-01..2027-01-31\n").days) == 31


def test_a_date_given_twice_with_different_kinds_names_both_entries():
    found = problems(
        "holidays:\n  - name: 元旦\n    dates: 2027-01-01..2027-01-03\n"
        "  - name: 春节\n    dates: 2027-02-06\n    makeup: 2027-01-03\n"
    )
    assert found == [
        "holidays 第 2 项（春节）：2027-01-03 已在 holidays 第 1 项（元旦） 中列为放假日，不能再列为调休上班日。"
    ]


def test_the_same_holiday_twice_is_no_conflict():
    schedule = parse_schedule_yaml("holidays:\n  - name: 元旦\n    dates: [2027-01-01..2027-01-02, 2027-01-02]\n")
    assert len(schedule.days) == 2


def test_dates_outside_the_year_are_refused():
    found = problems(
        "year: 2027\nholidays:\n  - name: 元旦\n    dates: 2026-12-31..2027-01-02\n    makeup: 2028-01-02\n"
    )
    assert found == [
        "holidays 第 1 项（元旦）：dates 中的“2026-12-31..2027-01-02”不在 year 所定的 2027 年内。",
        "holidays 第 1 项（元旦）：makeup 中的“2028-01-02”不在 year 所定的 2027 年内。",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "文件应为 YAML 映射，包含 year、source、holidays 三个键。"),
        ("- 2027-01-01\n", "文件应为 YAML 映射，包含 year、source、holidays 三个键。"),
        ("year: 2027\n", "holidays 应为非空列表，每项包含 name、dates，可选 makeup。"),
        (f"year: 二〇二七\n{NEW_YEAR}", "year 应为四位年份，如 2027，而不是“二〇二七”。"),
        (f"source: 7\n{NEW_YEAR}", "source 应为文字，如 国办发明电〔2026〕X号。"),
        ("holidays:\n  - 2027-01-01\n", "holidays 第 1 项应为映射，包含 name、dates，可选 makeup。"),
        ("holidays:\n  - dates: 2027-01-01\n", "holidays 第 1 项：缺少 name（节日名称）。"),
        ("holidays:\n  - name: 元旦\n    makeup: 2027-01-04\n", "holidays 第 1 项（元旦）：缺少 dates（放假日期）。"),
        (
            "holidays:\n  - name: 元旦\n    dates: 20270101\n",
            "holidays 第 1 项（元旦）：dates 中的“20270101”应为日期 YYYY-MM-DD 或范围 YYYY-MM-DD..YYYY-MM-DD"
            "（可写成列表）。",
        ),
        ("holidays: [\n", "第 2 行：YAML 格式有误（expected the node content, but found '<stream end>'）。"),
        (
            "holidays:\n  - name: 春节\n    makeup: 2027-02-14\n    dates: 2027-02-06\n    makeup: 2027-02-20\n",
            "第 5 行：YAML 格式有误（键“makeup”重复）。",
        ),
    ],
)
def test_each_mistake_has_a_clear_message(text, expected):
    assert problems(text) == [expected]


# ---- the command ---------------------------------------------------------------------------------------


def test_the_command_imports_a_yaml_file(db, tmp_path, time_machine, capsys):
    time_machine.move_to(datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI))
    with pytest.raises(SystemExit) as exited:
        call_command("calendar", "status")
    assert exited.value.code == 1 and "2027 年的节假日安排尚未载入" in capsys.readouterr().out
    call_command("calendar", "add-workdays", "2027-02-05", "1")
    assert capsys.readouterr().out.strip() == "2027-02-08  （临时：跨越未载入节假日安排的年份）"

    path = tmp_path / "2027.yaml"
    path.write_text(SCHEDULE_2027, encoding="utf-8")
    call_command("calendar", "import", str(path))
    assert "已导入 13 个日期，年度：2027。" in capsys.readouterr().out
    assert ScheduleYear.objects.get(year=2027).source == "国办发明电〔2026〕7号"
    assert CalendarDay.objects.get(day=date(2027, 2, 20)).kind == DayKind.MAKEUP

    call_command("calendar", "add-workdays", "2027-02-05", "1")  # Friday before the Spring Festival
    assert capsys.readouterr().out.strip() == "2027-02-14"  # the Sunday make-up day
    call_command("calendar", "status")  # no SystemExit: exit status 0
    assert "日历完整" in capsys.readouterr().out


def test_source_on_the_command_line_wins_over_the_file(db, tmp_path):
    path = tmp_path / "2027.yml"
    path.write_text(SCHEDULE_2027, encoding="utf-8")
    call_command("calendar", "import", str(path), "--source", "国办发明电〔2026〕8号（更正）")
    assert ScheduleYear.objects.get(year=2027).source == "国办发明电〔2026〕8号（更正）"
    assert set(CalendarDay.objects.filter(day__year=2027).values_list("source", flat=True)) == {
        "国办发明电〔2026〕8号（更正）"
    }


def test_a_bad_yaml_file_imports_nothing(db, tmp_path):
    path = tmp_path / "2027.yaml"
    path.write_text(SCHEDULE_2027.replace("2027-02-20", "2027-02-30"), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("calendar", "import", str(path))
    assert "文件有误，未导入任何内容" in str(error.value)
    assert "holidays 第 2 项（春节）：makeup 中“2027-02-30”不是有效日期" in str(error.value)
    assert not ScheduleYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(day__year=2027).exists()
