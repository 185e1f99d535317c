from __future__ import annotations

from datetime import datetime, timedelta

from django_tasks import task

from rexian.core import clock
from rexian.directory.models import HotlineMode, Unit
from rexian.notify.models import Notification, PendingEvent
from rexian.notify.outbox import contact_unit, tell_citizen
from rexian.notify.rules import citizen_template, message_for
from rexian.notify.templates import RESULT_EXCERPT, chinese_date, excerpt, redact
from rexian.tickets.models import Ticket, TicketEvent
from rexian.tickets.workflow import Action, State

# A parent in one of these states has a result its merged appeals' citizens can be told at once.
RESULT_STATES = frozenset({State.ANSWERED, State.CLOSED})
NO_RESULT_TEXT = "详见查询页面"


@task()
def notify_event(event_id: int) -> int:
    """Write the inbox notices and queue the messages an event calls for; returns the inbox notices written.
    Idempotent: a retried task writes nothing twice."""
    event = TicketEvent.objects.select_related("ticket").filter(pk=event_id).first()
    if event is None:
        return 0
    ticket = event.ticket
    to_unit, to_centre = message_for(Action(event.action), bool(event.payload.get("rehandle")))
    written = 0
    if to_unit and ticket.handling_unit_id:
        written += _write(event, f"{to_unit}：{ticket.number} {ticket.subject}", unit_id=ticket.handling_unit_id)
    if event.action == Action.DISPATCH:
        for unit_id in ticket.co_units.values_list("pk", flat=True):
            written += _write(event, f"新派协办工单：{ticket.number} {ticket.subject}", unit_id=unit_id)
    if to_centre:
        written += _write(event, f"{to_centre}：{ticket.number} {ticket.subject}", for_centre=True)
    recalled_from = event.payload.get("unit") if event.action == Action.RECALL_DISPATCH else None
    if recalled_from:  # the ticket has left the unit's inbox: say why
        written += _write(
            event, f"工单已被热线中心撤回，无需办理：{ticket.number} {ticket.subject}", unit_id=recalled_from["id"]
        )
    written += _tell_hotline_unit(event, ticket)
    _send_out(event, ticket)
    PendingEvent.objects.filter(event_id=event_id).delete()
    return written


# An event still pending this long after it was written lost its task (the process died after the commit).
CATCH_UP_AFTER = timedelta(minutes=2)


def catch_up(now: datetime) -> int:
    """Run the notification work of events whose task never ran; the number run. Safe beside a late task:
    `notify_event` writes nothing twice."""
    pending = PendingEvent.objects.filter(created_at__lte=now - CATCH_UP_AFTER).order_by("created_at")
    event_ids = list(pending.values_list("event_id", flat=True)[:500])
    for event_id in event_ids:
        notify_event.func(event_id)
    return len(event_ids)


def _tell_hotline_unit(event: TicketEvent, ticket: Ticket) -> int:
    """An appeal that came through a dual-track old hotline: its unit hears that 12345 took it, and that it closed."""
    hotline = ticket.hotline
    if hotline is None or hotline.mode != HotlineMode.DUAL_TRACK or hotline.unit_id is None:
        return 0
    closing = citizen_template(Action(event.action), event.to_state) == "closed"
    if event.action != Action.CREATE and not closing:
        return 0
    template = "hotline_closed" if closing else "hotline_appeal"
    context = {"hotline": f"{hotline.name}（{hotline.number}）"}
    contact_unit(
        unit=hotline.unit,
        ticket=ticket,
        template=template,
        context=context,
        dedupe_key=f"event:{event.pk}:{template}",
    )
    verb = "已办结" if closing else "已由12345登记办理"
    return _write(event, f"经{hotline.name}转来的诉求{verb}：{ticket.number} {ticket.subject}", unit_id=hotline.unit_id)


def _write(event: TicketEvent, message: str, *, unit_id: int | None = None, for_centre: bool = False) -> int:
    _, created = Notification.objects.get_or_create(
        event=event,
        recipient_unit_id=unit_id,
        for_centre=for_centre,
        defaults={"ticket_id": event.ticket_id, "message": message[:300]},
    )
    return int(created)


def _send_out(event: TicketEvent, ticket: Ticket) -> None:
    """Messages beyond the house: the citizen's receipt and closing notice, the new ticket to the unit."""
    template = citizen_template(Action(event.action), event.to_state)
    if template:
        tell_citizen(ticket=ticket, template=template, context={}, dedupe_key=f"event:{event.pk}:{template}")
    if template == "closed":
        _tell_merged_results(event, ticket, merged_descendants(ticket))
    if event.action == Action.MERGE_INTO:
        _tell_merged(event, ticket)
    lead = event.payload.get("lead_unit") if event.action == Action.DISPATCH else None
    if lead:
        contact_unit(
            unit=Unit.objects.get(pk=lead["id"]),
            ticket=ticket,
            template="new_ticket",
            context=_event_deadline(event),
            dedupe_key=f"event:{event.pk}:new_ticket",
        )


def _tell_merged(event: TicketEvent, child: Ticket) -> None:
    """The merged appeal's citizen learns which ticket now carries theirs; when that one is already finished, its
    result too (and so do the citizens of appeals merged into this one before)."""
    parent = Ticket.objects.filter(pk=event.payload.get("target_id")).first()
    if parent is None:
        return
    tell_citizen(
        ticket=child,
        template="merged",
        context={"parent_number": parent.number},
        dedupe_key=f"event:{event.pk}:merged",
    )
    if parent.state in RESULT_STATES:
        _tell_merged_results(event, parent, [child, *merged_descendants(child)])


def _tell_merged_results(event: TicketEvent, parent: Ticket, children: list[Ticket]) -> None:
    """Each merged appeal's citizen hears the parent's result, with their own ticket's number."""
    context = {"parent_number": parent.number, "result": _shareable_result(parent)}
    for child in children:
        tell_citizen(
            ticket=child,
            template="merged_result",
            context=context,
            dedupe_key=f"event:{event.pk}:merged_result:{child.pk}",
        )


def _shareable_result(parent: Ticket) -> str:
    """The parent's result as other citizens may read it: without its citizen's name or number, and short."""
    text = redact(parent.result_text, parent.citizen_name, parent.citizen_phone)
    return excerpt(text, RESULT_EXCERPT) or NO_RESULT_TEXT


def merged_descendants(ticket: Ticket) -> list[Ticket]:
    """The tickets merged into this one, and into those, and so on (one query per generation)."""
    found: list[Ticket] = []
    seen = {ticket.pk}
    generation = [ticket.pk]
    while generation:
        children = list(Ticket.objects.filter(merged_into_id__in=generation).exclude(pk__in=seen).order_by("pk"))
        found += children
        seen.update(child.pk for child in children)
        generation = [child.pk for child in children]
    return found


def _event_deadline(event: TicketEvent) -> dict[str, str]:
    """The deadline the event set, if it set one: the ticket may have moved on by the time a queued task runs."""
    due_at = event.payload.get("due_at")
    if not due_at:
        return {}
    return {"due_at": chinese_date(datetime.fromisoformat(due_at).astimezone(clock.SHANGHAI))}
