"""统计: the centre's figures (definitions in docs/metrics.md). The dashboard for today, this week, this month
or any period; the figures per unit, category, district, channel, type or day (with an Excel download); the
unit assessment (考核); the report archive. Every chart links to the tickets behind it: the search page with
the same period and slice. A unit's administrator sees the same pages for the unit's own subtree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from rexian.analytics import selectors
from rexian.analytics.actions import REPORT_ROLES, generate_report
from rexian.analytics.metrics import METRIC_BY_CODE, METRICS, Kind, change, formatted
from rexian.analytics.models import Report, ReportKind
from rexian.analytics.queries import LONGEST_PERIOD_DAYS, Group, Scope
from rexian.core import clock
from rexian.core.errors import DomainError
from rexian.core.xlsx import Column, xlsx_response
from rexian.directory.models import Unit, UnitKind
from rexian.taxonomy.choices import AppealType, Channel
from rexian.taxonomy.models import Category
from rexian.web.charts import Chart, Datum, columns_chart, rows_chart
from rexian.web.views.common import paginate, workbench

PERIODS = {"today": "今日", "week": "本周", "month": "本月", "custom": "自定义"}
GROUPS = {
    Group.MEMBER: "成员单位",
    Group.UNIT: "承办单位",
    Group.CATEGORY: "一级分类",
    Group.LEAF: "末级分类",
    Group.DISTRICT: "区县",
    Group.CHANNEL: "渠道",
    Group.TYPE: "诉求类型",
    Group.DAY: "日",
    Group.MONTH: "月",
}
TILES = ("received", "direct_rate", "dispatched", "sign_on_time_rate", "reply_on_time_rate", "return_rate",
         "satisfaction_rate", "resolution_rate", "rehandle_rate", "handling_days_avg")  # fmt: skip
TABLE_CODES = tuple(m.code for m in METRICS)


@dataclass
class Chosen:
    """The period and the slice a page shows, from the query string, with what was wrong in it."""

    scope: Scope
    period: str
    errors: dict[str, list[str]]

    def search_url(self, **extra: str) -> str:
        """The search page for the tickets registered in this period and slice (narrowed by `extra`)."""
        query = {"created_from": self.scope.start.isoformat(), "created_to": self.scope.end.isoformat()}
        s = self.scope
        for name, value in (("unit", s.unit.code if s.unit else ""), ("channel", s.channel),
                            ("appeal_type", s.appeal_type), ("category", s.category.code if s.category else ""),
                            ("district", s.district.code if s.district else "")):  # fmt: skip
            if value:
                query[name] = value
        query.update({k: v for k, v in extra.items() if v})
        return f"{reverse('search')}?{urlencode(query)}"


def period_dates(
    request: HttpRequest, period: str, errors: dict[str, list[str]], *, fallback: str
) -> tuple[date, date]:
    """The dates of a named period up to today, or of the custom dates in the request; when those are wrong (named in
    `errors`), the `fallback` period's."""
    today = clock.local_now().date()
    if period == "today":
        return today, today
    if period == "week":
        return today - timedelta(days=today.weekday()), today
    if period == "month":
        return today.replace(day=1), today
    start, end = _date(request, "start", errors), _date(request, "end", errors)
    if start and end and end < start:
        errors["end"] = [gettext("截止日期不能早于起始日期。")]
    elif start and end and (end - start).days > LONGEST_PERIOD_DAYS:
        errors["end"] = [gettext("统计期间最长三年。")]
    if errors or not start or not end:
        return period_dates(request, fallback, {}, fallback=fallback)
    return start, end


def _date(request: HttpRequest, name: str, errors: dict[str, list[str]]) -> date | None:
    raw = request.GET.get(name, "").strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = [gettext("日期格式应为 年-月-日，如 2026-11-01。")]
        return None


def chosen(request: HttpRequest) -> Chosen:
    errors: dict[str, list[str]] = {}
    period = request.GET.get("period", "month")
    period = period if period in PERIODS else "month"
    start, end = period_dates(request, period, errors, fallback="month")
    get = request.GET.get
    unit = _own_unit(request) or _by_code(Unit.objects.exclude(kind=UnitKind.CENTRE), get("unit", ""), "unit", errors)
    district = _by_code(Unit.objects.filter(kind=UnitKind.DISTRICT), get("district", ""), "district", errors)
    category = _by_code(Category.objects.all(), get("category", ""), "category", errors)
    channel = get("channel", "") if get("channel", "") in Channel.values else ""
    appeal_type = get("appeal_type", "") if get("appeal_type", "") in AppealType.values else ""
    scope = Scope(start, end, unit=unit, channel=channel, appeal_type=appeal_type, category=category, district=district)
    return Chosen(scope, period, errors)


def _own_unit(request: HttpRequest) -> Unit | None:
    """A unit's administrator sees only the unit's subtree, whatever the query string says."""
    return selectors.own_unit(request.user)


def _by_code(rows: Any, code: str, field: str, errors: dict[str, list[str]]) -> Any:
    code = code.strip().split(" ")[0][:32]  # the pickers send "code name"
    if not code:
        return None
    found = rows.filter(code=code).first()
    if found is None:
        errors[field] = [gettext("找不到编码为 %(code)s 的选项。") % {"code": code}]
    return found


def _context(request: HttpRequest, c: Chosen, tab: str) -> dict[str, Any]:
    return {
        "active": "stats",
        "tab": tab,
        "chosen": c,
        "scope": c.scope,
        "errors": c.errors,
        "filters": request.GET,
        "periods": PERIODS,
        "own_unit": _own_unit(request),
        "channels": Channel.choices,
        "appeal_types": AppealType.choices,
        "units": Unit.objects.exclude(kind=UnitKind.CENTRE).order_by("path").only("code", "name"),
        "districts": Unit.objects.filter(kind=UnitKind.DISTRICT).order_by("path"),
        "query": request.GET.urlencode(),
        "reports_url": "" if _own_unit(request) else reverse("stats_reports"),
    }


# ---- the dashboard ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    change: str
    trend: str  # "good", "bad" or ""
    definition: str


def _tiles(now: dict[str, Any], before: dict[str, Any]) -> list[Tile]:
    tiles = []
    for code in TILES:
        metric = METRIC_BY_CODE[code]
        delta = change(now[code], before[code])
        trend = ""
        if delta and metric.better:
            trend = "good" if (delta > 0) == (metric.better == "high") else "bad"
        tiles.append(Tile(metric.label, formatted(code, now[code]), _delta(code, delta), trend, metric.definition))
    return tiles


def _delta(code: str, delta: float | None) -> str:
    if delta is None:
        return ""
    kind = METRIC_BY_CODE[code].kind
    if kind is Kind.RATE:
        return f"{delta * 100:+.1f} 个百分点"
    return f"{delta:+.1f}" if kind is Kind.DAYS else f"{delta:+,}"


def _charts(c: Chosen) -> list[Chart]:
    per_time = [Datum(r.name, r.figures["received"], f"{r.figures['received']:,}", _time_url(c, r.key))
                for r in selectors.timeline(c.scope)]  # fmt: skip
    categories = _top(selectors.rows(c.scope, Group.CATEGORY), "received")
    members = selectors.rows(c.scope, Group.MEMBER)
    channels = selectors.rows(c.scope, Group.CHANNEL)
    codes = _codes(Category, [r.key for r in categories]) | _codes(Unit, [r.key for r in members])
    return [
        columns_chart(gettext("受理量"), per_time),
        rows_chart(gettext("受理量最多的分类"),
                   [_datum(r, "received", c, category=codes.get(r.key, "")) for r in categories]),
        rows_chart(gettext("渠道"), [_datum(r, "received", c, channel=r.key or "") for r in channels]),
        rows_chart(gettext("派单量最多的单位"),
                   [_datum(r, "dispatched", c, unit=codes.get(r.key, "")) for r in _top(members, "dispatched")]),
        rows_chart(gettext("超期答复最多的单位"),
                   [_datum(r, "overdue", c, unit=codes.get(r.key, "")) for r in _top(members, "overdue")]),
        rows_chart(gettext("满意率最低的单位（评价 5 件以上）"),
                   [_datum(r, "satisfaction_rate", c, unit=codes.get(r.key, "")) for r in _least_satisfied(members)]),
    ]  # fmt: skip


def _codes(model: Any, keys: list[Any]) -> dict[Any, str]:
    return dict(model.objects.filter(pk__in=[k for k in keys if isinstance(k, int)]).values_list("pk", "code"))


def _top(rows: list[selectors.Row], code: str, n: int = 10) -> list[selectors.Row]:
    return sorted([r for r in rows if r.key and r.figures[code]], key=lambda r: -r.figures[code])[:n]


def _least_satisfied(rows: list[selectors.Row], n: int = 10) -> list[selectors.Row]:
    rated = [r for r in rows if r.key and r.figures["rated"] >= 5]
    return sorted(rated, key=lambda r: r.figures["satisfaction_rate"])[:n]


def _datum(row: selectors.Row, code: str, c: Chosen, **link: str) -> Datum:
    value = row.figures[code] or 0
    return Datum(row.name, value * 100 if METRIC_BY_CODE[code].kind is Kind.RATE else value,
                 formatted(code, row.figures[code]), c.search_url(**link))  # fmt: skip


def _time_url(c: Chosen, key: Any) -> str:
    if isinstance(key, date):
        return c.search_url(created_from=key.isoformat(), created_to=key.isoformat())
    first, last = selectors.period_of(ReportKind.MONTHLY, date(int(key[:4]), int(key[5:]), 1))
    first, last = max(first, c.scope.start), min(last, c.scope.end)
    return c.search_url(created_from=first.isoformat(), created_to=last.isoformat())


@workbench("stats")
def dashboard(request: HttpRequest) -> HttpResponse:
    c = chosen(request)
    now, before = selectors.overall(c.scope), selectors.overall(c.scope.previous())
    context = _context(request, c, "dashboard") | {
        "tiles": _tiles(now, before),
        "previous": c.scope.previous(),
        "charts": _charts(c),
        "hotspots": selectors.top_hotspots(c.scope, 5),
        "spikes": [
            (s, c.search_url(category=s.category.code, created_from=s.start.isoformat(), created_to=s.end.isoformat()))
            for s in selectors.category_spikes(c.scope)
        ],
        "themes": [(t, c.search_url(theme=str(t.theme.pk))) for t in selectors.theme_counts(c.scope)],
        "all_url": c.search_url(),
    }
    return render(request, "web/stats/dashboard.html", context)


# ---- figures per group ------------------------------------------------------------------------------------


@workbench("stats")
def table(request: HttpRequest) -> HttpResponse:
    c = chosen(request)
    try:
        group = Group(request.GET.get("group", Group.MEMBER))
    except ValueError:
        group = Group.MEMBER
    group = group if group in GROUPS else Group.MEMBER
    rows = selectors.rows(c.scope, group)
    overall = selectors.overall(c.scope)
    if request.GET.get("export") == "xlsx":
        return _export(c, group, rows, overall)
    metrics = [METRIC_BY_CODE[code] for code in TABLE_CODES]
    shown = [(r, [formatted(code, r.figures[code]) for code in TABLE_CODES]) for r in rows]
    context = _context(request, c, "table") | {
        "group": group,
        "groups": GROUPS,
        "group_label": GROUPS[group],
        "metrics": metrics,
        "rows": shown,
        "total": [formatted(code, overall[code]) for code in TABLE_CODES],
    }
    return render(request, "web/stats/table.html", context)


def _export(c: Chosen, group: Group, rows: list[selectors.Row], overall: dict[str, Any]) -> HttpResponse:
    formats = {Kind.RATE: "0.0%", Kind.DAYS: "0.0", Kind.COUNT: "#,##0"}
    columns = [Column(GROUPS[group], 24)] + [
        Column(METRIC_BY_CODE[code].label, 12, formats[METRIC_BY_CODE[code].kind]) for code in TABLE_CODES
    ]
    data = [[r.name, *[r.figures[code] for code in TABLE_CODES]] for r in rows]
    data.append(["合计", *[overall[code] for code in TABLE_CODES]])
    name = f"figures-{group.value}-{c.scope.start}-{c.scope.end}.xlsx"
    return xlsx_response(name, f"{c.scope.start}至{c.scope.end}", columns, data)


# ---- assessment -------------------------------------------------------------------------------------------


@workbench("stats")
def assessment(request: HttpRequest) -> HttpResponse:
    c = chosen(request)
    month = request.GET.get("month", "")
    errors = dict(c.errors)
    try:
        first = date.fromisoformat(f"{month}-01") if month else c.scope.start.replace(day=1)
    except ValueError:
        errors["month"] = [gettext("月份格式应为 年-月，如 2026-10。")]
        first = clock.local_now().date().replace(day=1)
    ranked = selectors.assessment(Scope(*selectors.period_of(ReportKind.MONTHLY, first)))
    own = _own_unit(request)
    if own is not None:  # a unit's administrator sees where its own unit stands, not the others' details
        ranked = [a for a in ranked if own.path.startswith(a.unit.path) or a.unit.path.startswith(own.path)]
    context = _context(request, c, "assessment") | {
        "month": f"{first.year:04d}-{first.month:02d}",
        "ranked": [(a, [formatted(code, a.figures[code]) for code in ASSESSED_CODES]) for a in ranked],
        "scheme": selectors.scheme(),
        "errors": errors,
    }
    return render(request, "web/stats/assessment.html", context)


ASSESSED_CODES = ("sign_on_time_rate", "reply_on_time_rate", "satisfaction_rate", "resolution_rate", "return_rate",
                  "rehandle_rate")  # fmt: skip


@workbench("stats")
def definitions(request: HttpRequest) -> HttpResponse:
    """指标口径: every figure's one definition, as docs/metrics.md gives it."""
    return render(request, "web/stats/definitions.html", {"active": "stats", "metrics": METRICS})


# ---- the report archive -----------------------------------------------------------------------------------


@workbench("stats")
def reports(request: HttpRequest) -> HttpResponse:
    """The archive of periodic reports (the worker files each past week, month, quarter and year) and a form
    to generate one now. A unit's administrator has no archive: reports cover the whole centre."""
    if _own_unit(request) is not None:
        raise DjangoPermissionDenied(gettext("统计报告只供热线中心和市领导查阅。"))
    errors: dict[str, list[str]] = {}
    may_generate = not request.user.roles.isdisjoint(REPORT_ROLES)
    if request.method == "POST" and not may_generate:
        raise DjangoPermissionDenied(gettext("只有中心管理员、值班长或质检员可以生成统计报告。"))
    if request.method == "POST":
        try:
            day = date.fromisoformat(request.POST.get("day", "")) if request.POST.get("day") else None
            report = generate_report(actor=request.user, kind=request.POST.get("kind", ""), day=day)
        except ValueError:
            errors = {"day": [gettext("日期格式应为 年-月-日，如 2026-11-01。")]}
        except DomainError as error:
            errors = {"form": [error.message], **error.fields}
        else:
            messages.success(request, gettext("已生成《%(title)s》。") % {"title": report.title})
            return redirect("stats_reports")
    kind = request.GET.get("kind", "")
    archive = Report.objects.order_by("-end", "-created_at")
    if kind in ReportKind.values:
        archive = archive.filter(kind=kind)
    context = _context(request, chosen(request), "reports") | {
        "page": paginate(request, archive),
        "kinds": ReportKind.choices,
        "kind": kind,
        "may_generate": may_generate,
        "errors": errors,
        "posted": request.POST,
    }
    return render(request, "web/stats/reports.html", context, status=422 if errors else 200)


@workbench("stats")
def report_file(request: HttpRequest, report_id: int, part: str) -> FileResponse:
    if _own_unit(request) is not None or part not in ("workbook", "document"):
        raise Http404(gettext("找不到该报告。"))
    report = get_object_or_404(Report, pk=report_id)
    stored = getattr(report, part)
    suffix = ".xlsx" if part == "workbook" else ".docx"
    return FileResponse(stored.open("rb"), as_attachment=True, filename=f"{report.title}{suffix}")
