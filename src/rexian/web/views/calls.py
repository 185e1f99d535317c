"""话务: the CTI's figures for a period (the centre's and per agent; an agent on the phones sees their own), the
call-back list of abandoned calls (未回拨) with the 已回拨 button, and the intake workbench's screen pop. The
figures' definitions are in telephony/rules.py and docs/telephony.md."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from rexian.core.errors import DomainError, PermissionDenied
from rexian.telephony import selectors
from rexian.telephony.actions import CALLBACK_ROLES, mark_called_back
from rexian.telephony.rules import (
    ANSWER_WITHIN_SECONDS,
    COLUMNS,
    CONNECTION_TARGET,
    WITHIN_TARGET,
    percent,
    shown,
)
from rexian.web.views.common import paginate, workbench
from rexian.web.views.stats import PERIODS, period_dates


def _period(request: HttpRequest) -> tuple[str, date, date, dict[str, list[str]]]:
    """The chosen period (today, this week, this month, or custom dates) and what was wrong with it."""
    period = request.GET.get("period", "today")
    period = period if period in PERIODS else "today"
    errors: dict[str, list[str]] = {}
    start, end = period_dates(request, period, errors, fallback="today")
    return period, start, end, errors


def _context(request: HttpRequest) -> dict[str, Any]:
    period, start, end, errors = _period(request)
    everyone = selectors.reads_everyone(request.user)
    mine = None if everyone else request.user.username
    total = selectors.figures(start, end, mine)
    agents = [(a, shown(a.figures)) for a in selectors.figures_per_agent(start, end, mine)]
    query = {k: v for k, v in request.GET.items() if k in ("period", "start", "end")}
    return {
        "active": "calls",
        "period": period,
        "periods": PERIODS,
        "start": start,
        "end": end,
        "errors": errors,
        "everyone": everyone,
        "columns": COLUMNS,
        "total": total,
        "total_shown": shown(total),
        "agents": agents,
        "targets": {"connection": percent(CONNECTION_TARGET), "within": percent(WITHIN_TARGET)},
        "within_seconds": ANSWER_WITHIN_SECONDS,
        "callbacks": paginate(request, selectors.open_callbacks().select_related("agent")),
        "may_mark": not CALLBACK_ROLES.isdisjoint(request.user.roles),
        "query": urlencode(query),
    }


@workbench("calls")
def board(request: HttpRequest) -> HttpResponse:
    return render(request, "web/calls/board.html", _context(request))


@workbench("calls")
@require_POST
def called_back(request: HttpRequest, call_pk: int) -> HttpResponse:
    """已回拨: the agent called the abandoned caller back; the note says how it went."""
    try:
        call = mark_called_back(actor=request.user, call_pk=call_pk, note=request.POST.get("note", ""))
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from error
    except DomainError as error:
        context = _context(request) | {"error": error, "failed_call": call_pk, "note": request.POST.get("note", "")}
        return render(request, "web/calls/board.html", context, status=error.status)
    messages.success(request, gettext("已登记回拨：%(caller)s。") % {"caller": call.caller or call.call_id})
    query = request.GET.urlencode()
    return redirect(f"{reverse('calls')}?{query}" if query else reverse("calls"))


@workbench("intake")
def screen_pop(request: HttpRequest) -> HttpResponse:
    """The call ringing or answered at this agent now (htmx, polled every 2 s by the intake workbench)."""
    call = selectors.live_call(request.user)
    filled = call is not None and request.GET.get("call_id", "") == call.call_id
    return render(request, "web/partials/screen_pop.html", {"call": call, "filled": filled})
