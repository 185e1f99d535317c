"""Writes of the telephony app: a CTI event recorded and its call re-derived, a call linked to the ticket it
became, an abandoned call marked as called back. Tickets themselves change only in tickets/actions.py; a call
names its ticket but does not change it."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from rexian.core import clock
from rexian.core.errors import Conflict, NotFound, PermissionDenied
from rexian.directory.models import User
from rexian.directory.roles import Role
from rexian.intake.models import ChannelAccount
from rexian.telephony.models import NOTE_LIMIT, Call, CallEvent
from rexian.telephony.rules import EventFact, EventIn, EventKind, derive
from rexian.tickets.access import Actor, actor_name
from rexian.tickets.models import Ticket
from rexian.tickets.validation import FieldErrors, clean_text

# The agents on the phones and their supervisors call abandoned callers back.
CALLBACK_ROLES = frozenset({Role.INTAKE, Role.SHIFT_LEAD, Role.CENTRE_ADMIN})
# Who may link another agent's call to a ticket (an agent links their own).
LINK_ANY_ROLES = frozenset({Role.SHIFT_LEAD, Role.CENTRE_ADMIN})
FACT_FIELDS = ("agent", "caller", "dialled", "transferred_to", "recording_url")


def record_call_event(account: ChannelAccount, fields: EventIn) -> tuple[Call, bool]:
    """Record one CTI event and re-derive its call from all its events (whatever order they came in).
    Returns (call, created): created is False for an event_id this account sent before, which changes nothing.
    A call_id another CTI account already uses is refused (409)."""
    with transaction.atomic():
        seen = CallEvent.objects.filter(account=account, event_id=fields.event_id).select_related("call").first()
        if seen is not None:
            return seen.call, False
        call = _locked_call(account, fields)
        try:
            with transaction.atomic():
                _insert_event(account, call, fields)
        except IntegrityError:  # the same event_id, delivered twice at once: the other delivery recorded it
            return call, False
        _rederive(call)
    return call, True


def _locked_call(account: ChannelAccount, fields: EventIn) -> Call:
    moment, at = clock.now(), fields.fact.at
    call, _ = Call.objects.get_or_create(
        call_id=fields.call_id, defaults={"account": account, "rang_at": at, "updated_at": moment}
    )
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.account_id != account.pk:
        raise Conflict(f"通话编号 {fields.call_id} 已被另一接入渠道使用。", code="call_id_taken")
    return call


def _insert_event(account: ChannelAccount, call: Call, fields: EventIn) -> None:
    CallEvent.objects.create(
        account=account,
        call=call,
        event_id=fields.event_id,
        kind=fields.fact.kind,
        occurred_at=fields.fact.at,
        received_at=clock.now(),
        payload=dict(fields.payload),
    )


def _facts_of(call: Call) -> list[EventFact]:
    rows = call.events.values_list("kind", "occurred_at", "payload")
    return [EventFact(EventKind(kind), at, **_texts(payload)) for kind, at, payload in rows]


def _texts(payload: object) -> dict[str, str]:
    body = payload if isinstance(payload, dict) else {}
    return {name: str(body.get(name) or "").strip() for name in FACT_FIELDS}


def _rederive(call: Call) -> None:
    facts = derive(_facts_of(call))
    if facts.agent != call.agent_code or (facts.agent and call.agent_id is None):
        call.agent = User.objects.filter(username=facts.agent).first() if facts.agent else None
    for name in ("state", "rang_at", "answered_at", "ended_at", "abandoned", "agent_code", "caller", "dialled",
                 "transferred_to", "recording_url", "wait_seconds", "handling_seconds"):  # fmt: skip
        setattr(call, name, getattr(facts, "agent" if name == "agent_code" else name))
    call.updated_at = clock.now()
    call.save()


def link_call(*, actor: Actor, call_id: str, ticket: Ticket) -> bool:
    """Link the call the agent took to the ticket registered from it. A call already linked stays linked to
    its first ticket (returns False; True when it is this one already, as on a retried submission); an agent
    links only their own calls, a shift lead or centre admin any."""
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(call_id=call_id).first()
        if call is None:
            raise NotFound(f"没有编号为 {call_id} 的通话。")
        if call.agent_code != getattr(actor, "username", None) and actor.roles.isdisjoint(LINK_ANY_ROLES):
            raise PermissionDenied("只能关联本人接听的通话。")
        if call.ticket_id is not None:
            return call.ticket_id == ticket.pk
        call.ticket = ticket
        call.save(update_fields=["ticket"])
    return True


def mark_called_back(*, actor: Actor, call_pk: int, note: str) -> Call:
    """Record that an abandoned caller was called back, and how it went (未回拨 → 已回拨)."""
    if actor.roles.isdisjoint(CALLBACK_ROLES):
        raise PermissionDenied("只有受理员、值班长或中心管理员可以登记回拨。")
    errors = FieldErrors()
    text = clean_text(errors, "note", note, label="回拨情况", limit=NOTE_LIMIT, required=True)
    errors.raise_if_any()
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(pk=call_pk).first()
        if call is None:
            raise NotFound("没有这个通话。")
        if not call.abandoned:
            raise Conflict("该通话已接通，无需回拨。", code="not_abandoned")
        if call.called_back_at is not None:
            when = call.called_back_at.astimezone(clock.SHANGHAI)
            message = f"该来电已由 {call.called_back_by_name} 于 {when:%m-%d %H:%M} 回拨。"
            raise Conflict(message, code="already_called_back")
        call.called_back_at, call.called_back_by_id = clock.now(), actor.pk
        call.called_back_by_name, call.callback_note = actor_name(actor), text
        call.save(update_fields=["called_back_at", "called_back_by", "called_back_by_name", "callback_note"])
    return call
