"""Reads of the supervision app for pages and exports: the deadline of each listed ticket, a ticket's
clocks and notices, the centre's overdue and due-soon lists, the notice ledger, the watch lists, the cards.

Lists of tickets get their running clocks in one query per page (`with_deadlines`), never one per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When, prefetch_related_objects

from rexian.core.clock import SHANGHAI
from rexian.core.errors import NotFound
from rexian.directory.models import Unit
from rexian.directory.roles import UNIT_ROLES, Role
from rexian.supervision.actions import SUPERVISORS
from rexian.supervision.clocks import Light, elapsed_share
from rexian.supervision.models import (
    REMINDER_LEVEL,
    REMINDER_TITLE,
    LadderLevel,
    Notice,
    StageClock,
    UnitCard,
    Watch,
    WatchKind,
)
from rexian.taxonomy.policy import Limit, Stage
from rexian.tickets.access import Actor, sees_everything
from rexian.tickets.models import Ticket
from rexian.workdays.calendar import WorkdayCalendar

RUNNING_CLOCKS = "running_clocks"  # the attribute `with_deadlines` fills on each ticket
STAGE_ORDER = {stage: index for index, stage in enumerate(Stage)}


# ---- the deadline of a ticket in a list ----------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """What a list shows of a ticket's clocks: the worst light, and the earliest deadline (the one that
    governs what must happen next)."""

    light: Light
    due_at: datetime
    provisional: bool
    stage: Stage


def _running_clocks() -> Prefetch:
    return Prefetch(
        "clocks", queryset=StageClock.objects.filter(running=True).order_by("due_at", "pk"), to_attr=RUNNING_CLOCKS
    )


def with_deadlines(tickets: Sequence[Ticket]) -> Sequence[Ticket]:
    """Fetch the running clocks of a page of tickets, in one query whatever the page's size."""
    prefetch_related_objects(list(tickets), _running_clocks())
    return tickets


def deadline_of(ticket: Ticket) -> Deadline | None:
    """The ticket's deadline from the clocks `with_deadlines` fetched (None when no clock runs). A ticket that
    did not go through `with_deadlines` raises AttributeError: a list must not query row by row."""
    clocks: list[StageClock] = getattr(ticket, RUNNING_CLOCKS)
    if not clocks:
        return None
    first = clocks[0]
    return Deadline(Light(max(c.light for c in clocks)), first.due_at, first.provisional, Stage(first.stage))


# ---- a ticket's clocks, notices and watches ---------------------------------------------------------------------


@dataclass(frozen=True)
class ClockView:
    stage: Stage
    limit: Limit
    unit: Unit | None
    started_at: datetime
    due_at: datetime
    light: Light
    provisional: bool
    running: bool
    stopped_at: datetime | None
    share: float  # of the limit used, at now (or when the clock stopped)
    ladder_level: int
    ladder_name: str

    @property
    def percent(self) -> int:
        return round(self.share * 100)

    @property
    def bar_percent(self) -> int:
        return min(100, self.percent)


def ladder_names() -> dict[int, str]:
    return {REMINDER_LEVEL: REMINDER_TITLE, **dict(LadderLevel.objects.values_list("level", "name"))}


def clocks_of(ticket: Ticket, now: datetime) -> list[ClockView]:
    """Every clock the ticket has had, in the order of the stages; stopped ones show where they stopped."""
    names = ladder_names()
    clocks = sorted(StageClock.objects.filter(ticket=ticket).select_related("unit"), key=lambda c: STAGE_ORDER[c.stage])
    return [
        ClockView(
            stage=Stage(c.stage),
            limit=c.limit,
            unit=c.unit,
            started_at=c.started_at,
            due_at=c.due_at,
            light=Light(c.light),
            provisional=c.provisional,
            running=c.running,
            stopped_at=c.stopped_at,
            share=elapsed_share(now if c.running else c.stopped_at or now, c.started_at, c.due_at),
            ladder_level=c.ladder_level,
            ladder_name=names.get(c.ladder_level, "") if c.ladder_level else "",
        )
        for c in clocks
    ]


def visible_notices(actor: Actor) -> QuerySet[Notice]:
    """Notices the actor may read: all for the centre, those sent to the actor's unit or below for a unit."""
    notices = Notice.objects.select_related("unit", "ticket")
    if sees_everything(actor):
        return notices
    unit = getattr(actor, "unit", None)
    if unit is None or actor.roles.isdisjoint(UNIT_ROLES):
        return notices.none()
    return notices.filter(unit__path__startswith=unit.path)


def notice_for(actor: Actor, notice_id: int) -> Notice:
    notice = visible_notices(actor).select_related("ticket__handling_unit").filter(pk=notice_id).first()
    if notice is None:
        raise NotFound("督办文书不存在或无权查看。")
    return notice


def open_watches(ticket: Ticket) -> list[Watch]:
    return list(Watch.objects.filter(ticket=ticket, lifted_at__isnull=True).order_by("added_at"))


def may_supervise(roles: frozenset[Role]) -> bool:
    return not roles.isdisjoint(SUPERVISORS)


def issuable_levels(roles: frozenset[Role]) -> list[tuple[int, str]]:
    """The levels this user may issue by hand: the 催办 for supervisors, and each active rung naming a role
    the user holds."""
    levels = [(REMINDER_LEVEL, REMINDER_TITLE)] if may_supervise(roles) else []
    for rung in LadderLevel.objects.filter(is_active=True).order_by("level"):
        if not roles.isdisjoint(rung.issuer_roles):
            levels.append((rung.level, rung.name))
    return levels


# ---- the centre's lists -----------------------------------------------------------------------------------------


def _in_subtree(field: str, unit: Unit | None) -> Q:
    return Q(**{f"{field}__path__startswith": unit.path}) if unit else Q()


def clocks_by_light(light: Light, *, unit: Unit | None = None, by_unit: bool = False) -> QuerySet[StageClock]:
    """Running clocks of one light (red: overdue, yellow: due soon), the most pressing first, or by unit."""
    order: list[Any] = [F("unit__path").asc(nulls_first=True)] if by_unit else []
    return (
        StageClock.objects.filter(_in_subtree("unit", unit), running=True, light=light)
        .select_related("ticket", "unit")
        .order_by(*order, "due_at", "pk")
    )


def overdue_workdays(calendar: WorkdayCalendar, due_at: datetime, now: datetime) -> int:
    """Working days after the due day up to today (today counts), as the ladder counts them."""
    return max(0, calendar.workdays_between(due_at.astimezone(SHANGHAI).date(), now.astimezone(SHANGHAI).date()))


@dataclass(frozen=True)
class LedgerFilter:
    unit: Unit | None = None
    level: int | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    explained: bool | None = None  # None: any; False: awaiting an explanation (those asked for one)


def notice_ledger(filters: LedgerFilter) -> QuerySet[Notice]:
    """Every notice matching the filters, newest first: the 督办台账."""
    notices = Notice.objects.filter(_in_subtree("unit", filters.unit)).select_related("unit", "ticket")
    if filters.level is not None:
        notices = notices.filter(level=filters.level)
    if filters.issued_from:
        notices = notices.filter(issued_at__gte=datetime.combine(filters.issued_from, time.min, SHANGHAI))
    if filters.issued_to:
        notices = notices.filter(issued_at__lte=datetime.combine(filters.issued_to, time.max, SHANGHAI))
    if filters.explained is True:
        notices = notices.filter(explained_at__isnull=False)
    elif filters.explained is False:
        notices = notices.filter(explained_at__isnull=True, explanation_due_at__isnull=False)
    return notices.order_by("-issued_at", "-pk")


def watch_list(kind: WatchKind, *, include_lifted: bool = False) -> QuerySet[Watch]:
    watches = Watch.objects.filter(kind=kind).select_related("ticket__handling_unit")
    if not include_lifted:
        watches = watches.filter(lifted_at__isnull=True)
    return watches.order_by("-added_at", "-pk")


def public_listed() -> QuerySet[Watch]:
    """The active 挂牌督办 cases as the public sees them: only the fields shown, never the citizen's."""
    return (
        Watch.objects.filter(kind=WatchKind.LISTED, lifted_at__isnull=True)
        .order_by("-added_at", "-pk")
        .values("pk", "ticket__number", "ticket__subject", "ticket__handling_unit__name", "added_at", "reason")
    )


def cards_for(period: str) -> QuerySet[UnitCard]:
    return (
        UnitCard.objects.filter(period=period)
        .select_related("unit")
        .order_by("-card", "-overdue_tickets", "unit__path")
    )


# ---- a unit's notices -------------------------------------------------------------------------------------------

AWAITING = Q(explained_at__isnull=True, explanation_due_at__isnull=False)


def unit_notices(actor: Actor) -> QuerySet[Notice]:
    """The notices sent to the actor's unit and below: those awaiting an explanation first, soonest due first,
    then the rest, newest first."""
    awaiting_first = Case(When(AWAITING, then=Value(0)), default=Value(1), output_field=IntegerField())
    return visible_notices(actor).order_by(awaiting_first, "explanation_due_at", "-issued_at", "-pk")


def awaiting_explanation(actor: Actor) -> int:
    if sees_everything(actor) or getattr(actor, "unit", None) is None:
        return 0
    return visible_notices(actor).filter(AWAITING).count()
