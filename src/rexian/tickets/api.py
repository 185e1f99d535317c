"""Ticket endpoints: create, list, read, events, and one POST per action (/tickets/{id}/actions/{action})."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from rexian.core.errors import NotFound
from rexian.routing import api as routing_api
from rexian.routing.suggest import appeal_of, suggest
from rexian.tickets import actions, schemas
from rexian.tickets.access import (
    get_ticket_for,
    identity_hidden,
    phone_masked,
    record_identity_shown,
    shown_identity,
    visible_payload,
)
from rexian.tickets.models import IdentityAccess, Ticket, TicketEvent
from rexian.tickets.selectors import attachment_of, attachment_response, events_of, filter_tickets, page_of
from rexian.tickets.workflow import Action, State

router = Router(tags=["tickets"])


def _unit(unit: Any) -> dict[str, Any] | None:
    return {"id": unit.pk, "code": unit.code, "name": unit.name} if unit else None


def ticket_out(ticket: Ticket, actor: Any) -> dict[str, Any]:
    name, phone = shown_identity(actor, ticket)
    category = ticket.category
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "state": ticket.state,
        "state_label": State(ticket.state).label,
        "version": ticket.version,
        "subject": ticket.subject,
        "description": ticket.description,
        "appeal_type": ticket.appeal_type,
        "urgency": ticket.urgency,
        "channel": ticket.channel,
        "category": {"id": category.pk, "code": category.code, "name": category.name, "path_name": category.path_name}
        if category
        else None,
        "citizen_name": name,
        "citizen_phone": phone,
        "is_anonymous": ticket.is_anonymous,
        "is_confidential": ticket.is_confidential,
        "address": ticket.address,
        "district": _unit(ticket.district),
        "street": _unit(ticket.street),
        "lead_unit": _unit(ticket.lead_unit),
        "handling_unit": _unit(ticket.handling_unit),
        "co_units": [_unit(u) for u in ticket.co_units.all()],
        "merged_into": ticket.merged_into_id,
        "needs_information": ticket.needs_information,
        "extension_request": ticket.extension_request,
        "extensions_granted": ticket.extensions_granted,
        "rehandle_count": ticket.rehandle_count,
        "result_text": ticket.result_text,
        "satisfaction": ticket.satisfaction,
        "resolved": ticket.resolved,
        "created_at": ticket.created_at,
        "dispatched_at": ticket.dispatched_at,
        "signed_at": ticket.signed_at,
        "return_deadline": ticket.return_deadline,
        "due_at": ticket.due_at,
        "replied_at": ticket.replied_at,
        "callback_due_at": ticket.callback_due_at,
        "closed_at": ticket.closed_at,
        "allowed_actions": actions.allowed_actions(actor, ticket),
    }


def event_out(event: TicketEvent, hide_identity: bool, mask: bool = False) -> dict[str, Any]:
    payload = visible_payload(event.payload, hide_identity, mask)
    return {
        "seq": event.seq,
        "action": event.action,
        "action_label": Action(event.action).label,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor_name": event.actor_name,
        "actor_unit": _unit(event.actor_unit),
        "payload": payload,
        "version": event.version,
        "created_at": event.created_at,
    }


@router.post("/tickets", response={201: schemas.TicketOut}, summary="登记工单")
def create_ticket(request: HttpRequest, response: HttpResponse, payload: schemas.TicketIn):
    key = request.headers.get("Idempotency-Key")
    ticket, created = actions.create_ticket(actor=request.auth, data=payload.dict(), idempotency_key=key)
    if not created:
        response["Idempotency-Replayed"] = "true"
    return Status(201, ticket_out(ticket, request.auth))


@router.get("/tickets", response=schemas.TicketPage, summary="工单列表")
def list_tickets(request: HttpRequest, filters: Query[schemas.TicketFilters]):
    data = filters.dict()
    items, count, pages = page_of(filter_tickets(request.auth, data), data["page"], data["page_size"])
    record_identity_shown(request.auth, items, IdentityAccess.Via.API)
    return {
        "items": [ticket_out(t, request.auth) for t in items],
        "count": count,
        "page": data["page"],
        "page_size": data["page_size"],
        "pages": pages,
    }


@router.get("/tickets/{ticket_id}", response=schemas.TicketOut, summary="工单详情")
def read_ticket(request: HttpRequest, ticket_id: int):
    return shown_out(get_ticket_for(request.auth, ticket_id), request.auth)


def shown_out(ticket: Ticket, actor: Any) -> dict[str, Any]:
    """A ticket read by someone, the reading written to the access log when it shows the citizen."""
    record_identity_shown(actor, [ticket], IdentityAccess.Via.API)
    return ticket_out(ticket, actor)


@router.get("/tickets/{ticket_id}/events", response=list[schemas.EventOut], summary="流转记录")
def ticket_events(request: HttpRequest, ticket_id: int):
    ticket = get_ticket_for(request.auth, ticket_id)
    hide, mask = identity_hidden(request.auth, ticket), phone_masked(request.auth, ticket)
    return [event_out(e, hide, mask) for e in events_of(ticket)]


@router.post("/tickets/{ticket_id}/attachments", response=schemas.TicketOut, summary="上传附件")
def upload_attachment(
    request: HttpRequest, ticket_id: int, version: Form[int], file: File[UploadedFile], text: Form[str] = ""
):
    ticket = actions.attach_file(actor=request.auth, ticket_id=ticket_id, version=version, upload=file, text=text)
    return shown_out(ticket, request.auth)


@router.get("/tickets/{ticket_id}/attachments", response=list[schemas.AttachmentOut], summary="附件列表")
def list_attachments(request: HttpRequest, ticket_id: int):
    ticket = get_ticket_for(request.auth, ticket_id)
    return [
        {"id": a.pk, "name": a.name, "content_type": a.content_type, "size": a.size, "uploaded_at": a.uploaded_at}
        for a in ticket.attachments.order_by("pk")
    ]


@router.get("/tickets/{ticket_id}/attachments/{attachment_id}", summary="下载附件")
def download_attachment(request: HttpRequest, ticket_id: int, attachment_id: int):
    return attachment_response(attachment_of(request.auth, ticket_id, attachment_id))


@router.get(
    "/tickets/{ticket_id}/dispatch-suggestion",
    response=routing_api.SuggestionOut,
    summary="派单建议（目录、属地、模型）",
)
def dispatch_suggestion(request: HttpRequest, ticket_id: int):
    """The dispatch catalogue's row for the ticket's category and place (属地 row first), the models' second
    opinion, and the reasons (routing/suggest.py)."""
    ticket = get_ticket_for(request.auth, ticket_id)
    return routing_api.suggestion_out(suggest(appeal_of(ticket)))


def _register(action: Action, schema: type[Schema]) -> None:
    def perform(request: HttpRequest, ticket_id: int, payload: schema):  # type: ignore[valid-type]
        kwargs = schemas.action_kwargs(action, payload)
        ticket = actions.ACTIONS[action](actor=request.auth, ticket_id=ticket_id, **kwargs)
        return shown_out(ticket, request.auth)

    perform.__name__ = f"action_{action.value}"
    router.post(
        f"/tickets/{{ticket_id}}/actions/{action.value}",
        response=schemas.TicketOut,
        summary=action.label,
        operation_id=f"ticket_{action.value}",
    )(perform)


for _action, _schema in schemas.ACTION_SCHEMAS.items():
    _register(_action, _schema)


@router.post("/tickets/{ticket_id}/actions/{action}", response={404: dict}, include_in_schema=False)
def unknown_action(request: HttpRequest, ticket_id: int, action: str):
    raise NotFound(f"没有名为“{action}”的动作。")
