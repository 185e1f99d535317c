"""Background work of the supervision app: telling units what a sweep found."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django_tasks import task

from rexian.core.clock import SHANGHAI
from rexian.notify.outbox import tell_unit
from rexian.supervision.clocks import Light
from rexian.supervision.models import REMINDER_LEVEL, Notice, StageClock


def _local(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(SHANGHAI).strftime(pattern) if moment else ""


@task()
def announce_sweep(moment: str) -> int:
    """Tell units about the notices a sweep issued and the clocks it turned yellow at `moment`.
    Idempotent: every message has a dedupe key."""
    at = datetime.fromisoformat(moment)
    told = 0
    for notice in Notice.objects.filter(issued_at=at, clock__isnull=False).select_related("ticket", "unit"):
        tell_unit(
            unit=notice.unit,
            ticket=notice.ticket,
            template="reminder" if notice.level == REMINDER_LEVEL else "supervision",
            context={
                **_about(notice.ticket, notice.unit.name, notice.clock.due_at if notice.clock else None),
                "title": notice.title,
                "notice_number": notice.number,
                "explanation_due": _local(notice.explanation_due_at, "%Y-%m-%d"),
            },
            dedupe_key=f"notice:{notice.pk}",
        )
        told += 1
    warned = StageClock.objects.filter(warned_at=at, light=Light.YELLOW, unit__isnull=False)
    for clock in warned.select_related("ticket", "unit"):
        tell_unit(
            unit=clock.unit,
            ticket=clock.ticket,
            template="due_soon",
            context=_about(clock.ticket, clock.unit.name, clock.due_at),
            dedupe_key=f"due_soon:{clock.pk}:{clock.cycle}",
        )
        told += 1
    return told


def _about(ticket: Any, unit_name: str, due_at: datetime | None) -> dict[str, str]:
    return {"number": ticket.number, "subject": ticket.subject, "unit": unit_name, "due_at": _local(due_at)}
