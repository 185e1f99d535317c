"""Periodic reports as files: an Excel workbook (one sheet per view, formatted, with charts) and a Word
document whose narrative skeleton has the figures filled in, for staff to edit (docs/reports.md).

Reads only: everything is gathered once through the selectors (`gather`), then written twice. Archiving the
files is `analytics.actions.generate_report`'s work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rexian.analytics import queries
from rexian.analytics.assessment import Item
from rexian.analytics.metrics import METRIC_BY_CODE, METRICS, Kind, Metric, change, formatted
from rexian.analytics.models import ReportKind
from rexian.analytics.queries import Group, Scope
from rexian.analytics.selectors import (
    Assessed,
    HotspotRow,
    Row,
    assessment,
    by_month,
    overall,
    period_of,
    rows,
    rows_of,
    scheme,
    timeline,
    top_hotspots,
    worst_card,
)
from rexian.core import clock
from rexian.directory.models import Unit
from rexian.supervision.clocks import Card
from rexian.tickets.models import Ticket
from rexian.workdays.calendar import SHANGHAI

HOTSPOTS = 10
TOP = 5  # categories and units named in the narrative
VERSUS = {
    ReportKind.WEEKLY: "上周",
    ReportKind.MONTHLY: "上月",
    ReportKind.QUARTERLY: "上季度",
    ReportKind.ANNUAL: "上年",
}
PLACEHOLDER = "（请在此填写）"


# ---- the period ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: ReportKind
    start: date
    end: date

    @property
    def natural(self) -> bool:
        """True for a whole week, month, quarter or year; False for a range someone chose."""
        return (self.start, self.end) == period_of(self.kind, self.start)

    @property
    def label(self) -> str:
        """2026年10月, 2026年第44周, 2026年第四季度, 2026年, or the dates of a chosen range."""
        s = self.start
        if not self.natural:
            return f"{s.year}年{s.month}月{s.day}日至{self.end.year}年{self.end.month}月{self.end.day}日"
        if self.kind == ReportKind.WEEKLY:
            year, week, _ = s.isocalendar()
            return f"{year}年第{week}周"
        if self.kind == ReportKind.MONTHLY:
            return f"{s.year}年{s.month}月"
        if self.kind == ReportKind.QUARTERLY:
            return f"{s.year}年第{'一二三四'[(s.month - 1) // 3]}季度"
        return f"{s.year}年"

    @property
    def title(self) -> str:
        return f"{self.label}{self.kind.label}"

    @property
    def stem(self) -> str:
        """A file name without Chinese: monthly-2026-10, weekly-2026-W44, quarterly-2026-Q4, annual-2026."""
        s = self.start
        if not self.natural:
            return f"{self.kind.value}-{s.isoformat()}-{self.end.isoformat()}"
        suffix = {
            ReportKind.WEEKLY: f"{s.isocalendar().year}-W{s.isocalendar().week:02d}",
            ReportKind.MONTHLY: f"{s.year}-{s.month:02d}",
            ReportKind.QUARTERLY: f"{s.year}-Q{(s.month - 1) // 3 + 1}",
            ReportKind.ANNUAL: f"{s.year}",
        }[self.kind]
        return f"{self.kind.value}-{suffix}"

    @property
    def versus(self) -> str:
        return VERSUS[self.kind] if self.natural else "上期"

    @property
    def compared(self) -> str:
        # Against the previous year a change is 同比; against the previous week, month or quarter it is 环比.
        return "同比" if self.kind == ReportKind.ANNUAL and self.natural else "环比"

    @property
    def dates(self) -> str:
        s, e = self.start, self.end
        return f"{s.year}年{s.month}月{s.day}日至{e.year}年{e.month}月{e.day}日"


# ---- what a report reads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportData:
    period: Period
    city: str
    now: dict[str, Any]  # overall figures of the period
    before: dict[str, Any]  # and of the previous one
    members: list[Row]
    ranked: list[Assessed]
    scheme: list[Item]
    categories: list[Row]
    districts: list[Row]
    channels: list[Row]
    types: list[Row]
    timeline: list[Row]
    by_month: bool
    hotspots: list[HotspotRow]
    ticket_numbers: dict[int, str]


def gather(kind: str, start: date, end: date) -> ReportData:
    period = Period(ReportKind(kind), start, end)
    scope = Scope(start, end)
    hotspots = top_hotspots(scope, HOTSPOTS)
    ids = [pk for spot in hotspots for pk in spot.ticket_ids]
    members = queries.counts(scope, Group.MEMBER)
    return ReportData(
        period=period,
        city=city_name(),
        now=overall(scope),
        before=overall(scope.previous()),
        members=rows_of(members, Group.MEMBER),
        ranked=assessment(scope, members),
        scheme=scheme(),
        categories=rows(scope, Group.CATEGORY),
        districts=rows(scope, Group.DISTRICT),
        channels=rows(scope, Group.CHANNEL),
        types=rows(scope, Group.TYPE),
        timeline=timeline(scope),
        by_month=by_month(scope),
        hotspots=hotspots,
        ticket_numbers=dict(Ticket.objects.filter(pk__in=ids).values_list("pk", "number")),
    )


def city_name() -> str:
    """The city, from the top of the organisation tree: 云泽市人民政府 → 云泽市."""
    root = Unit.objects.filter(parent=None).order_by("path").values_list("name", flat=True).first() or ""
    return root.removesuffix("人民政府").split("12345")[0]


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


# ---- the workbook ----------------------------------------------------------------------------------------

FORMATS = {Kind.COUNT: "#,##0", Kind.RATE: "0.0%", Kind.DAYS: "0.0"}
CHANGE_FORMATS = {Kind.COUNT: "+#,##0;-#,##0;0", Kind.RATE: '+0.0"个百分点";-0.0"个百分点";0.0"个百分点"',
                  Kind.DAYS: "+0.0;-0.0;0.0"}  # fmt: skip
SIGNED = "+0.0;-0.0;0.0"
TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
CARD_FILLS = {
    Card.YELLOW: PatternFill("solid", fgColor="FFEB9C"),
    Card.ORANGE: PatternFill("solid", fgColor="F8CBAD"),
    Card.RED: PatternFill("solid", fgColor="FFC7CE"),
}
UNIT_CODES = ("received", "dispatched", "signed", "sign_on_time_rate", "returned", "return_rate", "extended",
              "replied", "overdue", "reply_on_time_rate", "handling_days_avg", "callbacks", "satisfaction_rate",
              "resolution_rate", "rehandled", "notices")  # fmt: skip
SLICE_CODES = ("dispatched", "replied", "overdue", "reply_on_time_rate", "handling_days_avg", "satisfaction_rate",
               "resolution_rate", "rehandled")  # fmt: skip
TIMELINE_CODES = ("received", "answered_directly", "dispatched", "replied", "callbacks", "closed", "satisfaction_rate")


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]
    fmt: str | Callable[[Any], str] = "General"


def metric_column(code: str) -> Column:
    metric = METRIC_BY_CODE[code]
    return Column(metric.label, lambda item: item.figures[code], FORMATS[metric.kind])


@dataclass(frozen=True)
class UnitLine:
    """A member unit's figures with its assessment, when it was assessed."""

    name: str
    figures: dict[str, Any]
    assessed: Assessed | None


def build_workbook(kind: str, start: date, end: date) -> bytes:
    return workbook(gather(kind, start, end))


def workbook(data: ReportData) -> bytes:
    book = Workbook()
    book.remove(book.active)
    book.properties.title = f"{data.city}12345热线{data.period.title}"
    _overview_sheet(book, data)
    _units_sheet(book, data)
    _ranking_sheet(book, data)
    _slice_sheet(book, "分类", "诉求分类（一级）", data.categories, data, chart=True)
    _slice_sheet(book, "区县", "区县", data.districts, data)
    _slice_sheet(book, "渠道", "受理渠道", data.channels, data)
    _slice_sheet(book, "类型", "诉求类型", data.types, data)
    _timeline_sheet(book, data)
    _hotspot_sheet(book, data)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(book: Workbook, name: str, title: str, columns: Sequence[Column], items: Sequence[Any]) -> Worksheet:
    """A sheet with a title row, a styled and frozen header row, one row per item, formats and widths."""
    ws = book.create_sheet(name)
    ws.append([title])
    ws["A1"].font = TITLE_FONT
    ws.append([column.header for column in columns])
    for cell in ws[2]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for item in items:
        ws.append([column.value(item) for column in columns])
        for cell, column in zip(ws[ws.max_row], columns, strict=True):
            cell.number_format = column.fmt(item) if callable(column.fmt) else column.fmt
    ws.freeze_panes = "B3"
    ws.print_title_rows = "2:2"
    if items:
        ws.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{ws.max_row}"
    _fit_widths(ws)
    return ws


def _fit_widths(ws: Worksheet) -> None:
    """Widths from the longest header or value of each column; a Chinese character is two wide."""
    for column in ws.iter_cols(min_row=2):
        longest = max((_display_width(cell.value) for cell in column), default=0)
        ws.column_dimensions[column[0].column_letter].width = min(max(longest + 2, 8), 60)


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    text = f"{value:.3f}" if isinstance(value, float) else str(value)
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _title(data: ReportData, view: str) -> str:
    return f"{data.city}12345热线{data.period.label}{view}（{data.period.dates}）"


def _overview_sheet(book: Workbook, data: ReportData) -> None:
    def delta(metric: Metric) -> float | None:
        moved = change(data.now[metric.code], data.before[metric.code])
        return moved * 100 if moved is not None and metric.kind is Kind.RATE else moved

    columns = (
        Column("指标", lambda m: m.label),
        Column("本期", lambda m: data.now[m.code], lambda m: FORMATS[m.kind]),
        Column(f"上期（{data.period.versus}）", lambda m: data.before[m.code], lambda m: FORMATS[m.kind]),
        Column("变化", delta, lambda m: CHANGE_FORMATS[m.kind]),
        Column("口径", lambda m: m.definition),
    )
    ws = _sheet(book, "总览", _title(data, "运行情况总览"), columns, METRICS)
    ws.append([])
    ws.append(["注：空白表示本期没有可计算的分母（如没有回访就没有满意率）；比率的变化以百分点计。"])


def _unit_lines(data: ReportData) -> list[UnitLine]:
    by_unit = {assessed.unit.pk: assessed for assessed in data.ranked}
    return [UnitLine(row.name, row.figures, by_unit.get(row.key)) for row in data.members]


def _units_sheet(book: Workbook, data: ReportData) -> None:
    def ranked(pick: Callable[[Assessed], Any]) -> Callable[[UnitLine], Any]:
        return lambda line: pick(line.assessed) if line.assessed else None

    columns = (
        Column("单位", lambda line: line.name),
        *(metric_column(code) for code in UNIT_CODES),
        Column("亮牌", lambda line: Card(worst_card(line.figures)).label),
        Column("考核得分", ranked(lambda a: a.ranked.score.total), "0.0"),
        Column("排名", ranked(lambda a: a.ranked.rank)),
        Column("上期排名", ranked(lambda a: a.ranked.previous_rank)),
        Column("得分变化", ranked(lambda a: a.ranked.change), SIGNED),
    )
    lines = _unit_lines(data)
    ws = _sheet(book, "单位", _title(data, "承办单位情况"), columns, lines)
    for row_number, line in enumerate(lines, start=3):
        fill = CARD_FILLS.get(Card(worst_card(line.figures)))
        if fill is not None:
            for cell in ws[row_number]:
                cell.fill = fill


def _ranking_sheet(book: Workbook, data: ReportData) -> None:
    order = [metric.code for metric in METRICS]
    rates = sorted((item for item in data.scheme if not item.is_deduction), key=lambda item: order.index(item.code))
    columns = (
        Column("排名", lambda a: a.ranked.rank),
        Column("单位", lambda a: a.unit.name),
        Column("得分", lambda a: a.ranked.score.total, "0.0"),
        Column("扣分", lambda a: a.ranked.score.deducted, "0.0"),
        Column("上期排名", lambda a: a.ranked.previous_rank),
        Column("得分变化", lambda a: a.ranked.change, SIGNED),
        *(metric_column(item.code) for item in rates),
        Column("亮牌", lambda a: Card(a.worst_card).label),
    )
    ws = _sheet(book, "考核排名", _title(data, "承办单位考核排名"), columns, data.ranked)
    if data.ranked:
        chart = _bar_chart("考核得分", ws, value_column=3, rows=len(data.ranked), horizontal=True)
        ws.add_chart(chart, f"{get_column_letter(len(columns) + 2)}2")


def _slice_sheet(book: Workbook, name: str, view: str, items: list[Row], data: ReportData, chart: bool = False) -> None:
    whole = data.now["received"]
    columns = (
        Column(view, lambda row: row.name),
        metric_column("received"),
        Column("占比", lambda row: share(row.figures["received"], whole), "0.0%"),
        *(metric_column(code) for code in SLICE_CODES),
    )
    ws = _sheet(book, name, _title(data, f"{view}情况"), columns, items)
    if chart and items:
        top = min(len(items), 10)
        anchor = f"{get_column_letter(len(columns) + 2)}2"
        ws.add_chart(_bar_chart(f"受理量前 {top} 位", ws, value_column=2, rows=top), anchor)


def _timeline_sheet(book: Workbook, data: ReportData) -> None:
    name = "每月" if data.by_month else "每日"
    columns = (Column("月份" if data.by_month else "日期", lambda row: row.name),
               *(metric_column(code) for code in TIMELINE_CODES))  # fmt: skip
    ws = _sheet(book, name, _title(data, "受理量走势"), columns, data.timeline)
    chart = LineChart()
    chart.title, chart.y_axis.title, chart.height, chart.width = "受理量与办结量", "件", 8, 24
    for code in ("received", "closed"):
        column = 2 + TIMELINE_CODES.index(code)
        chart.add_data(Reference(ws, min_col=column, min_row=2, max_row=ws.max_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=3, max_row=ws.max_row))
    _show_axes(chart)
    ws.add_chart(chart, f"{get_column_letter(len(columns) + 2)}2")


def _bar_chart(title: str, ws: Worksheet, *, value_column: int, rows: int, horizontal: bool = False) -> BarChart:
    """Bars of one column of a sheet's first `rows` rows, named by the sheet's name column."""
    name_column = 2 if horizontal else 1  # the ranking sheet starts with the rank
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title, chart.legend = title, None
    chart.height, chart.width = (max(8, rows * 0.6), 16) if horizontal else (8, 16)
    chart.add_data(Reference(ws, min_col=value_column, min_row=2, max_row=rows + 2), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=name_column, min_row=3, max_row=rows + 2))
    if horizontal:
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
        chart.x_axis.scaling.orientation = "maxMin"  # the first rank at the top
    _show_axes(chart)
    return chart


def _show_axes(chart: BarChart | LineChart) -> None:
    # openpyxl 3.1 leaves out <c:delete val="0"/>, and recent Excel then hides both axes and their labels.
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _local(moment: datetime) -> datetime:
    # Excel keeps no time zone: write the Shanghai wall time.
    return moment.astimezone(SHANGHAI).replace(tzinfo=None)


def _hotspot_sheet(book: Workbook, data: ReportData) -> None:
    numbered = list(enumerate(data.hotspots, start=1))
    columns = (
        Column("序号", lambda pair: pair[0]),
        Column("热点问题", lambda pair: pair[1].description),
        Column("地点", lambda pair: pair[1].place_people),
        Column("诉求量", lambda pair: pair[1].size, "#,##0"),
        Column("首次反映", lambda pair: _local(pair[1].first), "yyyy-mm-dd hh:mm"),
        Column("最近反映", lambda pair: _local(pair[1].last), "yyyy-mm-dd hh:mm"),
        Column("热度", lambda pair: pair[1].heat, "0.0"),
        Column("涉及工单", lambda pair: "、".join(data.ticket_numbers.get(pk, str(pk)) for pk in pair[1].ticket_ids)),
    )
    ws = _sheet(book, "热点", _title(data, "热点问题"), columns, numbered)
    ws.column_dimensions["H"].width = min(ws.column_dimensions["H"].width, 60)


# ---- the document ----------------------------------------------------------------------------------------

COUNT_UNITS = {"dispatched": "件次", "signed": "件次", "callbacks": "次", "rated": "次", "notices": "份", "cards": "张"}
SUMMARY = (
    ("受理情况", ("answered_directly", "direct_rate", "rejected", "merged")),  # 受理量 opens the section
    ("办理情况", ("dispatched", "signed", "sign_on_time_rate", "returned", "extended", "replied", "overdue",
              "reply_on_time_rate", "handling_days_avg")),
    ("回访情况", ("callbacks", "satisfaction_rate", "resolution_rate", "rehandled", "closed")),
    ("督办情况", ("notices", "cards")),
)  # fmt: skip
KEY_CODES = ("received", "direct_rate", "dispatched", "replied", "overdue", "reply_on_time_rate", "satisfaction_rate",
             "resolution_rate", "rehandled", "handling_days_avg", "notices", "cards")  # fmt: skip


def build_document(kind: str, start: date, end: date) -> bytes:
    return document(gather(kind, start, end))


def document(data: ReportData) -> bytes:
    doc = Document()
    _doc_styles(doc)
    _doc_title(doc, data)
    _overall_section(doc, data)
    _category_section(doc, data)
    _unit_section(doc, data)
    _hotspot_section(doc, data)
    _next_steps_section(doc)
    _doc_note(doc, data)
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _font(style: Any, name: str, size: float, *, bold: bool = False) -> None:
    # Word takes Chinese text's font from the East Asian slot, which python-docx does not set by itself.
    style.font.name, style.font.size, style.font.bold = name, Pt(size), bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _doc_styles(doc: DocxDocument) -> None:
    section = doc.sections[0]  # python-docx's template is US Letter; Chinese offices print on A4
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(25)
    _font(doc.styles["Normal"], "仿宋", 14)
    _font(doc.styles["Title"], "宋体", 20, bold=True)
    _font(doc.styles["Heading 1"], "黑体", 16)
    _font(doc.styles["Heading 2"], "楷体", 14, bold=True)
    doc.styles["Normal"].paragraph_format.first_line_indent = Pt(28)


def _paragraph(doc: DocxDocument, text: str, *, indent: bool = True) -> None:
    paragraph = doc.add_paragraph(text)
    if not indent:
        paragraph.paragraph_format.first_line_indent = Pt(0)


def _doc_title(doc: DocxDocument, data: ReportData) -> None:
    title = doc.add_paragraph(f"{data.city}12345热线{data.period.label}运行情况报告", style="Title")
    subtitle = doc.add_paragraph(f"（{data.period.dates}）")
    for paragraph in (title, subtitle):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Pt(0)


def _table(doc: DocxDocument, headers: Sequence[str], lines: Sequence[Sequence[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = header
        cell.paragraphs[0].runs[0].font.bold = True
    for line in lines:
        for cell, text in zip(table.add_row().cells, line, strict=True):
            cell.text = text
    for row in table.rows:
        for cell in row.cells:
            cell.paragraphs[0].paragraph_format.first_line_indent = Pt(0)
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(10.5)


def _count_unit(code: str) -> str:
    return COUNT_UNITS.get(code, "件")


def _value(code: str, value: Any) -> str:
    """A figure in a sentence: 5 件, 20.0%, 10.5 个工作日."""
    kind = METRIC_BY_CODE[code].kind
    suffix = {Kind.COUNT: f" {_count_unit(code)}", Kind.DAYS: " 个工作日", Kind.RATE: ""}[kind]
    return f"{formatted(code, value)}{suffix}"


def phrase(code: str, data: ReportData) -> str:
    """One figure and its change in words: 受理量 5 件，较上月增加 1 件（环比增长 25.0%）."""
    metric, now, before = METRIC_BY_CODE[code], data.now[code], data.before[code]
    if now is None:
        return f"{metric.label}无数据"
    return f"{metric.label} {_value(code, now)}，{moved(metric, now, before, data.period)}"


def moved(metric: Metric, now: Any, before: Any, period: Period) -> str:
    versus = f"较{period.versus}"
    delta = change(now, before)
    if delta is None:
        return f"{period.versus}无可比数据"
    if abs(delta) < 1e-9:
        return f"与{period.versus}持平"
    if metric.kind is Kind.RATE:
        return f"{versus}{'上升' if delta > 0 else '下降'} {abs(delta) * 100:.1f} 个百分点"
    if metric.kind is Kind.DAYS:
        return f"{versus}{'延长' if delta > 0 else '缩短'} {abs(delta):.1f} 个工作日"
    words = f"{versus}{'增加' if delta > 0 else '减少'} {abs(delta):,} {_count_unit(metric.code)}"
    if not before:
        return words
    return f"{words}（{period.compared}{'增长' if delta > 0 else '下降'} {abs(delta) / before * 100:.1f}%）"


def _change_text(code: str, data: ReportData) -> str:
    delta = change(data.now[code], data.before[code])
    if delta is None:
        return "—"
    kind = METRIC_BY_CODE[code].kind
    if kind is Kind.RATE:
        return f"{delta * 100:+.1f} 个百分点"
    return f"{delta:+.1f}" if kind is Kind.DAYS else f"{delta:+,}"


def _overall_section(doc: DocxDocument, data: ReportData) -> None:
    doc.add_heading("一、总体情况", level=1)
    received = moved(METRIC_BY_CODE["received"], data.now["received"], data.before["received"], data.period)
    total = f"{data.city}12345热线共受理群众诉求 {data.now['received']:,} 件"
    _paragraph(doc, f"{data.period.label}，{total}，{received}。")
    for number, (heading, codes) in enumerate(SUMMARY):
        _paragraph(doc, f"（{'一二三四'[number]}）{heading}。" + "；".join(phrase(code, data) for code in codes) + "。")
    lines = [[METRIC_BY_CODE[code].label, formatted(code, data.now[code]), formatted(code, data.before[code]),
              _change_text(code, data)] for code in KEY_CODES]  # fmt: skip
    _table(doc, ("指标", "本期", f"上期（{data.period.versus}）", "变化"), lines)


def _category_section(doc: DocxDocument, data: ReportData) -> None:
    doc.add_heading("二、诉求分类", level=1)
    whole = data.now["received"]
    top = sorted(data.categories, key=lambda row: -row.figures["received"])[:TOP]
    top = [row for row in top if row.figures["received"]]
    if top:
        named = "、".join(
            f"{row.name} {row.figures['received']:,} 件（占 {percent(share(row.figures['received'], whole))}）"
            for row in top
        )
        _paragraph(doc, f"从诉求分类看，受理量居前的是：{named}。")
    else:
        _paragraph(doc, "本期没有受理诉求。")
    types = "、".join(f"{row.name} {row.figures['received']:,} 件" for row in data.types if row.figures["received"])
    if types:
        _paragraph(doc, f"按诉求类型分：{types}。")
    lines = [[row.name, f"{row.figures['received']:,}", percent(share(row.figures["received"], whole)),
              percent(row.figures["satisfaction_rate"])] for row in top]  # fmt: skip
    _table(doc, ("分类", "受理量", "占比", "满意率"), lines)


def _unit_section(doc: DocxDocument, data: ReportData) -> None:
    doc.add_heading("三、承办单位", level=1)
    units = [row for row in data.members if row.key is not None]
    busiest = sorted((row for row in units if row.figures["dispatched"]), key=lambda row: -row.figures["dispatched"])
    named = "、".join(f"{row.name} {row.figures['dispatched']:,} 件次" for row in busiest[:TOP])
    _paragraph(doc, f"派单量居前的承办单位：{named}。" if named else "本期没有向承办单位派单。")
    _paragraph(doc, _assessment_sentence(data.ranked))
    carded = [f"{row.name}（{Card(worst_card(row.figures)).label}）" for row in units if worst_card(row.figures)]
    _paragraph(doc, f"本期亮牌的单位：{'、'.join(carded)}。" if carded else "本期没有单位亮牌。")
    late = [
        f"{row.name}（{_lateness(row.figures)}）" for row in units if row.figures["overdue"] or row.figures["notices"]
    ]
    _paragraph(doc, f"有超期答复或被督办的单位：{'、'.join(late)}。" if late else "本期没有单位超期答复或被督办。")
    lines = [[str(a.ranked.rank), a.unit.name, f"{a.ranked.score.total:.1f}",
              "—" if a.ranked.change is None else f"{a.ranked.change:+.1f}", f"{a.figures['dispatched']:,}",
              formatted("reply_on_time_rate", a.figures["reply_on_time_rate"]),
              formatted("satisfaction_rate", a.figures["satisfaction_rate"]), Card(a.worst_card).label or "—"]
             for a in data.ranked]  # fmt: skip
    _table(doc, ("排名", "单位", "得分", "较上期", "派单量", "按时办结率", "满意率", "亮牌"), lines)


def _lateness(f: dict[str, Any]) -> str:
    parts = [
        f"超期答复 {f['overdue']:,} 件" if f["overdue"] else "",
        f"督办文书 {f['notices']:,} 份" if f["notices"] else "",
    ]
    return "，".join(part for part in parts if part)


def _assessment_sentence(ranked: list[Assessed]) -> str:
    if not ranked:
        return "本期没有承办单位参加考核。"
    best, worst = ranked[0], ranked[-1]
    text = f"考核得分最高的是{best.unit.name}（{best.ranked.score.total:.1f} 分）"
    if len(ranked) > 1:
        text += f"，最低的是{worst.unit.name}（{worst.ranked.score.total:.1f} 分）"
    return f"{text}，共 {len(ranked)} 个单位参加考核。"


def _day(moment: datetime) -> str:
    local = moment.astimezone(SHANGHAI)
    return f"{local.month}月{local.day}日"


def _hotspot_section(doc: DocxDocument, data: ReportData) -> None:
    doc.add_heading("四、热点问题", level=1)
    if not data.hotspots:
        _paragraph(doc, "本期没有发现集中反映的热点问题。")
        return
    for number, spot in enumerate(data.hotspots, start=1):
        _paragraph(doc, f"{number}. {spot.description}：诉求 {spot.size:,} 件，"
                        f"首次反映于{_day(spot.first)}，最近一次于{_day(spot.last)}。")  # fmt: skip


def _next_steps_section(doc: DocxDocument) -> None:
    doc.add_heading("五、下一步工作", level=1)
    _paragraph(doc, PLACEHOLDER)


def _doc_note(doc: DocxDocument, data: ReportData) -> None:
    generated = clock.local_now()
    _paragraph(doc, f"注：各项指标的口径见《统计指标说明》；表中“—”表示本期没有可计算的分母。本报告由系统于"
                    f"{generated:%Y-%m-%d %H:%M} 按{data.period.dates}的流转记录生成，文字部分可直接修改。",
               indent=False)  # fmt: skip
