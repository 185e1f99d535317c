"""Writes to stage clocks, called by tickets/actions.py inside each action's transaction.

The ticket's own deadline fields (`due_at`, `callback_due_at`) mirror the handling and callback clocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from rexian.core import clock as timekeeper
from rexian.core.clock import SHANGHAI
from rexian.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied
from rexian.directory.roles import UNIT_ROLES, Role
from rexian.supervision.clocks import (
    RESTARTS,
    UNIT_STAGES,
    Light,
    due_moment,
    light_at,
    running_stages,
    warn_moment,
)
from rexian.supervision.models import (
    REMINDER_LEVEL,
    REMINDER_TITLE,
    LadderLevel,
    Notice,
    StageClock,
    Watch,
    WatchKind,
)
from rexian.taxonomy.policy import Calendar, Limit, LimitUnit, Stage
from rexian.taxonomy.selectors import limit_for
from rexian.tickets.access import Actor, actor_name, get_ticket_for
from rexian.tickets.models import Ticket
from rexian.tickets.validation import FieldErrors, clean_text
from rexian.tickets.workflow import FINISHED_STATES, Action
from rexian.workdays.selectors import current_calendar

MIRRORED = {Stage.HANDLING: "due_at", Stage.CALLBACK: "callback_due_at"}


def set_deadline(clock: StageClock, calendar: Calendar) -> None:
    """The clock's deadline, warning moment and provisional mark, from its start, limit and extensions."""
    limit = clock.limit
    clock.due_at = due_moment(calendar, clock.started_at, limit, clock.extra_workdays)
    # An extension lengthens the limit the warning share applies to.
    granted = Limit(limit.amount + clock.extra_workdays, limit.unit) if limit.unit is LimitUnit.WORKDAYS else limit
    clock.warn_at = warn_moment(calendar, clock.started_at, clock.due_at, granted, settings.REXIAN["WARNING_SHARE"])
    clock.provisional = limit.unit is LimitUnit.WORKDAYS and not calendar.covers(
        clock.started_at.astimezone(SHANGHAI).date(), clock.due_at.astimezone(SHANGHAI).date()
    )


def _start(clock: StageClock, ticket: Ticket, now: datetime, calendar: Calendar) -> None:
    limit = limit_for(
        Stage(clock.stage), appeal_type=ticket.appeal_type, category_id=ticket.category_id, urgency=ticket.urgency
    )
    clock.started_at, clock.limit_amount, clock.limit_unit, clock.extra_workdays = now, limit.amount, limit.unit, 0
    set_deadline(clock, calendar)
    clock.running, clock.stopped_at = True, None
    clock.light, clock.warned_at, clock.overdue_at, clock.ladder_level = Light.GREEN, None, None, 0
    clock.cycle = clock.cycle + 1 if clock.pk else 1


def sync_clocks(ticket: Ticket, action: Action, now: datetime) -> dict[Stage, bool]:
    """After an action: stop the clocks of stages the ticket has left, start or restart those the action
    begins, resume the others; mirror the handling and callback deadlines on the ticket. Returns the stages
    stopped now, each with whether it was past its deadline (late)."""
    calendar = current_calendar()
    desired = running_stages(ticket.state)
    restart = RESTARTS.get(action, frozenset())
    clocks = {Stage(c.stage): c for c in StageClock.objects.filter(ticket=ticket)}
    stopped: dict[Stage, bool] = {}
    for stage, clock in clocks.items():
        if clock.running and stage not in desired:
            clock.running, clock.stopped_at = False, now
            stopped[stage] = now > clock.due_at
    for stage in desired:
        clock = clocks.setdefault(stage, StageClock(ticket=ticket, stage=stage))
        if clock.pk is None or stage in restart:
            _start(clock, ticket, now, calendar)
        elif not clock.running:
            clock.running, clock.stopped_at = True, None
        elif action is Action.MARK_URGENT:
            _tighten(clock, ticket, now, calendar)
        clock.unit_id = ticket.handling_unit_id if stage in UNIT_STAGES else None
    for clock in clocks.values():
        clock.save()
    for stage, field in MIRRORED.items():
        if stage in clocks and clocks[stage].running:
            setattr(ticket, field, clocks[stage].due_at)
    return stopped


def start_clocks(tickets: Sequence[Ticket], now: datetime) -> None:
    """sync_clocks after `create` for many tickets just written, none with a clock yet (an import of history):
    the same clocks started now, in one insert rather than a query and an insert each. The deadlines the clocks
    mirror are set on the objects, for the caller to save (a registered ticket mirrors none)."""
    calendar = current_calendar()
    clocks = []
    for ticket in tickets:
        for stage in running_stages(ticket.state):
            clock = StageClock(ticket=ticket, stage=stage)
            _start(clock, ticket, now, calendar)
            clock.unit_id = ticket.handling_unit_id if stage in UNIT_STAGES else None
            clocks.append(clock)
            if stage in MIRRORED:
                setattr(ticket, MIRRORED[stage], clock.due_at)
    StageClock.objects.bulk_create(clocks, batch_size=1000)


def _tighten(clock: StageClock, ticket: Ticket, now: datetime, calendar: Calendar) -> None:
    """An appeal marked urgent gets the urgent limit from now, when that is sooner than its deadline."""
    candidate = StageClock(ticket=ticket, stage=clock.stage)
    _start(candidate, ticket, now, calendar)
    if candidate.due_at < clock.due_at:
        _start(clock, ticket, now, calendar)


def extend_handling(ticket: Ticket, workdays: int, now: datetime) -> datetime:
    """An approved extension: the handling clock's deadline moves by `workdays` working days, and its light
    may go back to green."""
    clock = StageClock.objects.filter(ticket=ticket, stage=Stage.HANDLING).first()
    if clock is None:  # a ticket dispatched before clocks existed: its limit counts from dispatch
        clock = StageClock(ticket=ticket, stage=Stage.HANDLING, unit_id=ticket.handling_unit_id)
        _start(clock, ticket, ticket.dispatched_at or now, current_calendar())
    clock.extra_workdays += workdays
    set_deadline(clock, current_calendar())
    clock.light = min(clock.light, light_at(now, clock.warn_at, clock.due_at))
    clock.save()
    return clock.due_at


def recompute_provisional(ticket: Ticket, calendar: Calendar) -> dict[str, tuple[str, str]]:
    """Recompute the ticket's provisional running clocks with `calendar` (after a year's schedule is imported);
    returns {stage: (old deadline, new deadline)} for the clocks whose deadline moved."""
    moved: dict[str, tuple[str, str]] = {}
    for clock in StageClock.objects.filter(ticket=ticket, running=True, provisional=True):
        old = clock.due_at
        set_deadline(clock, calendar)
        clock.save()
        if clock.due_at != old:
            moved[clock.stage] = (old.isoformat(), clock.due_at.isoformat())
        field = MIRRORED.get(Stage(clock.stage))
        if field:
            setattr(ticket, field, clock.due_at)
    return moved


# ---- supervision by hand: notices, explanations, listings -------------------------------------------------

SUPERVISORS = frozenset({Role.SHIFT_LEAD, Role.CENTRE_ADMIN})
NOTICE_TEXT_LIMIT = 2000


def issue_notice(*, actor: Actor, ticket_id: int, level: int, text: str = "") -> Notice:
    """A centre supervisor issues a ladder document (or a 催办, level 0) on a ticket a unit holds."""
    errors = FieldErrors()
    body = clean_text(errors, "text", text, label="督办内容", limit=NOTICE_TEXT_LIMIT)
    rung = LadderLevel.objects.filter(level=level, is_active=True).first() if level != REMINDER_LEVEL else None
    if level != REMINDER_LEVEL and rung is None:
        errors.add("level", "督办级别不存在或已停用。")
    errors.raise_if_any()
    allowed = SUPERVISORS if rung is None else frozenset(Role(r) for r in rung.issuer_roles)
    if actor.roles.isdisjoint(allowed):
        raise PermissionDenied(f"您的角色不能签发“{rung.name if rung else REMINDER_TITLE}”。")
    ticket = get_ticket_for(actor, ticket_id)
    if ticket.handling_unit_id is None or ticket.state in FINISHED_STATES:
        raise InvalidTransition("该工单已办结或目前没有承办单位，无法督办。", code="not_supervisable")
    now = timekeeper.now()
    title = rung.name if rung else REMINDER_TITLE
    explanation_due = current_calendar().deadline(now, rung.explanation_workdays) if rung else None
    default = f"工单 {ticket.number}（{ticket.subject}）现发出{title}，请抓紧办理并按时答复。"
    return Notice.objects.create(
        level=level,
        title=title,
        unit_id=ticket.handling_unit_id,
        ticket=ticket,
        text=body or default,
        issued_at=now,
        issued_by_id=actor.pk,
        issued_by_name=actor_name(actor),
        explanation_due_at=explanation_due,
    )


def explain_notice(*, actor: Actor, notice_id: int, explanation: str) -> Notice:
    """The unit's written explanation (书面说明), once."""
    errors = FieldErrors()
    body = clean_text(errors, "explanation", explanation, label="书面说明", limit=NOTICE_TEXT_LIMIT, required=True)
    errors.raise_if_any()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().select_related("unit").filter(pk=notice_id).first()
        unit = getattr(actor, "unit", None)
        if notice is None or unit is None or not notice.unit.is_within(unit) or actor.roles.isdisjoint(UNIT_ROLES):
            raise NotFound("督办文书不存在或不是发给您单位的。")
        if notice.explanation_due_at is None:
            raise InvalidTransition("该文书无需书面说明。", code="no_explanation_asked")
        if notice.explained_at is not None:
            raise InvalidTransition("该督办文书已作出书面说明。", code="already_explained")
        notice.explanation, notice.explained_at, notice.explained_by_name = body, timekeeper.now(), actor_name(actor)
        notice.save(update_fields=["explanation", "explained_at", "explained_by_name"])
    return notice


def watch_ticket(*, actor: Actor, ticket_id: int, kind: str, reason: str) -> Watch:
    """Put a ticket on the 挂牌督办 list or in the 重点疑难事项库."""
    errors = FieldErrors()
    text = clean_text(errors, "reason", reason, label="原因", limit=300, required=True)
    if kind not in WatchKind.values:
        errors.add("kind", "类别应为挂牌督办或重点疑难事项。")
    errors.raise_if_any()
    if actor.roles.isdisjoint(SUPERVISORS):
        raise PermissionDenied("只有值班长或中心管理员可以挂牌督办或列入重点事项。")
    ticket = get_ticket_for(actor, ticket_id)
    try:
        with transaction.atomic():
            return Watch.objects.create(
                kind=kind, ticket=ticket, reason=text, added_at=timekeeper.now(), added_by_name=actor_name(actor)
            )
    except IntegrityError:
        raise Conflict(f"该工单已在{WatchKind(kind).label}中。", code="already_watched") from None


def lift_watch(*, actor: Actor, watch_id: int, note: str = "") -> Watch:
    errors = FieldErrors()
    text = clean_text(errors, "note", note, label="解除说明", limit=300)
    errors.raise_if_any()
    if actor.roles.isdisjoint(SUPERVISORS):
        raise PermissionDenied("只有值班长或中心管理员可以解除。")
    updated = Watch.objects.filter(pk=watch_id, lifted_at__isnull=True).update(
        lifted_at=timekeeper.now(), lifted_by_name=actor_name(actor), lift_note=text
    )
    if not updated:
        raise NotFound("该事项不存在或已解除。")
    return Watch.objects.get(pk=watch_id)
