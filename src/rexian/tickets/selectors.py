"""Reads of tickets for a user: filtering, paging. Always start from access.visible_tickets."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from typing import Any

from django.db.models import Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import FileResponse

from rexian.core import clock
from rexian.core.clock import SHANGHAI
from rexian.core.errors import NotFound
from rexian.directory.models import Unit
from rexian.taxonomy.choices import Urgency
from rexian.taxonomy.models import Category
from rexian.tickets.access import Actor, get_ticket_for, sees_everything, unit_filter, visible_tickets
from rexian.tickets.models import Attachment, Ticket, TicketEvent
from rexian.tickets.workflow import UNIT_STATES, Action, State
from rexian.workdays.selectors import current_calendar

LIST_RELATED = ("category__parent__parent", "district", "street", "lead_unit", "handling_unit")
URGENT_FIRST = Case(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField())
# Actions that hand a ticket back to its unit: the unit must look at it again.
SENT_BACK_ACTIONS = (Action.SEND_BACK_REPLY, Action.REJECT_RETURN, Action.REJECT_EXTENSION, Action.CALLBACK)


def filter_tickets(actor: Actor, filters: dict[str, Any]) -> QuerySet[Ticket]:
    queryset = visible_tickets(actor)
    if filters.get("state"):
        queryset = queryset.filter(state__in=filters["state"])
    for field in ("number", "appeal_type", "urgency", "channel"):
        if filters.get(field):
            queryset = queryset.filter(**{field: filters[field]})
    if filters.get("phone"):
        queryset = queryset.filter(citizen_phone=filters["phone"])
        if not sees_everything(actor):  # a match would reveal who filed a confidential appeal
            queryset = queryset.filter(is_confidential=False)
    if filters.get("q"):
        queryset = queryset.filter(Q(subject__icontains=filters["q"]) | Q(description__icontains=filters["q"]))
    if filters.get("unit"):
        unit = Unit.objects.filter(code=filters["unit"]).first()
        queryset = queryset.filter(unit_filter(unit)) if unit else queryset.none()
    if filters.get("category"):
        queryset = queryset.filter(category__code__startswith=filters["category"])
    if filters.get("district"):
        queryset = queryset.filter(district__code=filters["district"])
    if filters.get("created_from"):
        queryset = queryset.filter(created_at__gte=datetime.combine(filters["created_from"], time.min, SHANGHAI))
    if filters.get("created_to"):
        queryset = queryset.filter(created_at__lte=datetime.combine(filters["created_to"], time.max, SHANGHAI))
    return queryset.select_related("category", "district", "street", "lead_unit", "handling_unit").prefetch_related(
        "co_units"
    )


def page_of(queryset: QuerySet[Ticket], page: int, page_size: int) -> tuple[list[Ticket], int, int]:
    count = queryset.count()
    pages = max(1, -(-count // page_size))
    items = list(queryset.order_by("-created_at", "-id")[(page - 1) * page_size : page * page_size])
    return items, count, pages


def events_of(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor_unit").order_by("seq")


def category_tree() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("parent").order_by("code")


# ---- the workbenches' queues ----------------------------------------------------------------------------


def caller_history(actor: Actor, phone: str, limit: int = 20) -> list[Ticket]:
    """A caller's earlier tickets, newest first: is this a repeat caller, is something still open?"""
    phone = phone.strip()
    if not phone:
        return []
    return list(filter_tickets(actor, {"phone": phone}).order_by("-created_at")[:limit])


def dispatch_queue(actor: Actor) -> QuerySet[Ticket]:
    """Registered tickets waiting for a dispatcher: urgent first, then the oldest."""
    return (
        visible_tickets(actor)
        .filter(state=State.REGISTERED, needs_information=False)
        .select_related(*LIST_RELATED)
        .order_by(URGENT_FIRST, "created_at", "id")
    )


def needing_information(actor: Actor) -> QuerySet[Ticket]:
    """Tickets a dispatcher sent back to intake (退回受理): the agent completes them."""
    return (
        visible_tickets(actor)
        .filter(state=State.REGISTERED, needs_information=True)
        .select_related(*LIST_RELATED)
        .order_by("updated_at")
    )


class InboxStage(StrEnum):
    TO_SIGN = "sign"
    IN_PROGRESS = "progress"
    DUE_SOON = "due"
    OVERDUE = "overdue"
    SENT_BACK = "returned"

    @property
    def label(self) -> str:
        return {"sign": "待签收", "progress": "办理中", "due": "即将到期", "overdue": "已超期", "returned": "退回重办"}[
            self.value
        ]


def unit_inbox(actor: Actor, stage: InboxStage) -> QuerySet[Ticket]:
    """The tickets the actor's unit (or a subordinate) is handling, at one stage of the work."""
    if actor.unit is None:
        return Ticket.objects.none()
    now = clock.now()
    # Handled now by the unit or a subordinate (co-handled tickets are found through search).
    mine = visible_tickets(actor).filter(handling_unit__path__startswith=actor.unit.path)
    mine = mine.select_related(*LIST_RELATED).order_by(URGENT_FIRST, "due_at", "id")
    if stage is InboxStage.TO_SIGN:
        return mine.filter(state=State.DISPATCHED)
    if stage is InboxStage.IN_PROGRESS:
        return mine.filter(state__in=[State.IN_PROGRESS, State.RETURN_REQUESTED])
    if stage is InboxStage.DUE_SOON:
        soon = current_calendar().deadline(now, 1)
        return mine.filter(state__in=UNIT_STATES, due_at__gte=now, due_at__lte=soon)
    if stage is InboxStage.OVERDUE:
        return mine.filter(state__in=UNIT_STATES, due_at__lt=now)
    last_action = (
        TicketEvent.objects.filter(ticket=OuterRef("pk"))
        .exclude(action=Action.ADD_NOTE)
        .order_by("-seq")
        .values("action")[:1]
    )
    return mine.filter(state=State.IN_PROGRESS).annotate(last_action=Subquery(last_action)).filter(
        last_action__in=SENT_BACK_ACTIONS
    )


class ReviewKind(StrEnum):
    REPLY = "reply"
    RETURN = "return"
    EXTENSION = "extension"

    @property
    def label(self) -> str:
        return {"reply": "答复审核", "return": "退单申请", "extension": "延期申请"}[self.value]


def review_queue(actor: Actor, kind: ReviewKind) -> QuerySet[Ticket]:
    """Replies, return requests and extension requests waiting for the centre, oldest first."""
    tickets = visible_tickets(actor).select_related(*LIST_RELATED)
    if kind is ReviewKind.REPLY:
        return tickets.filter(state=State.REPLIED).order_by("replied_at", "id")
    if kind is ReviewKind.RETURN:
        return tickets.filter(state=State.RETURN_REQUESTED).order_by("updated_at", "id")
    return tickets.filter(state=State.IN_PROGRESS, extension_request__isnull=False).order_by("updated_at", "id")


def callback_queue(actor: Actor) -> QuerySet[Ticket]:
    """Tickets waiting for the citizen's callback: urgent first, then by callback deadline."""
    return (
        visible_tickets(actor)
        .filter(state=State.CALLBACK_PENDING)
        .select_related(*LIST_RELATED)
        .order_by(URGENT_FIRST, "callback_due_at", "id")
    )


def attachment_of(actor: Actor, ticket_id: int, attachment_id: int) -> Attachment:
    """An attachment of a ticket the actor may see (NotFound otherwise)."""
    attachment = get_ticket_for(actor, ticket_id).attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("附件不存在。")
    return attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file as a download, with the type we sniffed at upload, never sniffed again by the browser."""
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
