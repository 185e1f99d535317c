"""Knowledge entries from the spreadsheets units send: every bad row named with its column, nothing written
unless every row is right; the export imports back unchanged."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from rexian.core.errors import ValidationError
from rexian.knowledge import actions
from rexian.knowledge.models import Entry, EntryVersion, SearchDoc
from rexian.knowledge.search import search
from rexian.knowledge.spreadsheet import export_entries, import_entries
from tests.conftest import City

HEADER = "标题,问法,标准答复,白话版,维护单位,分类,标签,生效日期,失效日期\n"
GOOD = (
    "失业保险金怎么申领,失业金怎么领,携带身份证到人社窗口申领。,带身份证去就行,d_hrss,010101,失业,,2027-12-31\n"
    "占道经营如何举报,小区门口摆摊,拨打12345反映。,,城管局,020101,占道,2026-01-01,\n"
)


def run(city: City, who: str, text: str, *, publish: bool = False):
    stream = io.BytesIO(text.encode("utf-8-sig"))
    return import_entries(actor=city.users[who], stream=stream, filename="条目.csv", publish=publish)


def test_a_good_file_creates_every_entry_with_its_version_and_index(city: City) -> None:
    report = run(city, "centre_admin", HEADER + GOOD, publish=True)
    assert (report.ok, report.created, report.rows) == (True, 2, 2)
    assert Entry.objects.filter(status="published").count() == 2
    assert SearchDoc.objects.count() == 2
    assert set(EntryVersion.objects.values_list("step", flat=True)) == {"import", "publish"}
    assert search("失业金")[0].entry.title == "失业保险金怎么申领"
    assert Entry.objects.get(title="占道经营如何举报").unit.code == "d_urban"  # a unit given by its name


def test_one_bad_row_writes_nothing_and_every_problem_is_named(city: City) -> None:
    bad = (
        ",只有问法,答复,,d_hrss,,,,\n"
        "有效日期,问,答,,d_hrss,,,2026-02-30,\n"
        "未知单位,问,答,,火星局,,,,\n"
        "未知分类,问,答,,d_hrss,990101,,,\n"
        "失业保险金怎么申领,重复,答,,d_hrss,,,,\n"
    )
    report = run(city, "centre_admin", HEADER + GOOD + bad)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [
        (4, "标题"), (5, "生效日期"), (6, "维护单位"), (7, "分类"), (8, "标题"),
    ]  # fmt: skip
    assert "第 2 行" in report.errors[-1].message
    assert Entry.objects.count() == SearchDoc.objects.count() == 0


def test_a_unit_imports_only_its_own_entries_as_drafts(city: City) -> None:
    report = run(city, "h_hrss", HEADER + GOOD, publish=True)
    assert [(e.row, e.column) for e in report.errors] == [(3, "维护单位")]
    report = run(city, "h_hrss", HEADER + GOOD.splitlines()[0] + "\n", publish=True)
    assert report.created == 1 and Entry.objects.get().status == "draft"  # publishing is the centre's


def test_a_file_without_the_needed_columns_is_refused(city: City) -> None:
    with pytest.raises(ValidationError) as refused:
        run(city, "centre_admin", "名称,内容\n甲,乙\n")
    assert "标题" in refused.value.message and "标准答复" in refused.value.message
    with pytest.raises(ValidationError):
        import_entries(actor=city.users["centre_admin"], stream=io.BytesIO(b"PK\x03\x04junk"), filename="a.xlsx")


def test_the_export_imports_back_as_updates(city: City) -> None:
    run(city, "centre_admin", HEADER + GOOD, publish=True)
    response = export_entries(Entry.objects.order_by("pk"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "标题", "问法", "标准答复") and len(rows) == 3
    rows[1] = (rows[1][0], rows[1][1], rows[1][2], "携带身份证和社保卡到人社窗口申领。", *rows[1][4:])
    text = "\n".join(",".join("" if v is None else str(v)[:10] if k in (9, 10) else str(v) for k, v in enumerate(r))
                     for r in rows)  # fmt: skip
    report = run(city, "centre_admin", text)
    assert (report.ok, report.created, report.updated, report.unchanged) == (True, 0, 1, 1), report.errors
    assert Entry.objects.get(title="失业保险金怎么申领").answer.startswith("携带身份证和社保卡")


def test_a_row_naming_an_entry_the_user_may_not_see_is_refused(city: City) -> None:
    draft = actions.create_entry(actor=city.users["h_urban"], data={"title": "甲", "answer": "乙", "unit": "d_urban"})
    report = run(city, "h_hrss", "编号," + HEADER + f"{draft.code}," + GOOD.splitlines()[0] + "\n")
    assert [(e.row, e.column) for e in report.errors] == [(2, "编号")]
