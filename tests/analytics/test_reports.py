"""Periodic reports on the fixed history of test_metrics.py: the workbook and the document read back, who may
generate them, the periods refused, and the worker's schedule."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from typing import Any

import openpyxl
import pytest
import time_machine
from docx import Document

from rexian.analytics import actions
from rexian.analytics.metrics import METRICS, figures
from rexian.analytics.models import Report, ReportKind
from rexian.analytics.queries import counts
from rexian.analytics.reports import PLACEHOLDER, Period
from rexian.core.errors import PermissionDenied, ValidationError
from rexian.supervision.models import UnitCard
from rexian.tickets.access import SYSTEM
from rexian.workdays.calendar import SHANGHAI
from tests.analytics.test_metrics import OCTOBER, at
from tests.analytics.test_metrics import history as history  # the fixture
from tests.conftest import City

pytestmark = pytest.mark.django_db

SHEETS = ["总览", "单位", "考核排名", "分类", "区县", "渠道", "类型", "每日", "热点"]
SECTIONS = ["一、总体情况", "二、诉求分类", "三、承办单位", "四、热点问题", "五、下一步工作"]
NOVEMBER_2 = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


def monthly(city: City, user: str = "quality", **period: Any) -> Report:
    with time_machine.travel(NOVEMBER_2, tick=False):
        return actions.generate_report(actor=city.users[user], kind="monthly", **period)


def october(city: City) -> Report:
    """October's report, with a red card for 人社局."""
    UnitCard.objects.create(unit=city.units["d_hrss"], period="2026-10", card=3, overdue_tickets=10,
                            updated_at=at(10, 31))  # fmt: skip
    return monthly(city, day=date(2026, 10, 15))


def workbook(report: Report) -> openpyxl.Workbook:
    with report.workbook.open("rb") as handle:
        return openpyxl.load_workbook(BytesIO(handle.read()))


def document(report: Report) -> Any:
    with report.document.open("rb") as handle:
        return Document(BytesIO(handle.read()))


def paragraphs(report: Report) -> list[str]:
    return [p.text for p in document(report).paragraphs]


def table(ws: Any) -> dict[str, list[Any]]:
    """A sheet's rows by their first cell (row 1 is the title, row 2 the header)."""
    return {row[0]: list(row[1:]) for row in ws.iter_rows(min_row=3, values_only=True) if row and row[0]}


def test_a_monthly_report_opens_in_excel_with_the_month_s_figures(history: City) -> None:
    book = workbook(october(history))
    assert book.sheetnames == SHEETS
    overview = table(book["总览"])
    expected = figures(counts(OCTOBER)[None])
    for metric in METRICS:
        assert overview[metric.label][0] == pytest.approx(expected[metric.code]), metric.label
    assert overview["受理量"][:3] == [5, 1, 4]  # October, September (T1), the change
    assert overview["直办率"][0] == pytest.approx(0.2) and overview["满意率"][0] == pytest.approx(0.5)
    ws = book["总览"]
    assert ws["A5"].value == "直办率" and ws["B5"].number_format == "0.0%"  # row 3 is 受理量
    assert ws.freeze_panes == "B3" and ws["A2"].font.b


def test_the_workbook_has_charts_and_highlights_carded_units(history: City) -> None:
    book = workbook(october(history))
    assert book["每日"]._charts and book["分类"]._charts and book["考核排名"]._charts
    days = table(book["每日"])
    assert len(days) == 31 and days["10月12日"][0] == 1 and days["10月1日"][0] == 0  # gaps are zeros
    units = {row[0].value: row for row in book["单位"].iter_rows(min_row=3)}
    assert units["人社局"][0].fill.fgColor.rgb.endswith("FFC7CE")  # red
    assert units["城管局"][0].fill.fill_type is None
    assert units["人社局"][17].value == "红牌"
    ranked = [row[1] for row in book["考核排名"].iter_rows(min_row=3, values_only=True)]
    assert sorted(ranked) == sorted(["人社局", "城管局", "东区"])  # the units that had work in October
    hotspots = table(book["热点"])
    assert hotspots[1][:3] == ["门口占道经营", "东一街道幸福小区", 5]  # the five October appeals, one text


def test_the_document_is_an_editable_narrative_with_the_figures(history: City) -> None:
    doc = document(october(history))
    text = [p.text for p in doc.paragraphs]
    assert text[0] == "测试市12345热线2026年10月运行情况报告"
    assert [line for line in text if line in SECTIONS] == SECTIONS
    body = "\n".join(text)
    assert "共受理群众诉求 5 件，较上月增加 4 件（环比增长 400.0%）" in body
    assert "直办率 20.0%，较上月上升 20.0 个百分点" in body
    assert "按时办结率 50.0%，上月无可比数据" in body  # September had no reply
    assert "人社局（红牌）" in body
    assert "有超期答复或被督办的单位：人社局（超期答复 1 件）。" in body
    assert "门口占道经营：诉求 5 件" in body
    assert text[text.index("五、下一步工作") + 1] == PLACEHOLDER
    assert round(doc.sections[0].page_width.mm) == 210  # A4
    key_figures = [[cell.text for cell in row.cells] for row in doc.tables[0].rows]
    assert key_figures[0] == ["指标", "本期", "上期（上月）", "变化"]
    assert key_figures[1] == ["受理量", "5", "1", "+4"] and key_figures[2] == [
        "直办率",
        "20.0%",
        "0.0%",
        "+20.0 个百分点",
    ]


def test_the_report_is_archived_with_safe_file_names(history: City) -> None:
    report = monthly(history)
    assert (report.kind, report.start, report.end) == ("monthly", date(2026, 11, 1), date(2026, 11, 30))
    october = monthly(history, start=date(2026, 10, 1), end=date(2026, 10, 31))
    assert october.title == "2026年10月月报"
    assert october.workbook.name == "reports/2026/monthly-2026-10.xlsx"
    assert october.document.name == "reports/2026/monthly-2026-10.docx"
    assert october.created_by == history.users["quality"] and october.created_by_name == "quality"
    assert october.workbook.storage.exists(october.workbook.name) and Report.objects.count() == 2


@pytest.mark.parametrize("user", ["h_hrss", "leader", "intake"])
def test_only_the_centre_s_statistics_desks_generate_reports(history: City, user: str) -> None:
    with pytest.raises(PermissionDenied):
        monthly(history, user, day=date(2026, 10, 15))
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("kind", "period", "message"),
    [
        ("monthly", {"day": date(2026, 12, 1)}, "该期间尚未开始，不能生成报告。"),
        ("monthly", {"start": date(2026, 10, 31), "end": date(2026, 10, 1)}, "截止日期不能早于起始日期。"),
        ("monthly", {"start": date(2026, 10, 1)}, "请同时填写起始日期和截止日期。"),
        ("daily", {}, "未知的报告类型：daily。"),
    ],
)
def test_bad_periods_are_refused(city: City, kind: str, period: dict[str, date], message: str) -> None:
    with time_machine.travel(NOVEMBER_2, tick=False), pytest.raises(ValidationError) as refused:
        actions.generate_report(actor=city.users["centre_admin"], kind=kind, **period)
    assert refused.value.message == message
    assert not Report.objects.exists()


def test_the_worker_generates_each_due_report_once(history: City, django_assert_num_queries) -> None:
    with time_machine.travel(NOVEMBER_2, tick=False):
        assert actions.generate_due_reports(NOVEMBER_2) == 4
        with django_assert_num_queries(1):
            assert actions.generate_due_reports(NOVEMBER_2) == 0
    periods = {r.kind: (r.start, r.end, r.created_by_name) for r in Report.objects.all()}
    assert periods == {
        "weekly": (date(2026, 10, 26), date(2026, 11, 1), "系统"),
        "monthly": (date(2026, 10, 1), date(2026, 10, 31), "系统"),
        "quarterly": (date(2026, 7, 1), date(2026, 9, 30), "系统"),
        "annual": (date(2025, 1, 1), date(2025, 12, 31), "系统"),
    }
    quarter = workbook(Report.objects.get(kind="quarterly"))
    assert "每月" in quarter.sheetnames and list(table(quarter["每月"])) == ["2026年7月", "2026年8月", "2026年9月"]


def test_a_report_of_a_period_without_tickets_is_still_valid(city: City) -> None:
    with time_machine.travel(NOVEMBER_2, tick=False):
        report = actions.generate_report(actor=SYSTEM, kind="annual", day=date(2025, 6, 1))
    assert report.created_by is None and report.created_by_name == "系统"
    book = workbook(report)
    assert table(book["总览"])["受理量"][0] == 0 and table(book["总览"])["满意率"][0] is None
    assert not book["分类"]._charts and table(book["热点"]) == {}
    body = "\n".join(paragraphs(report))
    assert "共受理群众诉求 0 件，与上年持平" in body and "本期没有发现集中反映的热点问题。" in body


def test_a_failing_report_is_retried_an_hour_later_not_every_minute(city: City, monkeypatch) -> None:
    calls = []

    def broken(kind: str, start: date, end: date) -> None:
        calls.append(kind)
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions.reports, "gather", broken)
    monkeypatch.setattr(actions, "_failed", {})
    assert actions.generate_due_reports(NOVEMBER_2) == 0 and len(calls) == 4
    assert actions.generate_due_reports(NOVEMBER_2.replace(minute=1)) == 0 and len(calls) == 4
    assert actions.generate_due_reports(NOVEMBER_2.replace(hour=10, minute=1)) == 0 and len(calls) == 8


def test_period_names() -> None:
    week = Period(ReportKind.WEEKLY, date(2026, 10, 26), date(2026, 11, 1))
    assert (week.title, week.stem, week.versus) == ("2026年第44周周报", "weekly-2026-W44", "上周")
    quarter = Period(ReportKind.QUARTERLY, date(2026, 10, 1), date(2026, 12, 31))
    assert (quarter.title, quarter.stem) == ("2026年第四季度季报", "quarterly-2026-Q4")
    year = Period(ReportKind.ANNUAL, date(2025, 1, 1), date(2025, 12, 31))
    assert (year.title, year.stem, year.compared) == ("2025年年报", "annual-2025", "同比")
    chosen = Period(ReportKind.MONTHLY, date(2026, 10, 1), date(2026, 10, 15))
    assert chosen.stem == "monthly-2026-10-01-2026-10-15" and chosen.versus == "上期"
    assert chosen.label == "2026年10月1日至2026年10月15日"
