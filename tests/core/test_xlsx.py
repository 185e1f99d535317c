"""The Excel export helper, read back with openpyxl."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import quote

import openpyxl
import pytest
from openpyxl.worksheet._writer import ALL_TEMP_FILES
from openpyxl.worksheet.worksheet import Worksheet

from rexian.core.xlsx import Column, sheet_title, xlsx_response

COLUMNS = [
    Column("工单编号", 18),
    Column("受理时间", 20),
    Column("办理期限", 12),
    Column("内容", 40),
    Column("得分", 8, "0.0"),
]


def read(response) -> Worksheet:
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_headers_values_and_layout():
    rows = [("20261121000001", datetime(2026, 11, 21, 1, 30, tzinfo=UTC), date(2026, 11, 30), "占道经营", 4.5)]
    response = xlsx_response("督办台账", "督办台账", COLUMNS, rows)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = read(response)
    assert [cell.value for cell in sheet[1]] == ["工单编号", "受理时间", "办理期限", "内容", "得分"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E2"
    assert sheet.column_dimensions["A"].width == 18 and sheet.column_dimensions["D"].width == 40
    number, received, due, text, score = sheet[2]
    assert (number.value, text.value) == ("20261121000001", "占道经营")
    assert received.value == datetime(2026, 11, 21, 9, 30)
    assert due.value == datetime(2026, 11, 30) and due.is_date  # openpyxl reads every date back as a datetime
    assert score.value == 4.5 and score.number_format == "0.0"


def test_aware_datetimes_are_written_in_shanghai_time_without_a_zone():
    utc = datetime(2026, 11, 21, 18, 5, tzinfo=UTC)  # 02:05 the next day in Shanghai
    new_york = datetime(2026, 11, 21, 9, 0, tzinfo=timezone(timedelta(hours=-5)))  # 22:00 in Shanghai
    sheet = read(xlsx_response("t", "t", [Column("时间")], [(utc,), (new_york,)]))
    assert [sheet.cell(row, 1).value for row in (2, 3)] == [datetime(2026, 11, 22, 2, 5), datetime(2026, 11, 21, 22, 0)]
    assert sheet.cell(2, 1).value.tzinfo is None and sheet.cell(2, 1).is_date


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "=1", "#N/A"])
def test_text_that_looks_like_a_formula_stays_text(text):
    response = xlsx_response("t", "t", [Column("内容")], [(text,)])
    cell = read(response).cell(2, 1)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert b"<f>" not in _sheet_xml(response)


def test_ordinary_values_are_not_guarded():
    sheet = read(xlsx_response("t", "t", [Column("内容"), Column("数")], [("城管-占道", -3), ("", Decimal("1.5"))]))
    assert (sheet.cell(2, 1).value, sheet.cell(2, 1).quotePrefix) == ("城管-占道", False)
    assert (sheet.cell(2, 2).value, sheet.cell(2, 2).data_type) == (-3, "n")
    assert sheet.cell(3, 1).value is None and sheet.cell(3, 2).value == 1.5


def test_control_characters_from_pasted_text_are_dropped():
    sheet = read(xlsx_response("t", "t", [Column("内容")], [("噪音\x0b扰民\x00",)]))
    assert sheet.cell(2, 1).value == "噪音扰民"


def test_a_chinese_filename_downloads_under_its_name():
    response = xlsx_response("督办台账 2026年11月", "t", [Column("a")], [])
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('督办台账 2026年11月.xlsx')}"
    assert xlsx_response("ledger.xlsx", "t", [Column("a")], [])["Content-Disposition"] == (
        'attachment; filename="ledger.xlsx"'
    )


def test_sheet_titles_are_cut_to_31_characters_and_cleaned():
    assert sheet_title("督办台账：2026/11 [东区]") == "督办台账：2026 11  东区"  # the full-width colon is allowed
    assert sheet_title("a:b*c?d") == "a b c d"
    assert sheet_title("'报表'") == "报表"
    assert sheet_title("长" * 40) == "长" * 31
    assert sheet_title("///") == "Sheet1"
    assert read(xlsx_response("t", "督办台账/" + "长" * 40, [Column("a")], [])).title == sheet_title(
        "督办台账/" + "长" * 40
    )


def test_an_empty_list_still_has_its_header_and_rows_stream_from_a_generator():
    sheet = read(xlsx_response("t", "t", [Column("a"), Column("b")], []))
    assert [c.value for c in sheet[1]] == ["a", "b"] and sheet.max_row == 1
    rows = ((i, f"第{i}行") for i in range(1000))
    sheet = read(xlsx_response("t", "t", [Column("序号"), Column("说明")], rows))
    assert sheet.max_row == 1001 and sheet.cell(1001, 2).value == "第999行"
    assert sheet.auto_filter.ref == "A1:B1001"


def test_a_failed_export_leaves_no_temporary_file():
    def rows():
        yield (1, "a")
        raise RuntimeError("数据库断开")

    before = list(ALL_TEMP_FILES)
    with pytest.raises(RuntimeError):
        xlsx_response("t", "t", [Column("a"), Column("b")], rows())
    with pytest.raises(ValueError):
        xlsx_response("t", "t", [Column("a"), Column("b")], [(1,)])  # a row of the wrong length
    assert before == ALL_TEMP_FILES


def _sheet_xml(response) -> bytes:
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")
