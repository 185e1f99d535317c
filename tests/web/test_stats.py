"""The statistics pages on the fixed October 2026 history of tests/analytics/test_metrics.py: who may see
them, the figures they show, the links to the tickets behind a chart, the Excel download, the assessment."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from rexian.analytics.models import Report
from tests.analytics.test_metrics import history as history
from tests.conftest import City
from tests.web.test_console import login, page

pytestmark = pytest.mark.django_db
OCTOBER = {"period": "custom", "start": "2026-10-01", "end": "2026-10-31"}


def test_statistics_are_for_overseers_leaders_and_unit_admins(history: City) -> None:
    assert login("intake").get(reverse("stats")).status_code == 403
    assert login("h_hrss").get(reverse("stats")).status_code == 403  # a handler, not the unit's admin
    for username in ("shift_lead", "leader", "quality", "centre_admin", "h_east"):
        assert login(username).get(reverse("stats"), OCTOBER).status_code == 200, username
    nav = page(login("leader"), reverse("console")).split('class="mainnav"')[1].split("</nav>")[0]
    assert ">统计<kbd>" in nav


def test_the_dashboard_shows_the_months_figures_and_links_to_the_tickets(history: City) -> None:
    html = page(login("shift_lead"), reverse("stats"), **OCTOBER)
    tiles = html.split('id="tiles"')[1].split("</section>")[0]
    assert "受理量</div>\n    <div class=\"big\">5</div>" in tiles
    assert ">20.0%<" in tiles and ">66.7%<" in tiles  # 直办率 1/5, 按时签收率 2/3
    links = [a.split('"')[0] for a in html.split('<a href="')[1:] if "/console/search/?" in a.split('"')[0]]
    day = [parse_qs(urlparse(link.replace("&amp;", "&")).query) for link in links]
    assert {"created_from": ["2026-10-31"], "created_to": ["2026-10-31"]} in day  # T6's column
    assert any(q.get("unit") == ["d_hrss"] for q in day)


def test_a_unit_admin_sees_only_the_units_subtree(history: City) -> None:
    html = page(login("h_east"), reverse("stats_table"), group="unit", unit="d_hrss", **OCTOBER)
    table = html.split('id="figures"')[1].split("</table>")[0]
    assert "东区" in table and "人社局" not in table
    assert 'name="unit"' not in html  # no unit picker: the subtree is the admin's own


def test_figures_per_group_download_as_excel(history: City) -> None:
    response = login("shift_lead").get(reverse("stats_table"), {**OCTOBER, "group": "unit", "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["承办单位", "受理量", "直办量"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["合计"][header.index("受理量")] == 5
    assert rows["人社局"][header.index("按时签收率")] == 0.0 and rows["东区"][header.index("退单量")] == 1


def test_bad_dates_are_reported_in_chinese(history: City) -> None:
    html = page(login("shift_lead"), reverse("stats"), period="custom", start="2026-10-31", end="2026-10-01")
    assert "截止日期不能早于起始日期" in html
    html = page(login("shift_lead"), reverse("stats"), period="custom", start="昨天", end="2026-10-01")
    assert "日期格式应为" in html
    assert "找不到编码为 nowhere 的选项" in page(login("shift_lead"), reverse("stats"), unit="nowhere")


def test_the_assessment_ranks_member_units_and_marks_cards(history: City) -> None:
    html = page(login("leader"), reverse("stats_assessment"), month="2026-10")
    ranking = html.split('id="ranking"')[1].split("</table>")[0]
    assert ranking.index("城管局") < ranking.index("东区") < ranking.index("人社局")
    assert ">90.0<" in ranking
    own = page(login("h_east"), reverse("stats_assessment"), month="2026-10").split('id="ranking"')[1]
    assert "东区" in own.split("</table>")[0] and "人社局" not in own.split("</table>")[0]
    assert "月份格式应为" in page(login("leader"), reverse("stats_assessment"), month="十月")


def test_every_definition_is_published(history: City) -> None:
    html = page(login("leader"), reverse("metrics_help"))
    assert "（满意 + 基本满意）÷ 评价数" in html and "退单量 ÷ 派单量" in html


def test_reports_are_generated_archived_and_downloaded(history: City) -> None:
    lead = login("shift_lead")
    response = lead.post(reverse("stats_reports"), {"kind": "monthly", "day": "2026-10-15"})
    assert response.status_code == 302
    archive = page(lead, reverse("stats_reports"))
    assert "2026年10月月报" in archive and "2026-10-01 — 2026-10-31" in archive
    link = archive.split('id="reports"')[1].split('<a href="')[1].split('"')[0]
    workbook = load_workbook(BytesIO(b"".join(lead.get(link).streaming_content)))
    assert "总览" in workbook.sheetnames
    refused = lead.post(reverse("stats_reports"), {"kind": "monthly", "day": "2099-01-01"})
    assert refused.status_code == 422 and "尚未开始" in refused.content.decode()
    assert lead.post(reverse("stats_reports"), {"kind": "daily"}).status_code == 422


def test_leaders_read_the_archive_and_units_have_none(history: City) -> None:
    leader = page(login("leader"), reverse("stats_reports"))
    assert 'id="report-form"' not in leader
    refused = login("leader").post(reverse("stats_reports"), {"kind": "monthly", "day": "2026-10-15"})
    assert refused.status_code == 403 and not Report.objects.exists()
    assert login("h_east").get(reverse("stats_reports")).status_code == 403
