"""Counting the event log for the statistics (definitions: analytics/metrics.py, docs/metrics.md).

A period's figures come from a few indexed aggregates — tickets registered, events by action, replies'
handling times, notices, cards — grouped in SQL by a fine key (unit, category, district, channel, type,
day) and rolled up in Python (member units, level-1 categories, months). No query loads a table whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from django.db.models import Count, F, IntegerField, QuerySet, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate

from rexian.analytics.metrics import Counts
from rexian.analytics.models import DailyCounts, DailyHandlingDays, DailySlice, RollupState
from rexian.directory.models import Unit
from rexian.supervision.models import Notice, UnitCard
from rexian.taxonomy.models import Category
from rexian.tickets.models import Ticket, TicketEvent
from rexian.tickets.workflow import Action, State
from rexian.workdays.calendar import SHANGHAI
from rexian.workdays.selectors import current_calendar

# The events the statistics count; the others (notes, amendments…) are history, not figures.
COUNTED = (
    Action.ANSWER_DIRECTLY,
    Action.REJECT_OUT_OF_SCOPE,
    Action.MERGE_INTO,
    Action.DISPATCH,
    Action.SIGN,
    Action.APPROVE_RETURN,
    Action.APPROVE_EXTENSION,
    Action.REPLY,
    Action.APPROVE_REPLY,
    Action.CALLBACK,
    Action.CLOSE_IMPORTED,  # an old hotline's finished order: closed on its old day, nothing else (not rated, late)
)


class Group(StrEnum):
    ALL = "all"
    UNIT = "unit"  # the accountable unit itself
    MEMBER = "member"  # the member unit (directly under the centre) the accountable unit belongs to
    CATEGORY = "category"  # level-1 category
    LEAF = "leaf"  # the ticket's own category
    DISTRICT = "district"
    CHANNEL = "channel"
    TYPE = "appeal_type"
    DAY = "day"
    MONTH = "month"
    FINE = "fine"  # every slice key at once (unit, category, district, channel, type): what a day's roll-up keeps


FINE_NAMES = ("k_unit", "k_category", "k_district", "k_channel", "k_type")


@dataclass(frozen=True)
class Scope:
    """A period (local dates, both ends included) and a slice of the tickets."""

    start: date
    end: date
    unit: Unit | None = None  # this unit and its subtree
    channel: str = ""
    appeal_type: str = ""
    category: Category | None = None  # this category and its subtree
    district: Unit | None = None

    def bounds(self) -> tuple[datetime, datetime]:
        return (datetime.combine(self.start, time.min, SHANGHAI),
                datetime.combine(self.end + timedelta(days=1), time.min, SHANGHAI))  # fmt: skip

    def previous(self) -> Scope:
        """The period just before, as long as this one (the previous month for a whole month)."""
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            start = add_months(self.start, -months)
            return replace(self, start=start, end=self.start - timedelta(days=1))
        length = self.end - self.start + timedelta(days=1)
        return replace(self, start=self.start - length, end=self.start - timedelta(days=1))


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# The longest period the pages and the API count at once.
LONGEST_PERIOD_DAYS = 3 * 366

Key = Any  # a unit or category id, a channel or type code, a date, "YYYY-MM", or None


def counts(scope: Scope, group: Group = Group.ALL, *, rolled_up: bool = True) -> dict[Key, Counts]:
    """Counts per group key for the scope; keys with nothing counted are absent. The days the daily roll-up
    holds are added up from it; the others (today, at least) are counted in the event log. With
    `rolled_up=False`, every day is counted in the event log."""
    fine: dict[Key, Counts] = defaultdict(Counts)
    stored, live = _split(scope) if rolled_up else (None, scope)
    if stored is not None:
        _count_stored(fine, stored, group)
    if live is not None:
        count_events_of(fine, live, group)
    _count_cards(fine, scope, group)
    return _rolled_up(fine, group)


def count_events_of(fine: dict[Key, Counts], scope: Scope, group: Group) -> None:
    """Count the scope's appeals, events, replies' handling times and notices in the event log."""
    _count_received(fine, scope, group)
    _count_events(fine, scope, group)
    _count_handling_days(fine, scope, group)
    _count_notices(fine, scope, group)


def _split(scope: Scope) -> tuple[Scope | None, Scope | None]:
    """The part of the scope's period the roll-up holds, and the part after it."""
    through = RollupState.objects.values_list("through", flat=True).first()
    if through is None or scope.start > through:
        return None, scope
    if scope.end <= through:
        return scope, None
    return replace(scope, end=through), replace(scope, start=through + timedelta(days=1))


# ---- the aggregates ---------------------------------------------------------------------------------------


def ticket_filters(scope: Scope, prefix: str) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if scope.channel:
        filters[f"{prefix}channel"] = scope.channel
    if scope.appeal_type:
        filters[f"{prefix}appeal_type"] = scope.appeal_type
    if scope.category is not None:
        # Category codes carry their parents' codes: the subtree is a prefix, as on the search page.
        filters[f"{prefix}category__code__startswith"] = scope.category.code
    if scope.district is not None:
        filters[f"{prefix}district_id"] = scope.district.pk
    return filters


def _sliced(rows: QuerySet[Any], scope: Scope, *, prefix: str, unit_field: str, time_field: str) -> QuerySet[Any]:
    low, high = scope.bounds()
    rows = rows.filter(**{f"{time_field}__gte": low, f"{time_field}__lt": high}, **ticket_filters(scope, prefix))
    if scope.unit is not None:
        rows = rows.filter(**{f"{unit_field}__path__startswith": scope.unit.path})
    return rows


def _key_field(group: Group, *, prefix: str, unit_field: str, time_field: str) -> Any:
    """The SQL expression a group is counted by before its roll-up."""
    if group in (Group.UNIT, Group.MEMBER):
        return F(f"{unit_field}_id")
    if group in (Group.CATEGORY, Group.LEAF):
        return F(f"{prefix}category_id")
    if group is Group.DISTRICT:
        return F(f"{prefix}district_id")
    if group is Group.CHANNEL:
        return F(f"{prefix}channel")
    if group is Group.TYPE:
        return F(f"{prefix}appeal_type")
    if group in (Group.DAY, Group.MONTH):
        return TruncDate(time_field, tzinfo=SHANGHAI)
    return Value(None, output_field=IntegerField())


def _grouped(rows: QuerySet[Any], group: Group, **where: str) -> QuerySet[Any]:
    if group is Group.FINE:
        prefix, unit_field = where["prefix"], where["unit_field"]
        return rows.annotate(k_unit=F(f"{unit_field}_id"), k_category=F(f"{prefix}category_id"),
                             k_district=F(f"{prefix}district_id"), k_channel=F(f"{prefix}channel"),
                             k_type=F(f"{prefix}appeal_type"))  # fmt: skip
    return rows.annotate(key=_key_field(group, **where))


def _names(group: Group) -> tuple[str, ...]:
    return FINE_NAMES if group is Group.FINE else ("key",)


def _key(row: dict[str, Any], group: Group) -> Key:
    return tuple(row[name] for name in FINE_NAMES) if group is Group.FINE else row["key"]


def _nonzero(rows: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    # Grouped by a constant (Group.ALL), an aggregate over no rows still returns one row, with a count of 0.
    return (row for row in rows if row["n"])


TICKET_WHERE = {"prefix": "", "unit_field": "lead_unit", "time_field": "created_at"}


def registered(scope: Scope) -> QuerySet[Ticket]:
    """The tickets registered in the scope's period and slice (a unit subtree by the ticket's lead unit)."""
    return _sliced(Ticket.objects.all(), scope, **TICKET_WHERE)


def _count_received(fine: dict[Key, Counts], scope: Scope, group: Group) -> None:
    rows = _grouped(registered(scope), group, **TICKET_WHERE)
    for row in _nonzero(rows.values(*_names(group)).annotate(n=Count("id")).order_by()):
        fine[_key(row, group)].received += row["n"]


EVENT_WHERE = {"prefix": "ticket__", "unit_field": "unit", "time_field": "created_at"}


def _events(scope: Scope, group: Group, actions: Iterable[Action]) -> QuerySet[TicketEvent]:
    rows = _sliced(TicketEvent.objects.filter(action__in=list(actions)), scope, **EVENT_WHERE)
    return _grouped(rows, group, **EVENT_WHERE)


def _truthy(value: Any) -> bool:
    # JSON booleans come back as 1/0 from SQLite and as 'true'/'false' from PostgreSQL.
    return value in (True, 1, "1", "true")


SIMPLE: dict[Action, str] = {
    Action.ANSWER_DIRECTLY: "answered_directly",
    Action.REJECT_OUT_OF_SCOPE: "rejected",
    Action.MERGE_INTO: "merged",
    Action.DISPATCH: "dispatched",
    Action.APPROVE_RETURN: "returned",
    Action.APPROVE_EXTENSION: "extended",
    Action.APPROVE_REPLY: "approved",
}


def _count_events(fine: dict[Key, Counts], scope: Scope, group: Group) -> None:
    rows = _events(scope, group, COUNTED).values(
        *_names(group), "action", "late", "to_state",
        reached=KT("payload__reached"), satisfaction=KT("payload__satisfaction"), resolved=KT("payload__resolved"),
    ).annotate(n=Count("id")).order_by()  # fmt: skip
    for row in _nonzero(rows):
        _add_event_row(fine[_key(row, group)], row)


def _add_event_row(c: Counts, row: dict[str, Any]) -> None:
    action, n = Action(row["action"]), row["n"]
    if action in SIMPLE:
        setattr(c, SIMPLE[action], getattr(c, SIMPLE[action]) + n)
    elif action is Action.SIGN:
        c.signed += n
        c.signed_late += n if row["late"] is True else 0
        c.signed_on_time += n if row["late"] is False else 0
    elif action is Action.REPLY:
        c.replied += n
        c.replied_late += n if row["late"] is True else 0
        c.replied_on_time += n if row["late"] is False else 0
    elif action is Action.CALLBACK:
        _add_callback_row(c, row, n)
    elif action is Action.CLOSE_IMPORTED:
        c.closed += n


def _add_callback_row(c: Counts, row: dict[str, Any], n: int) -> None:
    c.callbacks += n
    c.closed += n if row["to_state"] == State.CLOSED else 0
    c.rehandled += n if row["to_state"] == State.IN_PROGRESS else 0
    if not _truthy(row["reached"]):
        return
    c.reached += n
    satisfaction = row["satisfaction"]
    if satisfaction in ("satisfied", "basically_satisfied", "unsatisfied"):
        setattr(c, satisfaction, getattr(c, satisfaction) + n)
    if row["resolved"] is not None:
        c.resolved_asked += n
        c.resolved_yes += n if _truthy(row["resolved"]) else 0


def _count_handling_days(fine: dict[Key, Counts], scope: Scope, group: Group) -> None:
    """Working days from the ticket's (latest) dispatch to each reply of the period."""
    between = current_calendar().workdays_between
    rows = _events(scope, group, [Action.REPLY]).order_by()
    for row in rows.values(*_names(group), "created_at", "ticket__dispatched_at").iterator(chunk_size=5000):
        replied_at, dispatched_at = row["created_at"], row["ticket__dispatched_at"]
        if dispatched_at is not None and dispatched_at <= replied_at:
            days = between(dispatched_at.astimezone(SHANGHAI).date(), replied_at.astimezone(SHANGHAI).date())
            fine[_key(row, group)].handling_days.append(days)


def _count_notices(fine: dict[Key, Counts], scope: Scope, group: Group) -> None:
    where = {"prefix": "ticket__", "unit_field": "unit", "time_field": "issued_at"}
    rows = _grouped(_sliced(Notice.objects.all(), scope, **where), group, **where)
    for row in _nonzero(rows.values(*_names(group), "level").annotate(n=Count("id")).order_by()):
        notices = fine[_key(row, group)].notices
        notices[row["level"]] = notices.get(row["level"], 0) + row["n"]


# ---- the roll-up -------------------------------------------------------------------------------------------

ADDED = tuple(f.name for f in dataclass_fields(Counts) if f.type in ("int", int))


def _stored_key(group: Group) -> Any:
    if group in (Group.UNIT, Group.MEMBER):
        return F("unit_id")
    if group in (Group.CATEGORY, Group.LEAF):
        return F("category_id")
    if group is Group.DISTRICT:
        return F("district_id")
    if group is Group.CHANNEL:
        return F("channel")
    if group is Group.TYPE:
        return F("appeal_type")
    if group in (Group.DAY, Group.MONTH):
        return F("day")
    return Value(None, output_field=IntegerField())


def _count_stored(fine: dict[Key, Counts], scope: Scope, group: Group) -> None:
    """Add up the roll-up's rows of the scope in SQL: the counts, the handling times' distribution, and the
    notices kept as {level: count} on the few rows that have any."""
    rows = _stored(DailyCounts, scope).annotate(key=_stored_key(group))
    for row in rows.values("key").annotate(**{name: Sum(name) for name in ADDED}).order_by():
        if any(row[name] for name in ADDED):
            c = fine[row["key"]]
            for name in ADDED:
                setattr(c, name, getattr(c, name) + row[name])
    handling = _stored(DailyHandlingDays, scope).annotate(key=_stored_key(group))
    for key, days, n in handling.values_list("key", "days").annotate(n=Sum("replies")).order_by():
        fine[key].handling_days.extend([days] * n)
    for key, levels in rows.filter(notices_issued__gt=0).values_list("key", "notices"):
        notices = fine[key].notices
        for level, n in levels.items():
            notices[int(level)] = notices.get(int(level), 0) + n


def _stored(model: type[DailySlice], scope: Scope) -> QuerySet[Any]:
    rows = model.objects.filter(day__gte=scope.start, day__lte=scope.end, **ticket_filters(scope, ""))
    return rows.filter(unit__path__startswith=scope.unit.path) if scope.unit is not None else rows


def received_per_category_and_day(scope: Scope) -> dict[tuple[int, date], int]:
    """Appeals registered per (category, day) in the scope: from the roll-up where it has the days."""
    found: dict[tuple[int, date], int] = defaultdict(int)
    stored, live = _split(scope)
    if stored is not None:
        rows = _stored(DailyCounts, stored).filter(received__gt=0, category__isnull=False)
        for category, day, n in rows.values_list("category_id", "day").annotate(n=Sum("received")).order_by():
            found[(category, day)] += n
    if live is not None:
        rows = registered(live).filter(category__isnull=False)
        rows = rows.annotate(day=TruncDate("created_at", tzinfo=SHANGHAI)).values_list("category_id", "day")
        for category, day, n in rows.annotate(n=Count("id")).order_by():
            found[(category, day)] += n
    return dict(found)


def _count_cards(fine: dict[Key, Counts], scope: Scope, group: Group) -> None:
    """Cards belong to a unit and a month: counted for whole-slice and unit groupings without ticket filters."""
    if group not in (Group.ALL, Group.UNIT, Group.MEMBER) or ticket_filters(scope, ""):
        return
    months = [f"{m.year:04d}-{m.month:02d}" for m in _months(scope.start, scope.end)]
    rows = UnitCard.objects.filter(period__in=months)
    if scope.unit is not None:
        rows = rows.filter(unit__path__startswith=scope.unit.path)
    for unit_id, card in rows.values_list("unit_id", "card"):
        cards = fine[unit_id if group is not Group.ALL else None].cards
        cards[card] = cards.get(card, 0) + 1


def _months(start: date, end: date) -> list[date]:
    months, current = [], date(start.year, start.month, 1)
    while current <= end:
        months.append(current)
        current = add_months(current, 1)
    return months


# ---- roll-ups --------------------------------------------------------------------------------------------


def _rolled_up(fine: dict[Key, Counts], group: Group) -> dict[Key, Counts]:
    coarser = _coarser(group)
    if coarser is None:
        return dict(fine)
    result: dict[Key, Counts] = defaultdict(Counts)
    for key, part in fine.items():
        result[coarser(key)].add(part)
    return dict(result)


def _coarser(group: Group) -> Callable[[Key], Key] | None:
    if group is Group.MEMBER:
        members = member_units()
        return lambda unit_id: members.get(unit_id)
    if group is Group.CATEGORY:
        tops = top_categories()
        return lambda category_id: tops.get(category_id)
    if group is Group.MONTH:
        return lambda day: f"{day.year:04d}-{day.month:02d}" if day else None
    return None


def member_units() -> dict[int, int]:
    """Each unit's member unit: the unit directly under the centre on its path (itself at that level)."""
    rows = list(Unit.objects.values_list("pk", "path"))
    by_code = {path.strip("/").split("/")[-1]: pk for pk, path in rows}
    members = {}
    for pk, path in rows:
        codes = path.strip("/").split("/")
        members[pk] = by_code[codes[1]] if len(codes) > 1 else pk
    return members


def top_categories() -> dict[int, int]:
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    tops = {}
    for pk in parents:
        top = pk
        while parents.get(top) is not None:
            top = parents[top]
        tops[pk] = top
    return tops

