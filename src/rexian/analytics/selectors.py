"""Reads for the statistics pages, the reports and the API: figures per group with their names, the unit
assessment, and the periods people ask for (today, this week, this month, a quarter, a year)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from rexian.analytics import queries
from rexian.analytics.assessment import Item, Ranked, Score, ranking, score
from rexian.analytics.hotspots import Message, find_hotspots, spikes
from rexian.analytics.metrics import Counts, figures
from rexian.analytics.models import (
    AssessmentItem,
    HotspotSnapshot,
    ReportKind,
    RiskAlert,
    SensitiveTheme,
    ThemeMatch,
)
from rexian.analytics.queries import Group, Scope
from rexian.core import clock
from rexian.directory.models import Unit, UnitKind
from rexian.directory.roles import CENTRE_ROLES, Role
from rexian.taxonomy.choices import AppealType, Channel
from rexian.taxonomy.models import Category
from rexian.workdays.calendar import SHANGHAI

# Who reads the figures: the centre's overseers and leaders, and each unit's administrator for the unit's own
# subtree (see `own_unit`).
STATS_ROLES = frozenset({Role.SHIFT_LEAD, Role.CENTRE_ADMIN, Role.QUALITY, Role.CITY_LEADER, Role.DISPATCHER,
                         Role.REVIEWER, Role.UNIT_ADMIN})  # fmt: skip


def own_unit(user: Any) -> Unit | None:
    """The subtree a user's figures are confined to: the unit of a unit's administrator; None for the centre."""
    return None if user.roles & CENTRE_ROLES else user.unit


@dataclass(frozen=True)
class Row:
    key: Any
    name: str
    figures: dict[str, Any]


def rows(scope: Scope, group: Group) -> list[Row]:
    """Figures per group, named, largest volume first (days and months in order)."""
    return rows_of(queries.counts(scope, group), group)


def rows_of(found: dict[Any, Counts], group: Group) -> list[Row]:
    """`rows` from counts already made (a report counts the member units once for two sheets)."""
    names = names_for(group, list(found))
    result = [Row(key, names.get(key, "—"), figures(c)) for key, c in found.items()]
    if group in (Group.DAY, Group.MONTH):
        return sorted(result, key=lambda row: str(row.key))
    return sorted(result, key=lambda row: (-(row.figures["received"] + row.figures["dispatched"]), row.name))


def overall(scope: Scope) -> dict[str, Any]:
    return figures(queries.counts(scope).get(None, Counts()))


def by_month(scope: Scope) -> bool:
    """Volume over time is shown per month beyond two months, else per day."""
    return (scope.end - scope.start).days > 62


def timeline(scope: Scope) -> list[Row]:
    """Volume per day (per month beyond two months), every day or month present: a gap is a zero."""
    group = Group.MONTH if by_month(scope) else Group.DAY
    found = {row.key: row for row in rows(scope, group)}
    days = [scope.start + timedelta(days=n) for n in range((scope.end - scope.start).days + 1)]
    keys: list[Any] = days if group is Group.DAY else list(dict.fromkeys(f"{d.year:04d}-{d.month:02d}" for d in days))
    names = names_for(group, keys)
    empty = figures(Counts())
    return [found.get(key) or Row(key, names[key], empty) for key in keys]


def names_for(group: Group, keys: list[Any]) -> dict[Any, str]:
    none = "热线中心（未派单）" if group in (Group.UNIT, Group.MEMBER) else "未填写"
    known: dict[Any, str] = {None: none}
    ids = [key for key in keys if isinstance(key, int)]
    if group in (Group.UNIT, Group.MEMBER, Group.DISTRICT):
        known |= dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif group in (Group.CATEGORY, Group.LEAF):
        known |= dict(Category.objects.filter(pk__in=ids).values_list("pk", "path_name"))
    elif group is Group.CHANNEL:
        known |= dict(Channel.choices)
    elif group is Group.TYPE:
        known |= dict(AppealType.choices)
    elif group is Group.DAY:
        known |= {key: f"{key.month}月{key.day}日" for key in keys if isinstance(key, date)}
    elif group is Group.MONTH:
        known |= {key: f"{key[:4]}年{int(key[5:])}月" for key in keys if isinstance(key, str)}
    elif group is Group.ALL:
        known[None] = "合计"
    return known


# ---- assessment -------------------------------------------------------------------------------------------


def scheme() -> list[Item]:
    return [row.item for row in AssessmentItem.objects.filter(is_active=True)]


@dataclass(frozen=True)
class Assessed:
    unit: Unit
    ranked: Ranked
    figures: dict[str, Any]

    @property
    def worst_card(self) -> int:
        return worst_card(self.figures)


def worst_card(f: dict[str, Any]) -> int:
    """The worst card colour (0 none … 3 red) among a unit's figures."""
    return max(f["cards_by_colour"], default=0)


def assessed_units() -> list[Unit]:
    """The member units: those directly under the top of the tree, the centre itself excepted."""
    members = set(queries.member_units().values())
    return list(Unit.objects.filter(pk__in=members).exclude(kind=UnitKind.CENTRE).order_by("path"))


def assessment(scope: Scope, members: dict[Any, Counts] | None = None) -> list[Assessed]:
    """The member units' scores for the period, ranked, with the previous period's rank and the change.
    A unit that had nothing dispatched to it in either period is left out. `members`: the period's counts per
    member unit when the caller has them already."""
    items = scheme()
    units = {unit.pk: unit for unit in assessed_units()}
    now = _member_figures(scope, units, members)
    before = _member_figures(scope.previous(), units)
    current: dict[int, Score] = {pk: score(f, items) for pk, f in now.items()}
    previous: dict[int, Score] = {pk: score(f, items) for pk, f in before.items()}
    return [Assessed(units[r.key], r, now[r.key]) for r in ranking(current, previous)]


def _member_figures(
    scope: Scope, units: dict[int, Unit], found: dict[Any, Counts] | None = None
) -> dict[int, dict[str, Any]]:
    found = queries.counts(scope, Group.MEMBER) if found is None else found
    active = {pk: c for pk, c in found.items() if pk in units and (c.dispatched or c.replied or c.signed)}
    return {pk: figures(c) for pk, c in active.items()}


# ---- periods ----------------------------------------------------------------------------------------------


def period_of(kind: str, day: date) -> tuple[date, date]:
    """The report period of a kind that contains `day`: its week (Monday–Sunday), month, quarter or year."""
    if kind == ReportKind.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if kind == ReportKind.MONTHLY:
        start = day.replace(day=1)
    elif kind == ReportKind.QUARTERLY:
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    elif kind == ReportKind.ANNUAL:
        start = date(day.year, 1, 1)
    else:
        raise ValueError(f"unknown report kind: {kind}")
    months = {ReportKind.MONTHLY: 1, ReportKind.QUARTERLY: 3, ReportKind.ANNUAL: 12}[ReportKind(kind)]
    return start, queries.add_months(start, months) - timedelta(days=1)


def last_complete(kind: str, today: date) -> tuple[date, date]:
    """The latest period of a kind that has ended before today: last week, last month…"""
    start, _ = period_of(kind, today)
    return period_of(kind, start - timedelta(days=1))


# ---- hotspots ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HotspotRow:
    description: str
    place_people: str
    size: int
    first: datetime
    last: datetime
    ticket_ids: list[int]
    heat: float


# The newest appeals of the period that the text grouping reads: a month of a county centre whole, the latest
# part of a big city's month (find_hotspots reads 50,000 texts in about 25 s; docs/hotspots.md).
HOTSPOT_TICKETS = 5000


# The worker keeps this many hotspots of the whole centre's today, this week, this month, last week and last
# month (actions.refresh_hotspots); a snapshot of a period not over yet is used while this fresh.
SNAPSHOT_TOP = 20
SNAPSHOT_FRESH = timedelta(minutes=15)


def top_hotspots(scope: Scope, top: int = 5) -> list[HotspotRow]:
    """The period's hottest groups of appeals on one problem at one place: the worker's snapshot when it has
    one for the period, else found now (`find_top_hotspots`)."""
    stored = _snapshot(scope) if top <= SNAPSHOT_TOP else None
    return stored[:top] if stored is not None else find_top_hotspots(scope, top)


def snapshot_periods(today: date) -> list[tuple[date, date]]:
    """The whole-centre periods the worker keeps hotspots of: the dashboard's today, this week and this month,
    and the last complete week and month (the reports')."""
    return [(today, today), (today - timedelta(days=today.weekday()), today), (today.replace(day=1), today),
            last_complete(ReportKind.WEEKLY, today), last_complete(ReportKind.MONTHLY, today)]  # fmt: skip


def _snapshot(scope: Scope) -> list[HotspotRow] | None:
    if scope.unit or scope.channel or scope.appeal_type or scope.category or scope.district:
        return None
    snapshot = HotspotSnapshot.objects.filter(start=scope.start, end=scope.end).first()
    if snapshot is None:
        return None
    if not snapshot.final and clock.now() - snapshot.computed_at > SNAPSHOT_FRESH:
        return None
    return [hotspot_from_json(row) for row in snapshot.rows]


def hotspot_to_json(row: HotspotRow) -> dict[str, Any]:
    return {**vars(row), "first": row.first.isoformat(), "last": row.last.isoformat()}


def hotspot_from_json(row: dict[str, Any]) -> HotspotRow:
    return HotspotRow(**{**row, "first": datetime.fromisoformat(row["first"]),
                         "last": datetime.fromisoformat(row["last"])})  # fmt: skip


def find_top_hotspots(scope: Scope, top: int) -> list[HotspotRow]:
    """The period's hottest groups of appeals on one problem at one place (analytics/hotspots.py): similar
    texts, the same street and category, within the period; heat from distinct callers and growth."""
    low, high = scope.bounds()
    rows = queries.registered(scope).order_by("-created_at").values_list(
        "pk", "subject", "description", "street__name", "street__short_names", "category__code", "created_at",
        "citizen_phone",
    )[:HOTSPOT_TICKETS]  # fmt: skip
    messages = [
        Message(str(pk), description, title=subject, at=created.astimezone(SHANGHAI), category=category or "",
                place=(short.split(",")[0].strip() if short else street) or "", author=phone or "")
        for pk, subject, description, street, short, category, created, phone in rows
    ]  # fmt: skip
    days = (scope.end - scope.start).days + 1
    found = find_hotspots(messages, window_days=max(30, days), top=top, now=high)
    return [_row(h, low) for h in found]


def _row(h: Any, fallback: datetime) -> HotspotRow:
    ids = [int(i) for i in h.member_ids]
    return HotspotRow(h.description, h.place_people, h.size, h.first_at or fallback, h.last_at or fallback, ids, h.heat)


# ---- spikes -----------------------------------------------------------------------------------------------

SPIKE_RECENT_DAYS = 7
SPIKE_BASELINE_DAYS = 28


@dataclass(frozen=True)
class SpikeRow:
    category: Category
    recent: int  # appeals in the last SPIKE_RECENT_DAYS days up to the period's end
    expected: float  # what the four weeks before predict
    ratio: float
    start: date
    end: date


def category_spikes(scope: Scope, top: int = 5) -> list[SpikeRow]:
    """Categories whose appeals of the last week up to the period's end rose well above their own previous four
    weeks (analytics/hotspots.spikes: a Poisson test, at least 5 appeals and 1.5 times the expected)."""
    days = SPIKE_RECENT_DAYS + SPIKE_BASELINE_DAYS
    start = scope.end - timedelta(days=days - 1)
    series: dict[str, list[int]] = {}
    for (category, day), n in queries.received_per_category_and_day(replace(scope, start=start)).items():
        series.setdefault(str(category), [0] * days)[(day - start).days] += n
    found = spikes(series, recent_days=SPIKE_RECENT_DAYS, baseline_days=SPIKE_BASELINE_DAYS)[:top]
    categories = Category.objects.in_bulk([int(spike.key) for spike in found])
    first = scope.end - timedelta(days=SPIKE_RECENT_DAYS - 1)
    return [SpikeRow(categories[int(s.key)], s.recent, s.expected, s.ratio, first, scope.end) for s in found]


# ---- sensitive themes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeRow:
    theme: SensitiveTheme
    count: int  # appeals registered in the period that mention the theme
    waiting: int  # alerts on the theme nobody has acknowledged yet


def theme_counts(scope: Scope) -> list[ThemeRow]:
    """The active sensitive themes with the period's matching appeals, most first."""
    low, high = scope.bounds()
    matches = ThemeMatch.objects.filter(
        ticket_created_at__gte=low, ticket_created_at__lt=high, **queries.ticket_filters(scope, "ticket__")
    )
    if scope.unit is not None:
        matches = matches.filter(ticket__lead_unit__path__startswith=scope.unit.path)
    counts = dict(matches.values("theme").annotate(n=Count("id")).values_list("theme", "n").order_by())
    waiting = dict(
        RiskAlert.objects.filter(acknowledged_at=None).values("theme").annotate(n=Count("id"))
        .values_list("theme", "n").order_by()
    )  # fmt: skip
    themes = SensitiveTheme.objects.filter(is_active=True)
    found = [ThemeRow(t, counts.get(t.pk, 0), waiting.get(t.pk, 0)) for t in themes]
    return sorted(found, key=lambda row: (-row.waiting, -row.count, row.theme.pk))


def risk_alerts(*, theme_id: int | None = None, waiting_only: bool = False) -> QuerySet[RiskAlert]:
    """Alerts newest first, each with its appeals (newest first)."""
    alerts = RiskAlert.objects.select_related("theme", "acknowledged_by")
    if theme_id is not None:
        alerts = alerts.filter(theme_id=theme_id)
    if waiting_only:
        alerts = alerts.filter(acknowledged_at=None)
    matches = ThemeMatch.objects.select_related("ticket").order_by("-ticket_created_at")
    return alerts.prefetch_related(Prefetch("matches", queryset=matches))
