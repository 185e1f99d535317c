from __future__ import annotations

from datetime import datetime

from django_tasks import task

from rexian.core import clock
from rexian.notify.models import Notification
from rexian.notify.outbox import contact_unit, tell_citizen
from rexian.notify.rules import citizen_template, message_for
from rexian.notify.templates import chinese_date
from rexian.tickets.models import Ticket, TicketEvent
from rexian.tickets.workflow import Action


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
    _send_out(event, ticket)
    return written


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
        tell_citizen(ticket_id=ticket.pk, template=template, context={}, dedupe_key=f"event:{event.pk}:{template}")
    lead = event.payload.get("lead_unit") if event.action == Action.DISPATCH else None
    if lead:
        contact_unit(
            unit_id=lead["id"],
            ticket_id=ticket.pk,
            template="new_ticket",
            context=_event_deadline(event),
            dedupe_key=f"event:{event.pk}:new_ticket",
        )


def _event_deadline(event: TicketEvent) -> dict[str, str]:
    """The deadline the event set, if it set one: the ticket may have moved on by the time a queued task runs."""
    due_at = event.payload.get("due_at")
    if not due_at:
        return {}
    return {"due_at": chinese_date(datetime.fromisoformat(due_at).astimezone(clock.SHANGHAI))}
