"""The sweep: warning lights, 催办 on overdue, the ladder's automatic levels and the units' cards.

Set-based (a few UPDATEs and bulk INSERTs, whatever the number of open tickets) and idempotent: every
step only touches what has not been done yet, so running it twice changes nothing. `rexian worker`
runs it every minute; several processes may run it at once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef

from rexian.core import clock
from rexian.core.clock import SHANGHAI
from rexian.supervision.clocks import Card, Light, card_for, latest_due_day
from rexian.supervision.models import REMINDER_LEVEL, REMINDER_TITLE, LadderLevel, Notice, StageClock, UnitCard
from rexian.taxonomy.policy import Stage
from rexian.workdays.calendar import WorkdayCalendar
from rexian.workdays.selectors import current_calendar

BATCH = 2000


@dataclass
class SweepResult:
    yellow: int = 0
    red: int = 0
    notices: int = 0
    cards: int = 0

    @property
    def changed(self) -> int:
        return self.yellow + self.red + self.notices + self.cards

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def sweep(now: datetime | None = None) -> SweepResult:
    """Bring every running clock up to `now`. Notifications of what changed go out after commit."""
    now = now or clock.now()
    calendar = current_calendar()
    result = SweepResult()
    with transaction.atomic():
        _one_sweeper_at_a_time()
        result.yellow = StageClock.objects.filter(
            running=True, light=Light.GREEN, warn_at__lte=now, due_at__gte=now
        ).update(light=Light.YELLOW, warned_at=now)
        result.red = StageClock.objects.filter(running=True, light__lt=Light.RED, due_at__lt=now).update(
            light=Light.RED, overdue_at=now
        )
        result.notices = _remind(now) + _climb_ladder(now, calendar)
        result.cards = _raise_cards(now)
    if result.yellow or result.notices:
        from rexian.supervision.tasks import announce_sweep

        transaction.on_commit(lambda: announce_sweep.enqueue(now.isoformat()))
    return result


def _one_sweeper_at_a_time() -> None:
    """On PostgreSQL, concurrent sweeps queue on a transaction lock; SQLite already has one writer."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(1234512345)")


def _notice_rows(clocks: Any) -> list[dict[str, Any]]:
    return list(
        clocks.values(
            "pk", "cycle", "stage", "due_at", "ticket_id", "ticket__number", "ticket__subject", "unit_id", "unit__name"
        )
    )


def _text(row: dict[str, Any], title: str, explanation_due: datetime | None) -> str:
    due = row["due_at"].astimezone(SHANGHAI)
    text = (
        f"{row['unit__name']}：\n工单 {row['ticket__number']}（{row['ticket__subject']}）"
        f"{Stage(row['stage']).label}时限已于 {due:%Y-%m-%d %H:%M} 届满，现发出{title}，请立即办理。"
    )
    if explanation_due:
        text += f"\n请于 {explanation_due.astimezone(SHANGHAI):%Y-%m-%d} 前就超期原因作出书面说明。"
    return text


def _issue(rows: list[dict[str, Any]], level: int, title: str, now: datetime, explanation_due: datetime | None) -> int:
    notices = [
        Notice(
            level=level,
            title=title,
            unit_id=row["unit_id"],
            ticket_id=row["ticket_id"],
            clock_id=row["pk"],
            clock_cycle=row["cycle"],
            text=_text(row, title, explanation_due),
            issued_at=now,
            explanation_due_at=explanation_due,
        )
        for row in rows
    ]
    Notice.objects.bulk_create(notices, batch_size=BATCH, ignore_conflicts=True)
    return len(notices)


def _remind(now: datetime) -> int:
    """A 催办 to the unit for every unit-stage clock that has just gone overdue."""
    reminded = Notice.objects.filter(clock=OuterRef("pk"), clock_cycle=OuterRef("cycle"), level=REMINDER_LEVEL)
    newly_overdue = StageClock.objects.filter(overdue_at=now, light=Light.RED, unit__isnull=False).exclude(
        Exists(reminded)
    )
    return _issue(_notice_rows(newly_overdue), REMINDER_LEVEL, REMINDER_TITLE, now, None)


def _climb_ladder(now: datetime, calendar: WorkdayCalendar) -> int:
    """Each automatic level, once per clock cycle, to clocks overdue for at least its working days."""
    today = now.astimezone(SHANGHAI).date()
    issued = 0
    for rung in LadderLevel.objects.filter(is_active=True, auto_after_workdays__isnull=False).order_by("level"):
        last_day = latest_due_day(calendar.workdays_between, today, rung.auto_after_workdays)
        before = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=SHANGHAI)
        reached = StageClock.objects.filter(
            running=True, light=Light.RED, unit__isnull=False, ladder_level__lt=rung.level, due_at__lt=before
        )
        rows = _notice_rows(reached)
        if not rows:
            continue
        explanation_due = calendar.deadline(now, rung.explanation_workdays)
        issued += _issue(rows, rung.level, rung.name, now, explanation_due)
        reached.update(ladder_level=rung.level)
    return issued


def _raise_cards(now: datetime) -> int:
    """A unit's card for this month follows its number of tickets reminded (催办) this month; it only rises."""
    local = now.astimezone(SHANGHAI)
    month_start = datetime(local.year, local.month, 1, tzinfo=SHANGHAI)
    period = f"{local:%Y-%m}"
    counts = (
        Notice.objects.filter(level=REMINDER_LEVEL, issued_at__gte=month_start, issued_at__lte=now)
        .values("unit_id")
        .annotate(tickets=Count("ticket_id", distinct=True))
    )
    thresholds = settings.REXIAN["CARD_THRESHOLDS"]
    existing = {c.unit_id: c for c in UnitCard.objects.filter(period=period)}
    changed = 0
    for row in counts:
        earned = card_for(row["tickets"], thresholds)
        card = existing.get(row["unit_id"])
        if card is None and earned is not Card.NONE:
            UnitCard.objects.create(
                unit_id=row["unit_id"], period=period, card=earned, overdue_tickets=row["tickets"], updated_at=now
            )
            changed += 1
        elif card is not None and (earned > card.card or row["tickets"] != card.overdue_tickets):
            card.card, card.overdue_tickets, card.updated_at = max(earned, card.card), row["tickets"], now
            card.save()
            changed += 1
    return changed
