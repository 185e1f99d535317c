from __future__ import annotations

from django_tasks import task

from rexian.notify.models import Notification
from rexian.notify.rules import message_for
from rexian.tickets.models import TicketEvent
from rexian.tickets.workflow import Action


@task()
def notify_event(event_id: int) -> int:
    """Write the inbox notices an event calls for. Idempotent: a retried task writes nothing twice."""
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
    return written


def _write(event: TicketEvent, message: str, *, unit_id: int | None = None, for_centre: bool = False) -> int:
    _, created = Notification.objects.get_or_create(
        event=event,
        recipient_unit_id=unit_id,
        for_centre=for_centre,
        defaults={"ticket_id": event.ticket_id, "message": message[:300]},
    )
    return int(created)
