"""`rexian bench report --tickets N`: the statistics at a big centre's scale, in a kept scratch database.

The database is filled once by `rexian generate` (a year of history up to its own "now") and kept for the next
run; its closed days are rolled up and the hotspots of the dashboard's and the reports' periods found, as the
worker would have done (both timed). Everything is timed
as of the newest appeal in it, so a database generated last week measures the same month as today: the clock
is pinned there. Timed: the last complete month's report (gathered, then written as the Excel workbook and the
Word document, not archived) and the statistics pages a leader opens (the dashboard for today, this week and
this month; the month's figures per member unit; the month's assessment), each the median of `runs` runs,
through Django's test client (the server's own time, without the network).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.urls import reverse

from rexian.analytics import reports
from rexian.analytics.actions import refresh_hotspots, roll_up
from rexian.analytics.models import ReportKind
from rexian.analytics.queries import Scope
from rexian.analytics.selectors import last_complete, period_of
from rexian.core import clock
from rexian.demo.generate import generate
from rexian.directory.models import RoleGrant, User
from rexian.directory.roles import Role
from rexian.tickets.models import Ticket, TicketEvent

LEADER = "bench_leader"


def run(tickets: int, runs: int = 3) -> dict[str, Any]:
    """Fill the database when it is empty, then time the report and the pages. Returns the figures."""
    figures: dict[str, Any] = {"database": connection.vendor}
    present = Ticket.objects.count()
    if present == 0:
        figures["generated_s"] = generate(tickets)["seconds"]
    elif present != tickets:
        raise ValueError(f"保留的基准数据库有 {present:,} 张工单，而不是 {tickets:,} 张：请加 --fresh 重新生成。")
    newest = Ticket.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    assert newest is not None
    with clock.frozen_at(newest + timedelta(minutes=1)):
        started = time.perf_counter()
        rolled = roll_up(clock.now(), days_per_run=None)  # what the worker will have done, a month per minute
        if rolled:
            figures["rollup_days"], figures["rollup_s"] = rolled, round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        while refresh_hotspots(clock.now()):  # the worker finds one period's hotspots a minute
            pass
        figures["hotspot_snapshots_s"] = round(time.perf_counter() - started, 3)
        today = clock.local_now().date()
        start, end = last_complete(ReportKind.MONTHLY, today)
        figures |= _sizes(start, end) | {"today": today.isoformat(), "month": f"{start:%Y-%m}", "runs": runs}
        figures |= _report_times(start, end, runs)
        figures |= _page_times(start, runs)
    return figures


def _sizes(start: date, end: date) -> dict[str, int]:
    low, high = Scope(start, end).bounds()
    return {
        "tickets": Ticket.objects.count(),
        "events": TicketEvent.objects.count(),
        "month_tickets": Ticket.objects.filter(created_at__gte=low, created_at__lt=high).count(),
        "month_events": TicketEvent.objects.filter(created_at__gte=low, created_at__lt=high).count(),
    }


def _report_times(start: date, end: date, runs: int) -> dict[str, float]:
    gathered: list[reports.ReportData] = []
    gather_s = _median(lambda: gathered.append(reports.gather(ReportKind.MONTHLY, start, end)), runs)
    data = gathered[-1]
    workbook_s = _median(lambda: reports.workbook(data), runs)
    document_s = _median(lambda: reports.document(data), runs)
    return {
        "monthly_report_s": round(gather_s + workbook_s + document_s, 3),
        "report_gather_s": gather_s,
        "report_workbook_s": workbook_s,
        "report_document_s": document_s,
    }


def _page_times(month: date, runs: int) -> dict[str, float]:
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(_leader())
    last_month = f"period=custom&start={month}&end={period_of(ReportKind.MONTHLY, month)[1]}"
    pages = {
        "dashboard_today_s": f"{reverse('stats')}?period=today",
        "dashboard_week_s": f"{reverse('stats')}?period=week",
        "dashboard_month_s": f"{reverse('stats')}?period=month",
        "last_month_dashboard_s": f"{reverse('stats')}?{last_month}",
        "member_figures_s": f"{reverse('stats_table')}?{last_month}&group=member",
        "assessment_s": f"{reverse('stats_assessment')}?month={month:%Y-%m}",
    }
    return {name: _median(lambda url=url: _get(client, url), runs) for name, url in pages.items()}


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} 返回 {response.status_code}")


def _leader() -> User:
    """A city leader's account (the generated history has no logins): created once, kept with the data."""
    user, created = User.objects.get_or_create(username=LEADER, defaults={"first_name": "基准测试"})
    if created:
        RoleGrant.objects.create(user=user, role=Role.CITY_LEADER)
    return user


def _median(work: Callable[[], Any], runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return round(statistics.median(timings), 3)
