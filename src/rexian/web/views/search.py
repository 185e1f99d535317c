"""查询: tickets by number, phone, text, state, unit, category and date range, a page at a time."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from rexian.analytics.models import SensitiveTheme, ThemeMatch
from rexian.directory.selectors import units_for_picking
from rexian.taxonomy.models import Category
from rexian.tickets.selectors import filter_tickets
from rexian.tickets.workflow import State
from rexian.web.views.common import ticket_page, workbench

# channel, appeal_type and district come from the statistics pages' links (the tickets behind a figure).
TEXT_FILTERS = ("number", "phone", "q", "unit", "category", "channel", "appeal_type", "district")


def _filters(request: HttpRequest) -> tuple[dict[str, Any], dict[str, list[str]]]:
    filters: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in TEXT_FILTERS:
        value = request.GET.get(name, "").strip()[:100]
        if value:
            filters[name] = value
    quick = filters.get("q", "")
    if quick.isdigit() and len(quick) >= 7:  # the top bar's box: a number or a phone, not a text
        filters.pop("q")
        filters["number" if len(quick) == 13 else "phone"] = quick
    states = [s for s in request.GET.getlist("state") if s in State.__members__.values()]
    if states:
        filters["state"] = states
    for name in ("created_from", "created_to"):
        raw = request.GET.get(name, "").strip()
        if raw:
            try:
                filters[name] = date.fromisoformat(raw)
            except ValueError:
                errors[name] = [gettext("日期格式应为 年-月-日，如 2026-11-01。")]
    return filters, errors


def _theme(request: HttpRequest, errors: dict[str, list[str]]) -> SensitiveTheme | None:
    raw = request.GET.get("theme", "").strip()
    if not raw:
        return None
    theme = SensitiveTheme.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if theme is None:
        errors["theme"] = [gettext("找不到该敏感主题。")]
    return theme


@workbench("search")
def search(request: HttpRequest) -> HttpResponse:
    filters, errors = _filters(request)
    results = filter_tickets(request.user, filters).order_by("-created_at", "-id")
    theme = _theme(request, errors)
    if theme is not None:  # the appeals behind a sensitive theme's count on the statistics dashboard
        results = results.filter(pk__in=ThemeMatch.objects.filter(theme=theme).values("ticket_id"))
    page = ticket_page(request, results)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "active": "search",
        "page": page,
        "kind": "search",
        "filters": request.GET,
        "errors": errors,
        "states": list(State),
        "chosen_states": filters.get("state", []),
        "units": list(units_for_picking()),
        "categories": list(Category.objects.filter(is_active=True).order_by("code")),
        "query": query.urlencode(),
        "theme": theme,
    }
    return render(request, "web/console/search.html", context, status=422 if errors else 200)
