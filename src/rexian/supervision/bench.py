"""`rexian bench sweep --tickets N`: open tickets with running clocks in a scratch database, swept twice.

The tickets and clocks are written directly (bulk INSERTs), not through the actions: the benchmark times
the sweep, and 200,000 tickets through the write path would take longer than everything else together.
The clocks are what actions would have written: limits from the policy table, deadlines from the
calendar, start times spread so that most clocks are green and some yellow or red, as in a busy centre.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction

from rexian.core import clock
from rexian.directory.models import Unit, UnitKind
from rexian.supervision.actions import set_deadline
from rexian.supervision.clocks import UNIT_STAGES, running_stages
from rexian.supervision.models import StageClock
from rexian.supervision.sweep import sweep
from rexian.taxonomy.policy import Stage, deadline
from rexian.taxonomy.selectors import limit_for
from rexian.tickets.models import Ticket
from rexian.tickets.workflow import State
from rexian.workdays.selectors import current_calendar

# The share of open tickets in each state.
STATE_MIX = [
    (State.REGISTERED, 0.08),
    (State.DISPATCHED, 0.10),
    (State.IN_PROGRESS, 0.62),
    (State.REPLIED, 0.08),
    (State.CALLBACK_PENDING, 0.12),
]
TYPE_MIX = ["complaint", "complaint", "consult", "help", "report", "suggestion"]
UNITS = 60
BATCH = 5000
# A clock started up to this share of its limit ago: about one in eight is overdue.
SPREAD = 1.15


def run(tickets: int, seed: int = 42) -> dict[str, Any]:
    """Fill the (empty, scratch) database, sweep twice, and return the figures."""
    rng = random.Random(seed)
    now = clock.now()
    units = _units()
    started = time.perf_counter()
    clocks = _fill(tickets, units, now, rng)
    filled = time.perf_counter() - started
    started = time.perf_counter()
    first = sweep(now)
    first_seconds = time.perf_counter() - started
    second = sweep(now)
    started = time.perf_counter()
    minute_later = sweep(now + timedelta(minutes=1))
    minute_seconds = time.perf_counter() - started
    return {
        "tickets": tickets,
        "clocks": clocks,
        "seconds": round(first_seconds, 2),
        **first.as_dict(),
        "second_run_changes": second.changed,
        "next_minute_seconds": round(minute_seconds, 3),
        "next_minute_changes": minute_later.changed,
        "fill_seconds": round(filled, 1),
        "database": connection.vendor,
    }


def _units() -> list[Unit]:
    centre = Unit.objects.create(code="bench_centre", name="热线中心", kind=UnitKind.CENTRE)
    return [
        Unit.objects.create(code=f"bench_{i:03d}", name=f"承办单位{i:03d}", kind=UnitKind.DEPARTMENT, parent=centre)
        for i in range(UNITS)
    ]


def _fill(count: int, units: list[Unit], now: datetime, rng: random.Random) -> int:
    states = rng.choices([s for s, _ in STATE_MIX], weights=[w for _, w in STATE_MIX], k=count)
    written = 0
    for offset in range(0, count, BATCH):
        with transaction.atomic():
            batch = [
                _ticket(offset + i, state, rng.choice(units), rng.choice(TYPE_MIX), now)
                for i, state in enumerate(states[offset : offset + BATCH])
            ]
            Ticket.objects.bulk_create(batch, batch_size=1000)
            if batch[0].pk is None:  # backends that do not return keys: read them back by number
                ids = dict(Ticket.objects.filter(number__in=[t.number for t in batch]).values_list("number", "pk"))
                for ticket in batch:
                    ticket.pk = ids[ticket.number]
            clocks = [c for ticket in batch for c in _clocks(ticket, now, rng)]
            StageClock.objects.bulk_create(clocks, batch_size=1000)
            written += len(clocks)
    return written


def _ticket(n: int, state: State, unit: Unit, appeal_type: str, now: datetime) -> Ticket:
    held = state in (State.DISPATCHED, State.IN_PROGRESS, State.REPLIED, State.CALLBACK_PENDING)
    return Ticket(
        number=f"B{n:011d}",
        state=state,
        subject=f"基准测试工单 {n}",
        description="来电人反映：小区门口道路破损，雨天积水，希望尽快修复。",
        appeal_type=appeal_type,
        created_at=now,
        updated_at=now,
        handling_unit=unit if held else None,
        lead_unit=unit if held else None,
    )


def _clocks(ticket: Ticket, now: datetime, rng: random.Random) -> list[StageClock]:
    calendar = current_calendar()
    clocks = []
    for stage in sorted(running_stages(ticket.state)):
        limit = limit_for(Stage(stage), appeal_type=ticket.appeal_type, category_id=None, urgency="normal")
        span = deadline(calendar, now, limit) - now
        clock_ = StageClock(
            ticket=ticket,
            stage=stage,
            unit_id=ticket.handling_unit_id if stage in UNIT_STAGES else None,
            started_at=now - timedelta(seconds=rng.uniform(0, SPREAD * span.total_seconds())),
            limit_amount=limit.amount,
            limit_unit=limit.unit,
        )
        set_deadline(clock_, calendar)
        clocks.append(clock_)  # green: never swept, so the first sweep has everything to do
    return clocks
