"""`rexian generate --tickets N`: months of a busy centre's history, written straight into the tables.

Each ticket lives its life by the rules the actions apply — the transition table, the time-limit policies, the
working-day calendar and the stage clocks (supervision/clocks.py) — and its rows are written with bulk INSERTs
(COPY on PostgreSQL): a million tickets through tickets/actions.py would take hours. Ticket fields, events (payload
keys, `unit`, `late`, the `due_at` an action adds) and the open tickets' stage clocks are what the actions would have
written; tests/demo/test_generate.py replays a sample through the real actions and compares.

Not generated: notifications, supervision notices and cards (the first `rexian sweep` issues them for the overdue
clocks, which are written unswept), co-units, attachments, notes, amendments and urgent marks made after intake.
"""

from __future__ import annotations

import json
import math
import random
import time
from calendar import monthrange
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from enum import StrEnum
from itertools import accumulate
from operator import itemgetter
from typing import Any, Literal

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Model

from rexian.core import clock
from rexian.core.clock import SHANGHAI
from rexian.demo import cityspec, texts
from rexian.demo.load import load_directory
from rexian.directory.models import CatalogueEntry, RoleGrant, Unit, UnitKind
from rexian.directory.roles import Role
from rexian.supervision.actions import MIRRORED, set_deadline
from rexian.supervision.clocks import COMPLETES, RESTARTS, UNIT_STAGES, due_moment, running_stages
from rexian.supervision.models import StageClock
from rexian.taxonomy.models import Category
from rexian.taxonomy.policy import Limit, LimitUnit, Stage
from rexian.taxonomy.selectors import limit_for
from rexian.tickets.access import CitizenActor
from rexian.tickets.actions import QUERY_CODE_ALPHABET
from rexian.tickets.models import DailySequence, Ticket, TicketEvent
from rexian.tickets.workflow import FINISHED_STATES, TRANSITIONS, Action, State
from rexian.workdays.calendar import WorkdayCalendar
from rexian.workdays.selectors import current_calendar

CHUNK = 2000  # tickets per transaction: bounded memory, and other writers wait at most one chunk
APPEAL_POOL = 6  # composed appeals per category and street (see Texts)

# ---- the shape of the year ------------------------------------------------------------------------------

# Appeals by hour of the day (Asia/Shanghai): morning and afternoon peaks, a quiet night.
HOURLY = (0.3, 0.2, 0.15, 0.15, 0.2, 0.4, 0.9, 2.0, 4.5, 7.0, 8.0, 7.2, 4.5, 5.0, 7.0, 7.0, 6.2, 5.0, 3.6, 3.2, 3.0,
          2.5, 1.6, 0.8)  # fmt: skip
HOURLY_CUMULATIVE = list(accumulate(HOURLY))
WEEKDAY = (1.08, 1.0, 1.0, 1.0, 0.95, 0.62, 0.55)  # Monday first
HOLIDAY = 0.5  # a public holiday on a weekday
MAKEUP_DAY = 0.9  # a weekend working day (调休)
TREND = 0.3  # the volume grows by this share over the period
SEASON = 0.12  # the summer peak (water, power, heat, noise)
SPIKE_DAYS = ((1, 2, 3), (3, 2, 1))  # a spike's length in days, with weights
SPIKE_FACTOR = (0.8, 2.0)  # extra volume on a spike's first day, as a share of the day's volume
SPIKE_DECAY = (1.0, 0.6, 0.3)
# Held tickets: the backlog every centre has. In the last HOLD_DAYS (or the last HOLD_MIN tickets, whichever is
# more), every k-th ticket stops in an open state (at most HOLD_MAX of them), by its age in the window: the oldest
# at the later stages, which they have had time to reach.
HOLD_DAYS, HOLD_MIN, HOLD_MAX = 25, 48, 400


class Hold(StrEnum):
    """Where a held ticket stops: an open state, or in progress with an extension request awaiting review."""

    REGISTERED = State.REGISTERED.value
    DISPATCHED = State.DISPATCHED.value
    RETURN_REQUESTED = State.RETURN_REQUESTED.value
    IN_PROGRESS = State.IN_PROGRESS.value
    EXTENSION_REQUESTED = "extension_requested"
    REPLIED = State.REPLIED.value
    CALLBACK_PENDING = State.CALLBACK_PENDING.value


HELD_BY_AGE = (
    (0.2, (Hold.REGISTERED, Hold.DISPATCHED)),
    (0.4, (Hold.RETURN_REQUESTED,)),
    (0.6, (Hold.IN_PROGRESS, Hold.EXTENSION_REQUESTED)),
    (1.0, (Hold.REPLIED, Hold.CALLBACK_PENDING)),
)

# ---- who calls, about what ------------------------------------------------------------------------------

CHANNELS = ("phone", "wechat", "web", "app", "sms", "email", "letter")
CHANNEL_CUMULATIVE = list(accumulate((62, 14, 10, 7, 3, 2, 2)))
PORTAL_CHANNELS = frozenset({"web", "app"})
PORTAL_SHARE = 0.6  # of web and app appeals, filed by the citizen on the portal
ANONYMOUS = 0.04
CONFIDENTIAL_REPORTS = 0.4
URGENT = 0.04
REPEAT_CALLERS = 0.08  # appeals from a caller who has called before
# Level-1 areas that carry most of a city's appeals (matched by name; other trees get even areas).
AREA_WEIGHTS = {"城市管理": 3.0, "住房保障与物业": 2.5, "城乡建设": 2.0, "劳动和社会保障": 2.0, "公用事业": 2.0,
                "环境保护": 1.5, "交通运输": 1.5}  # fmt: skip
ZIPF_OFFSET = 3  # a leaf's weight within its area: 1 / (rank + ZIPF_OFFSET)

# ---- what happens to an appeal ---------------------------------------------------------------------------

REJECTED = 0.04
MERGED, MERGED_IN_SPIKE = 0.02, 0.5
SPIKE_ANSWERED = 0.3  # a spike's callers are mostly dispatched or merged: the problem needs a unit
MERGE_WINDOW = timedelta(days=7)
MERGE_DELAY = timedelta(days=1)  # the longest a duplicate waits for the dispatcher to merge it
# Answered at once (即办), by appeal type.
ANSWERED = {"consult": 0.85, "help": 0.5, "praise": 0.9, "suggestion": 0.45, "other": 0.6, "complaint": 0.35,
            "report": 0.2}  # fmt: skip
RETURNED_TO_INTAKE = 0.015
MISDISPATCHED = 0.01  # sent to a wrong unit and recalled before it signs
RETURNS = 0.06  # of dispatches: the unit asks to return the ticket
RETURN_APPROVED = 0.75
SUB_DISPATCHED = 0.35  # of tickets a district holds: passed down to the street
EXTENSION, SECOND_EXTENSION, EXTENSION_APPROVED = 0.07, 0.15, 0.8
EXTENSION_DAYS = (3, 5, 7, 10, 15)
SENT_BACK = 0.04
UNREACHED = 0.12  # per callback attempt, at most two unreached attempts
SLOW_UNITS, FAST_UNITS = 0.15, 0.2


@dataclass(frozen=True)
class Pace:
    """How a unit works: its sign delay (lognormal median in hours, and the chance of a stall of days), the share
    of the handling limit at which it replies (offset + scale × Beta(a, b)), and its callbacks' satisfaction
    (satisfied, basically satisfied, unsatisfied)."""

    sign_median: float
    sign_stall: float
    reply_offset: float
    reply_scale: float
    reply_a: float
    reply_b: float
    satisfaction: tuple[int, int, int]


PACES = {
    "fast": Pace(sign_median=1.0, sign_stall=0.0, reply_offset=0.08, reply_scale=0.92, reply_a=2.0, reply_b=3.0,
                 satisfaction=(84, 12, 4)),
    "normal": Pace(sign_median=2.5, sign_stall=0.03, reply_offset=0.12, reply_scale=0.98, reply_a=2.0, reply_b=2.6,
                   satisfaction=(77, 15, 8)),
    "slow": Pace(sign_median=9.0, sign_stall=0.3, reply_offset=0.3, reply_scale=1.1, reply_a=2.5, reply_b=2.2,
                 satisfaction=(60, 22, 18)),
}  # fmt: skip

OFFICE = (clock_time(8, 30), clock_time(18, 0))  # units work on working days
CENTRE = (clock_time(8, 0), clock_time(21, 0))  # the centre's dispatchers, reviewers and callback agents, daily
MIN_GAP = timedelta(seconds=30)
EVENT_COLUMNS = ("ticket_id", "seq", "action", "from_state", "to_state", "actor_id", "actor_name", "actor_unit_id",
                 "payload", "version", "created_at", "unit_id", "late")  # fmt: skip
PAYLOAD, CREATED_AT = EVENT_COLUMNS.index("payload"), EVENT_COLUMNS.index("created_at")

# The words the centre and the units write, as in the demo (load.py).
DISPATCH_NOTE = "请按时限办理并答复诉求人"
REJECT_REASON = "不属于12345热线受理范围"
MERGE_NOTE = "同一诉求重复来电，并单处理"
INTAKE_RETURN_REASON = "地址不详，请补充具体小区及楼栋"
RECALL_REASON = "派单单位有误，撤回重派"
RETURN_REASON = "经核实不属于本单位职责范围，请重新派单"
RETURN_APPROVED_NOTE = "同意退单，重新派单"
RETURN_REJECTED_REASON = "经核实属于该单位职责，请按时限办理"
SUB_DISPATCH_NOTE = "请属地街道核实处理"
EXTENSION_REASON = "需协调多个部门现场核查，申请延期"
EXTENSION_APPROVED_NOTE = "同意延期"
EXTENSION_REJECTED_REASON = "理由不充分，请按期办结"
REVIEW_NOTE = "答复规范，同意"
SENT_BACK_REASON = "答复未回应诉求人核心诉求，请补充办理"
UNREACHED_COMMENT = "电话无人接听，稍后再访"
ARCHIVE_NOTE = "月度归档"
CALLBACK_COMMENTS = {
    ("satisfied", True): "诉求人对办理结果表示认可",
    ("satisfied", False): "诉求人表示理解",
    ("basically_satisfied", True): "诉求人表示基本满意",
    ("basically_satisfied", False): "诉求人表示理解，希望后续继续关注",
    ("unsatisfied", False): "诉求人表示问题仍未解决",
}


class Paused(Exception):
    """The ticket's history has reached the end of the period, or the state it is held in."""


# ---- the directory ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """Who acts: a user of the database, or (without one) a name, as an action records them."""

    id: int | None
    name: str
    unit_id: int | None


@dataclass(frozen=True)
class Place:
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None

    @property
    def ref(self) -> dict[str, Any]:
        return {"id": self.id, "code": self.code, "name": self.name}


@dataclass(frozen=True)
class Leaf:
    id: int
    code: str
    name: str
    area: str  # the level-1 category's name


@dataclass
class Directory:
    """The units, leaf categories, dispatch catalogue and staff of the database, read once."""

    units: dict[int, Place]
    districts: list[Place]
    streets: dict[int, list[Place]]  # by district
    communities: dict[int, list[str]]  # names, by street
    departments: list[Place]
    leaves: list[Leaf]
    catalogue: dict[tuple[int, int | None], int]  # (category, district or None) → unit
    staff: dict[Role, list[Person]]
    handlers: dict[int, Person]  # by unit

    @classmethod
    def read(cls) -> Directory:
        units = {
            row[0]: Place(*row)
            for row in Unit.objects.filter(is_active=True)
            .order_by("path")
            .values_list("pk", "code", "name", "kind", "parent_id")
        }
        children: dict[int | None, list[Place]] = {}
        for unit in units.values():
            children.setdefault(unit.parent_id, []).append(unit)
        districts = [u for u in units.values() if u.kind == UnitKind.DISTRICT]
        streets = {d.id: [u for u in children.get(d.id, []) if u.kind == UnitKind.STREET] for d in districts}
        communities = {
            s.id: [u.name for u in children.get(s.id, []) if u.kind == UnitKind.COMMUNITY]
            for ss in streets.values()
            for s in ss
        }
        handling = (UnitKind.DEPARTMENT, UnitKind.ENTERPRISE)
        departments = [u for u in units.values() if u.kind in handling and children.get(u.id) is None]
        return cls(
            units=units,
            districts=districts,
            streets=streets,
            communities=communities,
            departments=departments or [u for u in units.values() if u.kind != UnitKind.CENTRE],
            leaves=_leaves(),
            catalogue={
                (c, d): u for c, d, u in CatalogueEntry.objects.values_list("category_id", "district_id", "unit_id")
            },
            staff=_staff(units),
            handlers=_handlers(units),
        )

    def person(self, role: Role, rng: random.Random) -> Person:
        people = self.staff[role]
        return people[0] if len(people) == 1 else rng.choice(people)

    def handler(self, unit_id: int) -> Person:
        return self.handlers.get(unit_id) or Person(None, f"{self.units[unit_id].name}承办人", unit_id)

    def unit_for(self, leaf: Leaf, district: Place | None) -> Place:
        """The catalogue's unit: the district's own row first (属地管理优先), then the category's."""
        unit_id = self.catalogue.get((leaf.id, district.id if district else None)) or self.catalogue.get(
            (leaf.id, None)
        )
        if unit_id in self.units:
            return self.units[unit_id]
        return district or self.departments[0]

    def other_unit(self, leaf: Leaf, district: Place | None, wrong: Place, rng: random.Random) -> Place:
        """Where a returned ticket goes instead: the category's department, or the district, or any other."""
        for candidate in (self.catalogue.get((leaf.id, None)), district.id if district else None):
            if candidate in self.units and candidate != wrong.id:
                return self.units[candidate]
        return rng.choice([u for u in self.departments if u.id != wrong.id] or self.departments)


def _leaves() -> list[Leaf]:
    rows = list(Category.objects.filter(is_active=True).order_by("code").values_list("pk", "code", "name", "parent_id"))
    by_id = {row[0]: row for row in rows}
    parents = {row[3] for row in rows}

    def area(row: tuple[int, str, str, int | None]) -> str:
        while row[3] in by_id:
            row = by_id[row[3]]
        return row[2]

    return [Leaf(pk, code, name, area(by_id[pk])) for pk, code, name, _ in rows if pk not in parents]


def _people(roles: list[Role]) -> list[tuple[Role, int, str, str, str, int | None]]:
    return list(
        RoleGrant.objects.filter(role__in=roles, user__is_active=True)
        .order_by("user__username")
        .values_list("role", "user_id", "user__username", "user__last_name", "user__first_name", "user__unit_id")
    )


def _staff(units: dict[int, Place]) -> dict[Role, list[Person]]:
    """The centre's people by role; a role nobody holds acts under its name (the actions' `actor_name`)."""
    roles = [Role.INTAKE, Role.DISPATCHER, Role.REVIEWER, Role.CALLBACK, Role.SHIFT_LEAD]
    staff: dict[Role, list[Person]] = {role: [] for role in roles}
    for role, pk, username, last, first, unit_id in _people(roles):
        staff[Role(role)].append(Person(pk, f"{last}{first}".strip() or username, unit_id))
    centre = next((u.id for u in units.values() if u.kind == UnitKind.CENTRE), None)
    for role in roles:
        staff[role] = staff[role] or [Person(None, role.label, centre)]
    return staff


def _handlers(units: dict[int, Place]) -> dict[int, Person]:
    handlers: dict[int, Person] = {}
    for _, pk, username, last, first, unit_id in _people([Role.UNIT_HANDLER]):
        if unit_id in units:
            handlers.setdefault(unit_id, Person(pk, f"{last}{first}".strip() or username, unit_id))
    return handlers


class Texts:
    """The demo's text banks for the demo's categories, plain sentences for a centre's own tree. Composing an appeal
    costs as much as the rest of its ticket's life: beyond APPEAL_POOL appeals per category and street, one of those
    is told again."""

    def __init__(self) -> None:
        self.known = {c.code: c.name for c in cityspec.CATEGORIES}
        self.pool: dict[tuple[int, str], list[texts.Appeal]] = {}

    def composes(self, leaf: Leaf) -> bool:
        return self.known.get(leaf.code) == leaf.name

    def appeal(
        self, rng: random.Random, leaf: Leaf, district: str, street: str, communities: list[str]
    ) -> texts.Appeal:
        pool = self.pool.setdefault((leaf.id, street or district), [])
        if len(pool) >= APPEAL_POOL:
            return rng.choice(pool)
        community = rng.choice(communities) if communities else ""
        if self.composes(leaf):
            pool.append(texts.compose_appeal(rng, leaf.code, district, street, community))
        else:
            pool.append(self._plain(rng, leaf, f"{district}{street}{community}" or "本市"))
        return pool[-1]

    def _plain(self, rng: random.Random, leaf: Leaf, place: str) -> texts.Appeal:
        return texts.Appeal(
            subject=f"反映{leaf.name}问题"[:100],
            description=f"来电人反映：{place}存在{leaf.name}问题，希望相关部门尽快核实处理。",
            appeal_type=rng.choice(("complaint", "complaint", "consult", "help", "report", "suggestion")),
            address=place,
        )

    def reply(self, rng: random.Random, leaf: Leaf) -> str:
        if self.composes(leaf):
            return texts.compose_reply(rng, leaf.code)
        return f"我单位收到工单后立即组织核查，已就{leaf.name}问题进行处理，并电话告知来电人处理结果。"

    def answer(self, rng: random.Random, leaf: Leaf) -> str:
        if self.composes(leaf):
            return texts.compose_direct_answer(rng, leaf.code)
        return f"已告知来电人：{leaf.name}相关问题可向主管部门咨询办理，并告知了办理渠道和所需材料。"


# ---- time: limits, deadlines, working hours --------------------------------------------------------------


class Clockwork:
    """Limits, deadlines and working hours, memoised: computed afresh for every event they would dominate."""

    def __init__(self, calendar: WorkdayCalendar) -> None:
        self.calendar = calendar
        self._limits: dict[tuple[Stage, str, int | None, str], Limit] = {}
        self._deadlines: dict[tuple[date, int], datetime] = {}
        self._workdays: dict[date, bool] = {}

    def limit(self, stage: Stage, appeal_type: str, category_id: int | None, urgency: str) -> Limit:
        key = (stage, appeal_type, category_id, urgency)
        if key not in self._limits:
            self._limits[key] = limit_for(stage, appeal_type=appeal_type, category_id=category_id, urgency=urgency)
        return self._limits[key]

    def due(self, start: datetime, limit: Limit, extra_workdays: int = 0) -> datetime:
        """As `due_moment`: a working-day deadline depends only on the local day and the number of days."""
        if limit.unit is not LimitUnit.WORKDAYS:
            return due_moment(self.calendar, start, limit, extra_workdays)
        key = (start.astimezone(SHANGHAI).date(), limit.amount + extra_workdays)
        if key not in self._deadlines:
            self._deadlines[key] = self.calendar.deadline(start, key[1])
        return self._deadlines[key]

    def is_workday(self, day: date) -> bool:
        if day not in self._workdays:
            self._workdays[day] = self.calendar.is_workday(day)
        return self._workdays[day]

    def office(self, moment: datetime, rng: random.Random) -> datetime:
        """The moment, or the next opening of a unit's office (working days, 8:30–18:00)."""
        day, hour = moment.date(), moment.time()
        if self.is_workday(day) and OFFICE[0] <= hour < OFFICE[1]:
            return moment
        if not (self.is_workday(day) and hour < OFFICE[0]):
            day += timedelta(days=1)
            while not self.is_workday(day):
                day += timedelta(days=1)
        return datetime.combine(day, OFFICE[0], SHANGHAI) + timedelta(minutes=rng.uniform(0, 90))

    def centre(self, moment: datetime, rng: random.Random) -> datetime:
        """The moment, or the next opening of the centre's back office (every day, 8:00–21:00)."""
        hour = moment.time()
        if CENTRE[0] <= hour < CENTRE[1]:
            return moment
        day = moment.date() if hour < CENTRE[0] else moment.date() + timedelta(days=1)
        return datetime.combine(day, CENTRE[0], SHANGHAI) + timedelta(minutes=rng.uniform(0, 60))

    def archive_day(self, closed: datetime) -> date:
        """Closed tickets are archived each month: from the third of the next month, on a working day."""
        year, month = divmod(closed.year * 12 + closed.month, 12)
        day = date(year, month + 1, 3)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day


# ---- one ticket's life ------------------------------------------------------------------------------------


@dataclass
class Clock:
    """A stage clock as supervision/actions.py keeps it."""

    stage: Stage
    started_at: datetime
    limit: Limit
    due_at: datetime
    cycle: int
    extra_workdays: int = 0
    running: bool = True
    stopped_at: datetime | None = None
    unit_id: int | None = None


class Life:
    """One ticket's history as the actions would write it: fields, stage clocks and events."""

    def __init__(self, world: World, fields: dict[str, Any], leaf: Leaf, creator: Person, hold: Hold | None) -> None:
        self.world, self.rng = world, world.rng
        self.t = fields
        self.leaf = leaf
        self.id: int = fields["id"]
        self.state = State.REGISTERED
        self.version = 1
        self.moment: datetime = fields["created_at"]
        self.hold = hold
        self.urgent = fields["urgency"] == "urgent"
        self.clocks: dict[Stage, Clock] = {}
        self._sync(Action.CREATE, self.moment)
        payload = {"channel": fields["channel"]}
        self.events = [self._event(Action.CREATE, "", creator, payload, None, None)]

    # -- when

    def when(self, hours: float, place: str = "any") -> datetime:
        """A moment `hours` after the last step, moved into the actor's working hours."""
        moment = self.moment + timedelta(hours=hours)
        if place == "office" and not self.urgent:  # an urgent appeal is handled at once, day or night
            return self.world.clockwork.office(moment, self.rng)
        if place == "centre":
            return self.world.clockwork.centre(moment, self.rng)
        return moment

    def at(self, moment: datetime) -> None:
        """The next step happens at `moment`, unless the period has ended or the ticket is held where it is."""
        if self.held():
            raise Paused
        moment = self.not_before(moment)
        if moment >= self.world.end:
            raise Paused
        self.moment = moment

    def held(self) -> bool:
        if self.hold is Hold.EXTENSION_REQUESTED:
            return self.t["extension_request"] is not None
        return self.hold == self.state

    def not_before(self, moment: datetime) -> datetime:
        """Events follow each other: none at the same moment as the last."""
        return max(moment, self.moment + MIN_GAP)

    def after(self, hours: float, place: str = "any") -> None:
        self.at(self.when(hours, place))

    # -- what

    def apply(self, action: Action, target: State, actor: Person, payload: dict[str, Any], **changes: Any) -> None:
        """As tickets/actions.py `_apply`: change, move, sync the clocks, record (with `unit` and `late`)."""
        if target not in TRANSITIONS[(self.state, action)].targets:
            raise AssertionError(f"{self.state} --{action}--> {target} is not in the transition table")
        lead_before = self.t["lead_unit_id"]
        self.t.update(changes)
        from_state, self.state = self.state, target
        due_before = self.t["due_at"]
        stopped = self._sync(action, self.moment)
        if self.t["due_at"] != due_before:
            payload["due_at"] = self.t["due_at"].isoformat() if self.t["due_at"] else None
        self.version += 1
        unit_id = self.t["lead_unit_id"] if action is Action.DISPATCH else lead_before
        late = stopped.get(COMPLETES[action]) if action in COMPLETES else None
        self.events.append(self._event(action, from_state, actor, payload, unit_id, late))

    def _event(
        self,
        action: Action,
        from_state: str,
        actor: Person,
        payload: dict[str, Any],
        unit: int | None,
        late: bool | None,
    ) -> tuple[Any, ...]:
        """A row of TicketEvent, in the order of EVENT_COLUMNS (seq == version, as `_record` writes it)."""
        return (self.id, self.version, action.value, from_state, self.state.value, actor.id, actor.name,
                actor.unit_id, payload, self.version, self.moment, unit, late)  # fmt: skip

    def _sync(self, action: Action, now: datetime) -> dict[Stage, bool]:
        """As supervision/actions.py `sync_clocks`: stop, start, restart or resume; mirror the deadlines."""
        desired = self.world.running[self.state]
        restart = RESTARTS.get(action, frozenset())
        stopped: dict[Stage, bool] = {}
        for stage, kept in self.clocks.items():
            if kept.running and stage not in desired:
                kept.running, kept.stopped_at = False, now
                stopped[stage] = now > kept.due_at
        for stage in desired:
            kept = self.clocks.get(stage)
            if kept is None or stage in restart:
                kept = self.clocks[stage] = self._start(stage, now, kept)
            elif not kept.running:
                kept.running, kept.stopped_at = True, None
            kept.unit_id = self.t["handling_unit_id"] if stage in UNIT_STAGES else None
        for stage, name in MIRRORED.items():
            if stage in self.clocks and self.clocks[stage].running:
                self.t[name] = self.clocks[stage].due_at
        return stopped

    def _start(self, stage: Stage, now: datetime, old: Clock | None) -> Clock:
        limit = self.limit(stage)
        return Clock(stage, now, limit, self.world.clockwork.due(now, limit), old.cycle + 1 if old else 1)

    def limit(self, stage: Stage) -> Limit:
        t = self.t
        return self.world.clockwork.limit(stage, t["appeal_type"], t["category_id"], t["urgency"])

    def extend(self, days: int) -> datetime:
        """As `extend_handling`: the handling clock's deadline moves by working days."""
        handling = self.clocks[Stage.HANDLING]
        handling.extra_workdays += days
        handling.due_at = self.world.clockwork.due(handling.started_at, handling.limit, handling.extra_workdays)
        return handling.due_at

    @property
    def updated_at(self) -> datetime:
        """The moment of the last event (the ticket may have waited since, for a step that did not come)."""
        return self.events[-1][CREATED_AT]

    # -- who

    @property
    def handling(self) -> Place:
        return self.world.directory.units[self.t["handling_unit_id"]]

    @property
    def handler(self) -> Person:
        return self.world.directory.handler(self.t["handling_unit_id"])

    def staff(self, role: Role) -> Person:
        return self.world.directory.person(role, self.rng)

    @property
    def pace(self) -> Pace:
        return self.world.paces[self.t["handling_unit_id"]]


# ---- the story of an appeal ----------------------------------------------------------------------------------


def tell(life: Life, outcome: Outcome, district: Place | None) -> None:
    """Live the ticket's life until it is archived, the period ends, or it reaches the state it is held in."""
    try:
        if outcome.kind == "answer":
            _answer(life)
        elif outcome.kind == "reject":
            _reject(life, outcome.redirect)
        elif outcome.target is not None:  # a duplicate
            _merge(life, outcome.target)
        else:
            _handle(life, district)
        _archive(life)
    except Paused:
        pass


def _answer(life: Life) -> None:
    life.after(life.rng.uniform(0.03, 0.25))  # while the caller is on the line
    text = life.world.texts.answer(life.rng, life.leaf)
    payload = {"answer": text, "knowledge_entry": f"KB-{life.leaf.code}"}
    life.apply(Action.ANSWER_DIRECTLY, State.ANSWERED, life.staff(Role.INTAKE), payload,
               result_text=text, closed_at=life.moment)  # fmt: skip


def _reject(life: Life, redirect: str) -> None:
    life.after(life.rng.uniform(0.05, 0.2))
    payload = {"reason": REJECT_REASON, "redirect_to": redirect}
    life.apply(Action.REJECT_OUT_OF_SCOPE, State.REJECTED, life.staff(Role.INTAKE), payload,
               result_text=f"不予受理：{REJECT_REASON}。建议：{redirect}", closed_at=life.moment)  # fmt: skip


def _merge(life: Life, target: tuple[int, str]) -> None:
    life.after(life.rng.uniform(0.2, 3), "centre")
    payload = {"target_id": target[0], "target_number": target[1], "note": MERGE_NOTE}
    life.apply(Action.MERGE_INTO, State.MERGED, life.staff(Role.DISPATCHER), payload,
               merged_into_id=target[0], closed_at=life.moment)  # fmt: skip


def _handle(life: Life, district: Place | None) -> None:
    rng, directory, leaf = life.rng, life.world.directory, life.leaf
    unit = directory.unit_for(leaf, district)
    if rng.random() < RETURNED_TO_INTAKE:
        life.after(rng.uniform(0.3, 3), "centre")
        life.apply(Action.RETURN_TO_INTAKE, State.REGISTERED, life.staff(Role.DISPATCHER),
                   {"reason": INTAKE_RETURN_REASON}, needs_information=True)  # fmt: skip
        life.after(rng.uniform(2, 24))
    if rng.random() < MISDISPATCHED:
        _dispatch(life, directory.other_unit(leaf, district, unit, rng))
        life.after(rng.uniform(0.3, 4), "centre")
        recalled = life.handling.ref
        life.apply(Action.RECALL_DISPATCH, State.REGISTERED, life.staff(Role.DISPATCHER),
                   {"reason": RECALL_REASON, "unit": recalled}, lead_unit_id=None, handling_unit_id=None,
                   dispatched_at=None, return_deadline=None, due_at=None)  # fmt: skip
    _dispatch(life, unit)
    if not _maybe_return(life, district):
        _sign(life)
    _maybe_sub_dispatch(life)
    _extensions(life)
    _reply(life)
    _review(life, may_send_back=True)
    _callbacks(life)


def _dispatch(life: Life, unit: Place) -> None:
    delay = life.rng.lognormvariate(math.log(0.3 if life.urgent else 1.0), 0.8)
    if life.rng.random() < 0.05:  # a busy shift: the dispatch waits a day or more
        delay += life.rng.uniform(20, 40)
    life.after(delay, "centre")
    payload = {"lead_unit": unit.ref, "co_units": [], "note": DISPATCH_NOTE}
    life.apply(Action.DISPATCH, State.DISPATCHED, life.staff(Role.DISPATCHER), payload, **_handed_to(life, unit),
               lead_unit_id=unit.id, needs_information=False)  # fmt: skip


def _handed_to(life: Life, unit: Place) -> dict[str, Any]:
    """As `_hand_to`: the unit must sign, and may return the ticket within the return window."""
    window = life.world.clockwork.due(life.moment, life.limit(Stage.RETURN_WINDOW))
    return {"handling_unit_id": unit.id, "dispatched_at": life.moment, "signed_at": None, "return_deadline": window}


def _sign(life: Life) -> None:
    rng, pace = life.rng, life.pace
    if life.urgent:
        delay = rng.uniform(0.2, 1.5 if pace.sign_stall < 0.1 else 3)
    else:
        delay = rng.lognormvariate(math.log(pace.sign_median), 0.9)
        if rng.random() < pace.sign_stall:
            delay += rng.uniform(24, 96)
    life.after(delay, "office")
    life.apply(Action.SIGN, State.IN_PROGRESS, life.handler, {"note": "", "unit": life.handling.ref},
               signed_at=life.moment)  # fmt: skip


def _maybe_return(life: Life, district: Place | None) -> bool:
    """The unit asks to return the ticket within the return window; the centre refuses, or approves and
    dispatches it again to another unit. Returns whether the ticket is now in progress (signed)."""
    rng = life.rng
    if life.hold is not Hold.RETURN_REQUESTED and (life.urgent or rng.random() >= RETURNS):
        return False
    signed = rng.random() < 0.3
    if signed:
        _sign(life)
    window = life.t["return_deadline"]
    moment = life.not_before(min(life.when(rng.uniform(1, 20), "office"), window))
    if moment > window:  # signed too late to return it
        return signed
    life.at(moment)
    first = life.handling
    payload = {"reason": RETURN_REASON, "unit": first.ref, "from_state": life.state.value}
    life.apply(Action.REQUEST_RETURN, State.RETURN_REQUESTED, life.handler, payload)
    life.after(rng.lognormvariate(math.log(3), 0.8), "centre")
    reviewer = life.staff(Role.REVIEWER)
    if rng.random() >= RETURN_APPROVED:
        life.apply(Action.REJECT_RETURN, State.IN_PROGRESS, reviewer, {"reason": RETURN_REJECTED_REASON},
                   signed_at=life.t["signed_at"] or life.moment)  # fmt: skip
        return True
    payload = {"note": RETURN_APPROVED_NOTE, "returned_by": first.ref}
    cleared = dict.fromkeys(("lead_unit_id", "handling_unit_id", "dispatched_at", "signed_at", "return_deadline",
                             "due_at", "extension_request"))  # fmt: skip
    life.apply(Action.APPROVE_RETURN, State.REGISTERED, reviewer, payload, **cleared)
    _dispatch(life, life.world.directory.other_unit(life.leaf, district, first, rng))
    return False


def _maybe_sub_dispatch(life: Life) -> None:
    """A district passes the ticket down to the street where it happens; the street signs."""
    street_id = life.t["street_id"]
    street = life.world.directory.units.get(street_id) if street_id else None
    if street is None or street.parent_id != life.t["handling_unit_id"] or life.urgent:
        return
    if life.rng.random() >= SUB_DISPATCHED:
        return
    life.after(life.rng.uniform(0.5, 6), "office")
    district = life.handling
    payload = {"from_unit": district.ref, "unit": street.ref, "note": SUB_DISPATCH_NOTE}
    life.apply(Action.SUB_DISPATCH, State.DISPATCHED, life.handler, payload, **_handed_to(life, street))
    _sign(life)


def _extensions(life: Life) -> None:
    """Up to the allowed number of extension requests, each before the deadline; most are granted."""
    rng = life.rng
    held = life.hold is Hold.EXTENSION_REQUESTED
    chance, share = (1.0, (0.05, 0.3)) if held else (EXTENSION, (0.45, 0.85))  # a held one asked early on
    for _ in range(settings.REXIAN["MAX_EXTENSION_REQUESTS"]):
        if life.urgent or rng.random() >= chance:
            return
        handling = life.clocks[Stage.HANDLING]
        start, due = handling.started_at, handling.due_at
        moment = life.not_before(life.world.clockwork.office(start + (due - start) * rng.uniform(*share), rng))
        if moment > due:  # too late to ask
            return
        life.at(moment)
        days = rng.choice([d for d in EXTENSION_DAYS if d <= settings.REXIAN["MAX_EXTENSION_DAYS"]])
        request = {"days": days, "reason": EXTENSION_REASON, "requested_at": moment.astimezone(UTC).isoformat(),
                   "unit": life.handling.ref}  # fmt: skip
        payload = {"days": days, "reason": EXTENSION_REASON}
        life.apply(Action.REQUEST_EXTENSION, State.IN_PROGRESS, life.handler, payload, extension_request=request)
        life.after(rng.lognormvariate(math.log(6), 0.8), "centre")
        reviewer = life.staff(Role.REVIEWER)
        if rng.random() < EXTENSION_APPROVED:
            due = life.extend(days)
            payload = {"days": days, "note": EXTENSION_APPROVED_NOTE, "due_at": due.isoformat()}
            life.apply(Action.APPROVE_EXTENSION, State.IN_PROGRESS, reviewer, payload, due_at=due,
                       extensions_granted=life.t["extensions_granted"] + 1, extension_request=None)  # fmt: skip
        else:
            payload = {"days": days, "reason": EXTENSION_REJECTED_REASON}
            life.apply(Action.REJECT_EXTENSION, State.IN_PROGRESS, reviewer, payload, extension_request=None)
        chance = SECOND_EXTENSION


def _reply(life: Life) -> None:
    """The unit replies at a share of its handling limit that depends on its pace (a share over 1 is late)."""
    rng, pace = life.rng, life.pace
    handling = life.clocks[Stage.HANDLING]
    share = pace.reply_offset + pace.reply_scale * rng.betavariate(pace.reply_a, pace.reply_b)
    moment = handling.started_at + (handling.due_at - handling.started_at) * share
    if moment <= life.moment:
        moment = life.moment + timedelta(hours=rng.uniform(0.5, 4))
    life.at(life.world.clockwork.office(moment, rng) if not life.urgent else moment)
    text = life.world.texts.reply(rng, life.leaf)
    contacted = rng.random() < 0.9
    payload = {"result": text, "citizen_contacted": contacted, "unit": life.handling.ref}
    life.apply(Action.REPLY, State.REPLIED, life.handler, payload, result_text=text, citizen_contacted=contacted,
               replied_at=life.moment, extension_request=None)  # fmt: skip


def _review(life: Life, *, may_send_back: bool) -> None:
    rng = life.rng
    delay = rng.lognormvariate(math.log(3), 0.9) + (rng.uniform(20, 40) if rng.random() < 0.03 else 0)
    life.after(delay, "centre")
    if may_send_back and rng.random() < SENT_BACK:
        life.apply(Action.SEND_BACK_REPLY, State.IN_PROGRESS, life.staff(Role.REVIEWER), {"reason": SENT_BACK_REASON})
        life.after(rng.uniform(6, 48), "office")
        _reply(life)
        _review(life, may_send_back=False)
        return
    life.apply(Action.APPROVE_REPLY, State.CALLBACK_PENDING, life.staff(Role.REVIEWER), {"note": REVIEW_NOTE})


def _callbacks(life: Life, *, rehandled: bool = False) -> None:
    """Callbacks until one reaches the citizen; an unsatisfied citizen sends it back to the unit once (重办)."""
    rng = life.rng
    for _ in range(2):
        if rng.random() >= UNREACHED:
            break
        life.after(rng.lognormvariate(math.log(18), 0.7), "centre")
        payload = {"reached": False, "satisfaction": None, "resolved": None, "comment": UNREACHED_COMMENT,
                   "rehandle": False}  # fmt: skip
        life.apply(Action.CALLBACK, State.CALLBACK_PENDING, life.staff(Role.CALLBACK), payload)
    life.after(rng.lognormvariate(math.log(18), 0.7), "centre")
    weights = life.pace.satisfaction if not rehandled else (60, 40, 0)  # 重办 once, then it closes
    satisfaction = rng.choices(("satisfied", "basically_satisfied", "unsatisfied"), weights)[0]
    resolved = satisfaction != "unsatisfied" and rng.random() < (0.95 if satisfaction == "satisfied" else 0.75)
    rehandle = satisfaction == "unsatisfied"
    payload = {"reached": True, "satisfaction": satisfaction, "resolved": resolved,
               "comment": CALLBACK_COMMENTS[(satisfaction, resolved)], "rehandle": rehandle}  # fmt: skip
    agent = life.staff(Role.CALLBACK)
    if not rehandle:
        life.apply(Action.CALLBACK, State.CLOSED, agent, payload, satisfaction=satisfaction, resolved=resolved,
                   closed_at=life.moment)  # fmt: skip
        return
    life.apply(Action.CALLBACK, State.IN_PROGRESS, agent, payload, satisfaction=satisfaction, resolved=resolved,
               rehandle_count=life.t["rehandle_count"] + 1, replied_at=None, callback_due_at=None)  # fmt: skip
    _reply(life)
    _review(life, may_send_back=False)
    _callbacks(life, rehandled=True)


def _archive(life: Life) -> None:
    day = life.world.clockwork.archive_day(life.moment)
    life.at(datetime.combine(day, clock_time(10), SHANGHAI) + timedelta(minutes=life.rng.uniform(0, 240)))
    payload = {"note": ARCHIVE_NOTE, "final_state": life.state.value}
    life.apply(Action.ARCHIVE, State.ARCHIVED, life.staff(Role.SHIFT_LEAD), payload)


# ---- the year's volume ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spike:
    """A burst of appeals about one thing in one place (a burst main, a noisy building site)."""

    first: int  # the day's index in the period
    days: int
    leaf: Leaf
    district: Place | None
    street: Place | None


@dataclass(frozen=True)
class Outcome:
    """What intake does with an appeal: "answer", "reject" (with the channel to try), "merge" (into the target's
    id and number) or "handle" (dispatch)."""

    kind: Literal["answer", "reject", "merge", "handle"]
    redirect: str = ""
    target: tuple[int, str] | None = None


@dataclass(frozen=True)
class Arrival:
    moment: datetime
    spike: Spike | None
    hold: Hold | None


class Volume:
    """When the appeals arrive: a weekly pattern, a trend, a summer peak, day-to-day noise and a few spikes."""

    def __init__(self, world: World, total: int, start: date) -> None:
        self.world, self.rng = world, world.rng
        self.days = [start + timedelta(days=k) for k in range((world.end.date() - start).days + 1)]
        self.base = base = [self._weight(k, day) for k, day in enumerate(self.days)]
        self.spikes = self._spikes()
        self.extra = [0.0] * len(self.days)
        self.spike_on: dict[int, Spike] = {}
        for spike in self.spikes:
            for offset in range(spike.days):
                k = spike.first + offset
                if k < len(self.days) and k not in self.spike_on:
                    self.spike_on[k] = spike
                    self.extra[k] = base[spike.first] * self.rng.uniform(*SPIKE_FACTOR) * SPIKE_DECAY[offset]
        self.counts = apportion(total, [b + e for b, e in zip(base, self.extra, strict=True)])

    def _weight(self, k: int, day: date) -> float:
        workday = self.world.clockwork.is_workday(day)
        weekday = day.weekday()
        if weekday < 5 and not workday:
            factor = HOLIDAY
        elif weekday >= 5 and workday:
            factor = MAKEUP_DAY
        else:
            factor = WEEKDAY[weekday]
        trend = 1 - TREND / 2 + TREND * k / len(self.days)
        season = 1 + SEASON * math.cos(2 * math.pi * (day.timetuple().tm_yday - 200) / 365.25)
        return factor * trend * season * self.rng.uniform(0.92, 1.08) * self._open_share(day)

    def _open_share(self, day: date) -> float:
        """The share of a day's appeals that arrive before the end of the period (the last day is partial)."""
        end = self.world.end
        if day < end.date():
            return 1.0
        hours = end.hour + end.minute / 60
        whole = int(hours)
        return (sum(HOURLY[:whole]) + (HOURLY[whole] * (hours - whole) if whole < 24 else 0)) / HOURLY_CUMULATIVE[-1]

    def _spikes(self) -> list[Spike]:
        """A spike every two months or so, the last one in the last week: a hotspot still going on."""
        rng, directory = self.rng, self.world.directory
        territorial = sorted({c for c, d in directory.catalogue if d is not None})
        leaves = [leaf for leaf in directory.leaves if leaf.id in territorial] or directory.leaves
        count = max(3, round(len(self.days) / 60))
        firsts = [rng.randrange(len(self.days)) for _ in range(count - 1)]
        firsts.append(max(0, len(self.days) - rng.randint(2, 7)))
        spikes = []
        for first in firsts:
            district = rng.choice(directory.districts) if directory.districts else None
            streets = directory.streets.get(district.id, []) if district else []
            street = rng.choice(streets) if streets else None
            spikes.append(Spike(first, rng.choices(*SPIKE_DAYS)[0], rng.choice(leaves), district, street))
        return spikes

    def arrivals(self) -> Iterator[Arrival]:
        """Every appeal in order of arrival, with its spike and the state it is held in, if any."""
        held = self._held_from()
        window = sum(self.counts[held:])
        every = max(4, math.ceil(window / HOLD_MAX))
        opened = datetime.combine(self.days[held], clock_time(0), SHANGHAI)
        seen = 0
        for k, (day, count) in enumerate(zip(self.days, self.counts, strict=True)):
            share = self.extra[k] / (self.base[k] + self.extra[k]) if k in self.spike_on else 0.0
            for moment in sorted(self._moment(day) for _ in range(count)):
                hold = None
                if k >= held:
                    seen += 1
                    if seen % every == 0:
                        hold = self._hold((self.world.end - moment) / (self.world.end - opened), seen // every)
                spike = self.spike_on[k] if share and self.rng.random() < share else None
                yield Arrival(moment, spike, hold)

    @staticmethod
    def _hold(age: float, turn: int) -> Hold:
        """The open state a held ticket stops in, by its age as a share of the hold window."""
        states = next(states for limit, states in HELD_BY_AGE if age < limit or limit == 1.0)
        return states[turn % len(states)]

    def _held_from(self) -> int:
        """The first day of the hold window: the last HOLD_DAYS, widened until it holds HOLD_MIN tickets."""
        k, tickets = len(self.days), 0
        while k > 0 and (len(self.days) - k < HOLD_DAYS or tickets < HOLD_MIN):
            k -= 1
            tickets += self.counts[k]
        return k

    def _moment(self, day: date) -> datetime:
        end = self.world.end
        for _ in range(100):
            hour = self.rng.choices(range(24), cum_weights=HOURLY_CUMULATIVE)[0]
            moment = datetime.combine(day, clock_time(hour), SHANGHAI) + timedelta(seconds=self.rng.uniform(0, 3600))
            if moment < end:
                return moment
        return end - timedelta(seconds=self.rng.uniform(1, 600))  # the last day has almost no time left


def apportion(total: int, weights: list[float]) -> list[int]:
    """Whole numbers in proportion to the weights that add up to `total` (largest remainders)."""
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda k: counts[k] - exact[k])
    for k in by_remainder[: total - sum(counts)]:
        counts[k] += 1
    return counts


# ---- the world and its tickets -------------------------------------------------------------------------------

# A ticket as registered; its life changes the rest.
TICKET_DEFAULTS: dict[str, Any] = {
    "state": State.REGISTERED.value,
    "version": 1,
    "source_ref": "",
    "hotline_id": None,
    "lead_unit_id": None,
    "handling_unit_id": None,
    "merged_into_id": None,
    "created_by_id": None,
    "dispatched_at": None,
    "signed_at": None,
    "return_deadline": None,
    "due_at": None,
    "replied_at": None,
    "callback_due_at": None,
    "closed_at": None,
    "extension_request": None,
    "extensions_granted": 0,
    "needs_information": False,
    "rehandle_count": 0,
    "result_text": "",
    "citizen_contacted": None,
    "satisfaction": "",
    "resolved": None,
    "idempotency_key": None,
    "idempotency_fingerprint": "",
}


@dataclass
class World:
    """What every ticket's life reads: the random source, the period, the directory, the rules, the texts."""

    rng: random.Random
    end: datetime
    directory: Directory
    clockwork: Clockwork
    texts: Texts
    paces: dict[int, Pace]
    running: dict[State, tuple[Stage, ...]]
    leaf_weights: list[float]
    district_weights: list[float]
    callers: list[tuple[str, str]] = field(default_factory=list)
    last_dispatched: dict[int, Life] = field(default_factory=dict)  # by category: what duplicates are merged into

    @classmethod
    def make(cls, rng: random.Random, end: datetime) -> World:
        directory = Directory.read()
        if not directory.leaves or not directory.units:
            raise ValueError("数据库中没有可用的诉求分类或单位。")
        return cls(
            rng=rng,
            end=end,
            directory=directory,
            clockwork=Clockwork(current_calendar()),
            texts=Texts(),
            paces=_paces(rng, directory),
            # Sorted: the order of a frozenset of strings changes from one process to the next.
            running={state: tuple(sorted(running_stages(state))) for state in State},
            leaf_weights=_leaf_weights(rng, directory.leaves),
            district_weights=list(accumulate(rng.uniform(0.6, 1.4) for _ in directory.districts)),
        )

    def ticket(self, ticket_id: int, number: str, arrival: Arrival) -> Life:
        rng = self.rng
        leaf, district, street = self._what_and_where(arrival)
        communities = self.directory.communities.get(street.id, []) if street else []
        place = (district.name if district else "", street.name if street else "", communities)
        appeal = self.texts.appeal(rng, leaf, *place)
        fields = self._fields(ticket_id, number, arrival.moment, appeal, leaf, district, street)
        outcome = self._outcome(fields, leaf, arrival)
        channel = fields["channel"]
        if channel in PORTAL_CHANNELS and rng.random() < PORTAL_SHARE:
            creator = Person(None, str(CitizenActor()), None)
        else:
            creator = self.directory.person(Role.INTAKE, rng)
        fields["created_by_id"] = creator.id
        life = Life(self, fields, leaf, creator, arrival.hold)
        tell(life, outcome, district)
        if outcome.kind == "handle":
            self.last_dispatched[leaf.id] = life
        return life

    def _what_and_where(self, arrival: Arrival) -> tuple[Leaf, Place | None, Place | None]:
        if arrival.spike is not None:
            return arrival.spike.leaf, arrival.spike.district, arrival.spike.street
        rng, directory = self.rng, self.directory
        leaf = rng.choices(directory.leaves, cum_weights=self.leaf_weights)[0]
        if not directory.districts:
            return leaf, None, None
        district = rng.choices(directory.districts, cum_weights=self.district_weights)[0]
        streets = directory.streets.get(district.id)
        return leaf, district, rng.choice(streets) if streets else None

    def _fields(
        self,
        ticket_id: int,
        number: str,
        moment: datetime,
        appeal: texts.Appeal,
        leaf: Leaf,
        district: Place | None,
        street: Place | None,
    ) -> dict[str, Any]:
        rng = self.rng
        anonymous = rng.random() < ANONYMOUS
        name, phone = ("", "") if anonymous else self._caller()
        return {
            **TICKET_DEFAULTS,
            "id": ticket_id,
            "number": number,
            "citizen_name": name,
            "citizen_phone": phone,
            "is_anonymous": anonymous,
            "is_confidential": appeal.appeal_type == "report" and rng.random() < CONFIDENTIAL_REPORTS,
            "address": appeal.address[:200],
            "district_id": district.id if district else None,
            "street_id": street.id if street else None,
            "subject": appeal.subject[:100],
            "description": appeal.description,
            "appeal_type": appeal.appeal_type,
            "category_id": leaf.id,
            "urgency": "urgent" if rng.random() < URGENT else "normal",
            "channel": rng.choices(CHANNELS, cum_weights=CHANNEL_CUMULATIVE)[0],
            "query_code": "".join(rng.choices(QUERY_CODE_ALPHABET, k=6)),
            "created_at": moment,
        }

    def _caller(self) -> tuple[str, str]:
        """A new caller, or now and then one who has called before."""
        rng = self.rng
        if self.callers and rng.random() < REPEAT_CALLERS:
            return rng.choice(self.callers)
        caller = (texts.citizen_name(rng), texts.citizen_phone(rng))
        if len(self.callers) < 5000:
            self.callers.append(caller)
        elif rng.random() < 0.01:
            self.callers[rng.randrange(len(self.callers))] = caller
        return caller

    def _outcome(self, fields: dict[str, Any], leaf: Leaf, arrival: Arrival) -> Outcome:
        """At intake: out of scope, a duplicate merged into an earlier appeal, answered at once, or dispatched."""
        rng, spike = self.rng, arrival.spike is not None
        if arrival.hold is None:
            if not spike and rng.random() < REJECTED:
                subject, description, redirect = rng.choice(texts.OUT_OF_SCOPE)
                fields.update(subject=subject, description=description, appeal_type="other")
                return Outcome("reject", redirect=redirect)
            target = self._earlier(leaf.id, arrival.moment)
            if target is not None and rng.random() < (MERGED_IN_SPIKE if spike else MERGED):
                return Outcome("merge", target=target)
            if rng.random() < ANSWERED.get(fields["appeal_type"], 0.3) * (SPIKE_ANSWERED if spike else 1):
                return Outcome("answer")
        return Outcome("handle")

    def _earlier(self, leaf_id: int, moment: datetime) -> tuple[int, str] | None:
        """The latest appeal of the same category, dispatched in the last week and not archived by the time the
        duplicate is merged into it (within a day)."""
        target = self.last_dispatched.get(leaf_id)
        if target is None or moment - target.t["created_at"] > MERGE_WINDOW:
            return None
        if target.state is State.ARCHIVED and target.updated_at < moment + MERGE_DELAY:
            return None
        return target.id, target.t["number"]


def _paces(rng: random.Random, directory: Directory) -> dict[int, Pace]:
    """Some units are slow and some quick: their assessments differ."""
    paces = {}
    for unit_id in directory.units:
        draw = rng.random()
        paces[unit_id] = PACES["slow" if draw < SLOW_UNITS else "fast" if draw < SLOW_UNITS + FAST_UNITS else "normal"]
    return paces


def _leaf_weights(rng: random.Random, leaves: list[Leaf]) -> list[float]:
    """A few big categories, a long tail: Zipf within each area, the big areas weighted up."""
    by_area: dict[str, list[int]] = {}
    for index, leaf in enumerate(leaves):
        by_area.setdefault(leaf.area, []).append(index)
    weights = [0.0] * len(leaves)
    for area, indexes in by_area.items():
        rng.shuffle(indexes)
        scale = AREA_WEIGHTS.get(area, 1.0) / sum(1 / (r + ZIPF_OFFSET) for r in range(len(indexes)))
        for rank, index in enumerate(indexes):
            weights[index] = scale / (rank + ZIPF_OFFSET)
    return list(accumulate(weights))


# ---- writing ------------------------------------------------------------------------------------------------


class Writer:
    """Bulk INSERTs of generated rows, in the current transaction: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self) -> None:
        if connection.vendor not in ("sqlite", "postgresql"):
            raise ValueError(f"不支持的数据库：{connection.vendor}")
        self.postgres = connection.vendor == "postgresql"
        self.ticket_columns = _columns(Ticket)
        self.ticket_values = itemgetter(*self.ticket_columns)
        fields = Ticket._meta.concrete_fields
        self.moments = [i for i, f in enumerate(fields) if isinstance(f, models.DateTimeField)]
        self.documents = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
        self.clock_columns = [c for c in _columns(StageClock) if c != "id"]
        if set(EVENT_COLUMNS) != set(_columns(TicketEvent)) - {"id"}:  # a new column the events must fill
            raise AssertionError(f"TicketEvent's columns are not {EVENT_COLUMNS}")
        self.calendar = current_calendar()

    def reserve_ids(self, count: int) -> list[int]:
        """Ticket ids nobody else will take: the events name their ticket before it is written."""
        table = Ticket._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                               [table, count])  # fmt: skip
                return sorted(row[0] for row in cursor.fetchall())
            # SQLite: the transaction holds the write lock (BEGIN IMMEDIATE), so nobody inserts meanwhile; an
            # AUTOINCREMENT table never reuses an id, even a deleted one, and nor does this.
            cursor.execute(
                f"SELECT MAX(x) FROM (SELECT MAX(id) AS x FROM {table} "
                "UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)",
                [table],
            )
            first = (cursor.fetchone()[0] or 0) + 1
        return list(range(first, first + count))

    def write(self, lives: list[Life]) -> tuple[int, int]:
        """The tickets, their events, and the open tickets' clocks; returns (events, clocks) written."""
        tickets = [self._ticket_row(life) for life in lives]
        events = [self._event_row(event) for life in lives for event in life.events]
        clocks = [
            self._clock_row(life.id, kept)
            for life in lives
            if life.state not in FINISHED_STATES
            for kept in life.clocks.values()
        ]
        self._insert(Ticket, self.ticket_columns, tickets)
        self._insert(TicketEvent, EVENT_COLUMNS, events)
        self._insert(StageClock, self.clock_columns, clocks)
        return len(events), len(clocks)

    def _ticket_row(self, life: Life) -> list[Any]:
        life.t.update(state=life.state.value, version=life.version, updated_at=life.updated_at)
        row = list(self.ticket_values(life.t))
        for i in self.moments:
            row[i] = self.moment(row[i])
        for i in self.documents:
            row[i] = None if row[i] is None else json.dumps(row[i])  # as JSONField writes it: None is SQL NULL
        return row

    def _event_row(self, event: tuple[Any, ...]) -> list[Any]:
        row = list(event)
        row[PAYLOAD], row[CREATED_AT] = json.dumps(row[PAYLOAD]), self.moment(row[CREATED_AT])
        return row

    def _clock_row(self, ticket_id: int, kept: Clock) -> tuple[Any, ...]:
        row = StageClock(
            stage=kept.stage.value,
            started_at=kept.started_at,
            limit_amount=kept.limit.amount,
            limit_unit=kept.limit.unit.value,
            extra_workdays=kept.extra_workdays,
        )
        set_deadline(row, self.calendar)  # the warning moment and the provisional mark, as the actions set them
        # Unswept: the first sweep lights them and issues the 催办 and ladder notices they have earned.
        values = {"ticket_id": ticket_id, "unit_id": kept.unit_id, "running": kept.running,
                  "stopped_at": kept.stopped_at, "cycle": kept.cycle, "light": 0, "warned_at": None,
                  "overdue_at": None, "ladder_level": 0, "stage": row.stage, "started_at": row.started_at,
                  "limit_amount": row.limit_amount, "limit_unit": row.limit_unit,
                  "extra_workdays": row.extra_workdays, "due_at": row.due_at, "warn_at": row.warn_at,
                  "provisional": row.provisional}  # fmt: skip
        ordered = [values[column] for column in self.clock_columns]
        return tuple(self.moment(v) if isinstance(v, datetime) else v for v in ordered)

    def moment(self, value: datetime | None) -> Any:
        """PostgreSQL takes the aware moment; Django keeps SQLite's in UTC, as text."""
        if value is None or self.postgres:
            return value
        return str(value.astimezone(UTC).replace(tzinfo=None))

    def _insert(self, model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        table, names = model._meta.db_table, ", ".join(columns)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _columns(model: type[Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def take_numbers(moments: list[datetime]) -> list[str]:
    """Numbers as `next_number` issues them (date + daily sequence), the sequences moved past them."""
    days = sorted({m.date() for m in moments})
    last = dict(DailySequence.objects.select_for_update().filter(day__in=days).values_list("day", "last"))
    existing = set(last)
    numbers = []
    for moment in moments:
        day = moment.date()
        last[day] = last.get(day, 0) + 1
        numbers.append(f"{day:%Y%m%d}{last[day]:05d}")
    for day in days:
        if day in existing:
            DailySequence.objects.filter(day=day).update(last=last[day])
    DailySequence.objects.bulk_create([DailySequence(day=d, last=last[d]) for d in days if d not in existing])
    return numbers


# ---- the command's function ------------------------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def generate(
    tickets: int,
    *,
    seed: int = 42,
    end: datetime | None = None,
    months: int = 12,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Write `tickets` appeals received over `months` months up to `end` (default: now), with their whole
    history up to `end`. Loads the demo city's directory first into an empty database. Returns the counts."""
    if tickets < 1 or months < 1:
        raise ValueError("工单数和月数应为正整数。")
    now = clock.now()
    if end is not None and (end.tzinfo is None or end > now):
        raise ValueError("结束时间应带时区，且不能晚于现在：生成的记录不能发生在将来。")
    end = (end or now).astimezone(SHANGHAI)
    started = time.perf_counter()
    if not Unit.objects.exists():
        with transaction.atomic():
            load_directory()
    world = World.make(random.Random(seed), end)
    start = months_before(end.date(), months) + timedelta(days=1)  # every appeal within `months` of the end
    arrivals = Volume(world, tickets, start).arrivals()
    writer = Writer()
    states: Counter[str] = Counter()
    events = clocks = done = 0
    while done < tickets:
        batch = [next(arrivals) for _ in range(min(CHUNK, tickets - done))]
        with transaction.atomic():
            ids = writer.reserve_ids(len(batch))
            numbers = take_numbers([a.moment for a in batch])
            lives = [world.ticket(i, n, a) for i, n, a in zip(ids, numbers, batch, strict=True)]
            written = writer.write(lives)
        events, clocks = events + written[0], clocks + written[1]
        states.update(life.state.value for life in lives)
        done += len(batch)
        if progress:
            progress(done, tickets)
    return {
        "tickets": done,
        "events": events,
        "clocks": clocks,
        "states": {s.value: states[s.value] for s in State},
        "seconds": round(time.perf_counter() - started, 2),
        "database": connection.vendor,
    }
