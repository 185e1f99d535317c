"""督办: the centre's view of what is late and what was done about it. Tabs: overdue clocks, clocks due soon,
the ledger of notices (督办台账), the 挂牌督办 list, the 重点疑难事项库, the units' cards for a month and the
风险预警 raised on sensitive themes (acknowledged here by the shift lead). The ledger and the two lists
download as Excel with the filters applied."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from rexian.analytics.actions import RISK_ROLES, acknowledge_alert
from rexian.analytics.models import SensitiveTheme
from rexian.analytics.selectors import risk_alerts
from rexian.core import clock
from rexian.core.errors import DomainError
from rexian.core.xlsx import Column, xlsx_response
from rexian.directory.selectors import units_for_picking
from rexian.supervision.clocks import Light
from rexian.supervision.models import Notice, Watch, WatchKind
from rexian.supervision.selectors import (
    LedgerFilter,
    cards_for,
    clocks_by_light,
    ladder_names,
    notice_ledger,
    overdue_workdays,
    watch_list,
)
from rexian.web.filters import QueryFilters
from rexian.web.views.common import paginate, workbench
from rexian.workdays.selectors import current_calendar

EXPORT_BATCH = 2000


class Tab(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due"
    LEDGER = "ledger"
    LISTED = "listed"
    DIFFICULT = "difficult"
    CARDS = "cards"
    RISK = "risk"

    @property
    def label(self) -> str:
        return TAB_LABELS[self]


TAB_LABELS: dict[Tab, str] = {
    Tab.OVERDUE: "已超期",
    Tab.DUE_SOON: "即将超期",
    Tab.LEDGER: "督办台账",
    Tab.LISTED: "挂牌督办",
    Tab.DIFFICULT: "重点疑难事项库",
    Tab.CARDS: "亮牌",
    Tab.RISK: "风险预警",
}
SORTS = {"due": "按超期时间", "unit": "按单位"}
EXPLAINED = {"no": "待说明", "yes": "已说明"}
WATCH_KINDS = {Tab.LISTED: WatchKind.LISTED, Tab.DIFFICULT: WatchKind.DIFFICULT}
Section = Callable[[HttpRequest, QueryFilters, Tab], dict[str, Any] | HttpResponse]


@workbench("supervision")
def board(request: HttpRequest) -> HttpResponse:
    try:
        tab = Tab(request.GET.get("tab", ""))
    except ValueError:
        tab = Tab.OVERDUE
    filters = QueryFilters(request.GET)
    content = SECTIONS[tab](request, filters, tab)
    if isinstance(content, HttpResponse):
        return content
    query = request.GET.copy()
    for name in ("page", "export"):  # the pager's links turn pages, they do not download
        query.pop(name, None)
    context = {
        "active": "supervision",
        "tab": tab,
        "tabs": list(Tab),
        "filters": request.GET,
        "errors": filters.errors,
        "query": query.urlencode(),
        "units": list(units_for_picking()),
        **content,
    }
    return render(request, "web/console/supervision.html", context, status=422 if filters.errors else 200)


def _wants_export(request: HttpRequest, filters: QueryFilters) -> bool:
    # A filter that could not be read would export more than asked for: the page shows the error instead.
    return request.GET.get("export") == "xlsx" and not filters.errors


# ---- clocks --------------------------------------------------------------------------------------------------


def _clocks(request: HttpRequest, filters: QueryFilters, tab: Tab) -> dict[str, Any]:
    light = Light.RED if tab is Tab.OVERDUE else Light.YELLOW
    unit = filters.unit()
    by_unit = filters.choice("sort", SORTS) == "unit"
    page = paginate(request, clocks_by_light(light, unit=unit, by_unit=by_unit))
    calendar, now = current_calendar(), clock.now()
    rows = [(c, overdue_workdays(calendar, c.due_at, now) if light is Light.RED else None) for c in page.items]
    return {"page": page, "rows": rows, "ladder": ladder_names(), "sorts": SORTS}


# ---- the ledger ----------------------------------------------------------------------------------------------


def _ledger_filter(filters: QueryFilters) -> LedgerFilter:
    levels = {str(level): name for level, name in ladder_names().items()}
    level = filters.choice("level", levels)
    explained = filters.choice("explained", EXPLAINED)
    return LedgerFilter(
        unit=filters.unit(),
        level=int(level) if level is not None else None,
        issued_from=filters.day("from"),
        issued_to=filters.day("to"),
        explained=None if explained is None else explained == "yes",
    )


def _ledger(request: HttpRequest, filters: QueryFilters, tab: Tab) -> dict[str, Any] | HttpResponse:
    notices = notice_ledger(_ledger_filter(filters))
    if _wants_export(request, filters):
        return _ledger_xlsx(tab, notices.iterator(chunk_size=EXPORT_BATCH))
    return {"page": paginate(request, notices), "levels": sorted(ladder_names().items()), "explained": EXPLAINED}


def _ledger_xlsx(tab: Tab, notices: Iterator[Notice]) -> HttpResponse:
    columns = [
        Column(gettext("文号"), 18),
        Column(gettext("文书"), 14),
        Column(gettext("级别"), 6),
        Column(gettext("责任单位"), 24),
        Column(gettext("工单编号"), 16),
        Column(gettext("诉求标题"), 30),
        Column(gettext("签发时间"), 17, "yyyy-mm-dd hh:mm"),
        Column(gettext("签发人"), 10),
        Column(gettext("说明期限"), 12, "yyyy-mm-dd"),
        Column(gettext("说明时间"), 17, "yyyy-mm-dd hh:mm"),
        Column(gettext("书面说明"), 40),
    ]
    rows = (
        (
            n.number, n.title, n.level, n.unit.name, n.ticket.number, n.ticket.subject, n.issued_at,
            n.issued_by_name, n.explanation_due_at, n.explained_at, n.explanation,
        )
        for n in notices
    )  # fmt: skip
    return xlsx_response(_filename(tab), gettext(tab.label), columns, rows)


def _filename(tab: Tab) -> str:
    return f"{gettext(tab.label)}-{clock.local_now():%Y-%m-%d}.xlsx"


# ---- the watch lists -----------------------------------------------------------------------------------------


def _watches(request: HttpRequest, filters: QueryFilters, tab: Tab) -> dict[str, Any] | HttpResponse:
    watches = watch_list(WATCH_KINDS[tab], include_lifted=request.GET.get("lifted") == "1")
    if _wants_export(request, filters):
        return _watches_xlsx(tab, watches.iterator(chunk_size=EXPORT_BATCH))
    return {"page": paginate(request, watches)}


def _watches_xlsx(tab: Tab, watches: Iterator[Watch]) -> HttpResponse:
    columns = [
        Column(gettext("工单编号"), 16),
        Column(gettext("诉求标题"), 30),
        Column(gettext("承办单位"), 24),
        Column(gettext("原因"), 40),
        Column(gettext("列入时间"), 17, "yyyy-mm-dd hh:mm"),
        Column(gettext("列入人"), 10),
        Column(gettext("解除时间"), 17, "yyyy-mm-dd hh:mm"),
        Column(gettext("解除人"), 10),
        Column(gettext("解除说明"), 30),
    ]
    rows = (
        (
            w.ticket.number, w.ticket.subject, w.ticket.handling_unit.name if w.ticket.handling_unit else "",
            w.reason, w.added_at, w.added_by_name, w.lifted_at, w.lifted_by_name, w.lift_note,
        )
        for w in watches
    )  # fmt: skip
    return xlsx_response(_filename(tab), gettext(tab.label), columns, rows)


# ---- cards ---------------------------------------------------------------------------------------------------


def _cards(request: HttpRequest, filters: QueryFilters, tab: Tab) -> dict[str, Any]:
    period = filters.month("month") or f"{clock.local_now():%Y-%m}"
    return {"page": paginate(request, cards_for(period)), "period": period}


# ---- risk alerts ---------------------------------------------------------------------------------------------


def _risk(request: HttpRequest, filters: QueryFilters, tab: Tab) -> dict[str, Any]:
    themes = list(SensitiveTheme.objects.order_by("pk"))
    theme = filters.choice("theme", {str(t.pk): t.name for t in themes})
    waiting = request.GET.get("all") != "1"
    return {
        "page": paginate(request, risk_alerts(theme_id=int(theme) if theme else None, waiting_only=waiting)),
        "themes": themes,
        "may_acknowledge": not request.user.roles.isdisjoint(RISK_ROLES),
    }


@workbench("supervision")
@require_POST
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        alert = acknowledge_alert(actor=request.user, alert_id=alert_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("已确认知悉：%(theme)s。") % {"theme": alert.theme.name})
    return redirect(f"{reverse('supervision')}?tab={Tab.RISK.value}")


SECTIONS: dict[Tab, Section] = {
    Tab.OVERDUE: _clocks,
    Tab.DUE_SOON: _clocks,
    Tab.LEDGER: _ledger,
    Tab.LISTED: _watches,
    Tab.DIFFICULT: _watches,
    Tab.CARDS: _cards,
    Tab.RISK: _risk,
}
