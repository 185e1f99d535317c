"""Queueing messages: an inbox notice and outbound deliveries, written in the caller's transaction and
sent after it commits (sending.py) — by a task, or at once by a caller that holds no transaction (the worker's
own notification task, which need not queue another). Each message is named by a dedupe key: queueing it again
(a retried task, a sweep run twice) writes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from contextlib import nullcontext
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet

from rexian.core import clock
from rexian.directory.models import Unit, User
from rexian.intake.models import InboundMessage
from rexian.notify.channels import enabled_channels
from rexian.notify.models import Delivery, DeliveryStatus, Notification
from rexian.notify.rules import Contact, Medium, routes
from rexian.notify.selectors import template_override
from rexian.notify.sending import claim_ahead, send_claimed, send_deliveries
from rexian.notify.templates import DEFAULTS, Rendered, chinese_date, fill, limit_text
from rexian.taxonomy.policy import LimitUnit, Stage
from rexian.taxonomy.selectors import limit_for
from rexian.tickets.models import Ticket


def render(code: str, context: Mapping[str, Any]) -> Rendered:
    """The template `code` filled with `context`: the centre's active override if any, else the default."""
    default = DEFAULTS[code]  # an unknown code is a bug in the caller
    override = template_override(code)
    if override is None:
        return default.render(context)
    return Rendered(fill(override.subject, context), fill(override.body, context))


def tell_unit(*, unit: Unit, ticket: Ticket, template: str, context: Mapping[str, Any], dedupe_key: str) -> None:
    """An inbox notice for the unit plus outbound deliveries to its contacts, queued once per dedupe_key.
    Callable inside a transaction: it only writes rows; sending happens after commit."""
    message = _render_for_unit(unit, ticket, template, context)
    Notification.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={"recipient_unit": unit, "ticket": ticket, "message": message.subject[:300]},
    )
    _queue(message, unit_contacts(unit), template=template, ticket_id=ticket.pk, dedupe_key=dedupe_key)


def contact_unit(*, unit: Unit, ticket: Ticket, template: str, context: Mapping[str, Any], dedupe_key: str) -> None:
    """Outbound deliveries to the unit's contacts only, for news whose inbox notice is written elsewhere."""
    message = _render_for_unit(unit, ticket, template, context)
    _queue(message, unit_contacts(unit), template=template, ticket_id=ticket.pk, dedupe_key=dedupe_key)


def tell_centre(
    *, roles: Collection[str], ticket: Ticket, template: str, context: Mapping[str, Any], dedupe_key: str
) -> None:
    """A notice for the centre plus outbound deliveries to the active staff holding one of `roles` (their
    phones and e-mail addresses), queued once per dedupe_key."""
    message = render(template, {**ticket_context(ticket), **context})
    Notification.objects.get_or_create(
        dedupe_key=dedupe_key, defaults={"for_centre": True, "ticket": ticket, "message": message.subject[:300]}
    )
    _queue(message, staff_contacts(roles), template=template, ticket_id=ticket.pk, dedupe_key=dedupe_key)


def staff_contacts(roles: Collection[str]) -> list[Contact]:
    staff = User.objects.filter(is_active=True, role_grants__role__in=list(roles)).distinct()
    contacts: list[Contact] = []
    for phone, email in staff.values_list("phone", "email"):
        contacts += [Contact(Medium.PHONE, phone)] if phone else []
        contacts += [Contact(Medium.EMAIL, email)] if email else []
    return contacts


def tell_citizen(*, ticket: Ticket, template: str, context: Mapping[str, Any], dedupe_key: str) -> None:
    """A message to the citizen, queued once per dedupe_key: back through the channel they wrote through, else to
    their phone; nothing when there is neither."""
    message = render(template, {**ticket_context(ticket), **context})
    contacts = citizen_contacts(ticket)
    _queue(message, contacts, template=template, ticket_id=ticket.pk, dedupe_key=dedupe_key)


def citizen_contacts(ticket: Ticket) -> list[Contact]:
    inbound = InboundMessage.objects.filter(ticket=ticket).order_by("-received_at").values_list("pk", flat=True)
    if inbound:
        return [Contact(Medium.INBOUND, str(inbound[0]))]
    return [Contact(Medium.PHONE, ticket.citizen_phone)] if ticket.citizen_phone else []


def ticket_context(ticket: Ticket) -> dict[str, Any]:
    """The placeholders every template may use about the ticket."""
    handling = limit_for(
        Stage.HANDLING, appeal_type=ticket.appeal_type, category_id=ticket.category_id, urgency=ticket.urgency
    )
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "query_code": ticket.query_code,
        "portal_url": settings.REXIAN["PORTAL_URL"],
        "handling_limit": limit_text(handling.amount, hours=handling.unit is LimitUnit.HOURS),
        "due_at": chinese_date(ticket.due_at.astimezone(clock.SHANGHAI)) if ticket.due_at else "",
    }


def unit_contacts(unit: Unit) -> list[Contact]:
    """The unit's duty phone and the email addresses of its active members."""
    emails = unit.members.filter(is_active=True).exclude(email="").values_list("email", flat=True)
    phone = [Contact(Medium.PHONE, unit.phone)] if unit.phone else []
    return phone + [Contact(Medium.EMAIL, email) for email in emails]


def _render_for_unit(unit: Unit, ticket: Ticket, template: str, context: Mapping[str, Any]) -> Rendered:
    return render(template, {**ticket_context(ticket), "unit": unit.name, **context})


def _queue(
    message: Rendered, contacts: Sequence[Contact], *, template: str, ticket_id: int | None, dedupe_key: str
) -> None:
    now = clock.now()
    # A caller in autocommit (the worker's own notification task) sends what it writes at once: each row is committed
    # by its insert, and one more task in the queue would cost more than the sending.
    sending_here = not connection.in_atomic_block
    fresh: list[Delivery] = []
    for channel, address in routes(contacts, enabled_channels()):
        row = Delivery(
            dedupe_key=dedupe_key, channel=channel, recipient=address, subject=message.subject[:200], body=message.body,
            template=template, ticket_id=ticket_id, created_at=now, next_attempt_at=now,
        )  # fmt: skip
        if sending_here:
            claim_ahead(row, now)
        if _inserted(row):
            fresh.append(row)
    if not fresh:
        return
    if sending_here:
        send_claimed(fresh)
        return
    ids = [row.pk for row in fresh]
    # robust: should the queue be unreachable, the caller's work stands and the sweep sends these later
    transaction.on_commit(lambda: send_deliveries.enqueue(ids), robust=True)


def _inserted(row: Delivery) -> bool:
    """Insert the delivery unless its message went to that address before (a retried task, a sweep run twice).
    The insert comes first: a message is nearly always new, and the unique constraint finds the exceptions. Inside a
    transaction a savepoint keeps a refused insert from spoiling it; in autocommit a refused insert leaves nothing."""
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            row.save(force_insert=True)
    except IntegrityError:
        same = Delivery.objects.filter(dedupe_key=row.dedupe_key, channel=row.channel, recipient=row.recipient)
        if same.exists():
            return False
        raise
    return True


def requeue(deliveries: QuerySet[Delivery]) -> int:
    """Send failed deliveries again, each with a fresh count of attempts; returns how many."""
    failed = deliveries.filter(status__in=[DeliveryStatus.DEAD, DeliveryStatus.RETRYING])
    ids = list(failed.values_list("pk", flat=True))
    failed.filter(pk__in=ids).update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=clock.now())
    if ids:
        transaction.on_commit(lambda: send_deliveries.enqueue(ids), robust=True)
    return len(ids)
