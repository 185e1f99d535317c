"""The only ways into tickets for a user: `visible_tickets` and `get_ticket_for`.

Centre roles see every ticket. Unit users see the tickets their unit or a subordinate unit leads,
handles or co-handles. Everyone else sees nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Protocol

from django.db.models import Q, QuerySet

from rexian.core import clock
from rexian.core.errors import InvalidTransition, NotFound, PermissionDenied
from rexian.core.masking import mask_phone
from rexian.directory.models import Unit
from rexian.directory.roles import CENTRE_ROLES, UNIT_ROLES, Role
from rexian.taxonomy.choices import Channel
from rexian.tickets.models import IdentityAccess, Ticket
from rexian.tickets.workflow import TRANSITIONS, Action, Scope, State, Transition, transition_for


class Actor(Protocol):
    pk: int | None
    unit: Unit | None
    is_active: bool

    @property
    def roles(self) -> frozenset[Role]: ...


class SystemActor:
    """The machine acting on tickets (sweeps, automatic archiving, later auto-dispatch)."""

    pk = None
    unit = None
    is_active = True
    is_authenticated = True
    username = "system"
    roles = frozenset({Role.SYSTEM})

    def __str__(self) -> str:
        return "系统"


SYSTEM = SystemActor()


class CitizenActor:
    """A citizen without an account: on the public portal, or through a channel (WeChat, SMS, e-mail, an Open311
    app), named by `via`. Sees only the ticket they have proved is theirs (number + phone or query code): see
    `citizen_ticket`."""

    pk = None
    unit = None
    is_active = True
    is_authenticated = False
    username = "citizen"
    roles = frozenset({Role.CITIZEN})

    def __init__(self, own_ticket_id: int | None = None, *, via: str = "网上") -> None:
        self.own_ticket_id = own_ticket_id
        self.via = via

    def __str__(self) -> str:
        return f"诉求人（{self.via}）"


def actor_name(actor: Actor) -> str:
    """The name written into records: 姓+名 for staff, else the username; 系统 or the citizen for actors without
    an account."""
    if actor.pk is None:
        return str(actor)
    full = f"{getattr(actor, 'last_name', '')}{getattr(actor, 'first_name', '')}".strip()
    return full or getattr(actor, "username", "")


def citizen_ticket(number: str, proof: str) -> Ticket | None:
    """The ticket with this number, if `proof` is its citizen's phone number or its query code."""
    number, proof = number.strip(), proof.strip().replace(" ", "").replace("-", "")
    if not number or not proof:
        return None
    ticket = Ticket.objects.filter(number=number).first()
    if ticket is None:
        return None
    phone = ticket.citizen_phone.replace(" ", "").replace("-", "")
    if (phone and proof == phone) or (ticket.query_code and proof.upper() == ticket.query_code):
        return ticket
    return None


def _roles(actor: Actor) -> frozenset[Role]:
    return actor.roles if getattr(actor, "is_active", False) else frozenset()


def sees_everything(actor: Actor) -> bool:
    return bool(_roles(actor) & CENTRE_ROLES)


def unit_filter(unit: Unit) -> Q:
    subtree = Unit.objects.filter(path__startswith=unit.path).values("pk")
    co_handled = Ticket.co_units.through.objects.filter(unit__in=subtree).values("ticket_id")
    return Q(handling_unit__in=subtree) | Q(lead_unit__in=subtree) | Q(pk__in=co_handled)


def visible_tickets(actor: Actor | None) -> QuerySet[Ticket]:
    if actor is None:
        return Ticket.objects.none()
    if isinstance(actor, CitizenActor):
        return Ticket.objects.filter(pk=actor.own_ticket_id) if actor.own_ticket_id else Ticket.objects.none()
    if sees_everything(actor):
        return Ticket.objects.all()
    if _roles(actor) & UNIT_ROLES and actor.unit is not None:
        return Ticket.objects.filter(unit_filter(actor.unit))
    return Ticket.objects.none()


def get_ticket_for(
    actor: Actor | None, ticket_id: int, action: Action | str | None = None, *, for_update: bool = False
) -> Ticket:
    """The ticket if the actor may see it (and, given an action, may perform it now); else an error."""
    queryset = visible_tickets(actor)
    if for_update:
        queryset = queryset.select_for_update()
    ticket = queryset.filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("工单不存在或无权查看。")
    if action is not None:
        authorize(actor, ticket, Action(action))
    return ticket


def may_ever(actor: Actor, action: Action) -> bool:
    roles = _roles(actor)
    return any(t.action is action and not t.roles.isdisjoint(roles) for t in TRANSITIONS.values())


def in_scope(actor: Actor, ticket: Ticket, transition: Transition) -> bool:
    if transition.scope is Scope.ANY or sees_everything(actor):
        return True
    handler = ticket.handling_unit
    return handler is not None and actor.unit is not None and handler.is_within(actor.unit)


def authorize(actor: Actor | None, ticket: Ticket, action: Action) -> Transition:
    """403 when the role or unit may not; 409 when the state does not allow the action."""
    if actor is None or not may_ever(actor, action):
        raise PermissionDenied(f"您的角色不能执行“{action.label}”。")
    transition = transition_for(ticket.state, action)
    if transition is None:
        raise InvalidTransition(f"工单当前状态“{State(ticket.state).label}”不允许“{action.label}”。")
    if transition.roles.isdisjoint(_roles(actor)):
        raise PermissionDenied(f"您的角色不能在“{State(ticket.state).label}”状态下执行“{action.label}”。")
    if not in_scope(actor, ticket, transition):
        raise PermissionDenied("该工单不由您的单位承办。")
    return transition


def identity_hidden(actor: Actor | None, ticket: Ticket) -> bool:
    """A confidential (保密) citizen's identity is for the centre only."""
    return ticket.is_confidential and (actor is None or not sees_everything(actor))


HIDDEN_IDENTITY = "（保密）"
IDENTITY_FIELDS = ("citizen_name", "citizen_phone")
# Who reads a citizen's number in full: the centre's desks, who call citizens back, and a unit's handler, who
# must reach the citizen to handle the case. A unit admin and the city leader read it masked.
PHONE_ROLES: frozenset[Role] = (CENTRE_ROLES - {Role.CITY_LEADER}) | {Role.UNIT_HANDLER}


def phone_masked(actor: Actor | None, ticket: Ticket) -> bool:
    return actor is None or _roles(actor).isdisjoint(PHONE_ROLES)


def shown_identity(actor: Actor | None, ticket: Ticket) -> tuple[str, str]:
    """(name, phone) as this user may read them: hidden for a confidential ticket outside the centre, the phone
    masked for a role that does not call citizens."""
    if identity_hidden(actor, ticket):
        return HIDDEN_IDENTITY, ""
    phone = mask_phone(ticket.citizen_phone) if phone_masked(actor, ticket) else ticket.citizen_phone
    return ticket.citizen_name, phone


def shows_identity(actor: Actor | None, ticket: Ticket) -> bool:
    """Whether showing this ticket to the user shows who the citizen is (written to the access log)."""
    return not identity_hidden(actor, ticket) and bool(ticket.citizen_name or ticket.citizen_phone)


# A page reloaded after each action is one reading, not ten: a user's readings of a ticket through one way within
# this window are logged once.
ACCESS_LOG_WINDOW = timedelta(minutes=10)


def record_identity_shown(actor: Actor | None, tickets: Iterable[Ticket], via: str) -> int:
    """Write the access log for the tickets whose citizen's identity this person was just shown; the number of
    rows written."""
    if actor is None or actor.pk is None:
        return 0
    shown = {t.pk: t for t in tickets if shows_identity(actor, t)}
    if not shown:
        return 0
    now = clock.now()
    recent = set(
        IdentityAccess.objects.filter(
            user_id=actor.pk, via=via, ticket_id__in=shown, at__gte=now - ACCESS_LOG_WINDOW
        ).values_list("ticket_id", flat=True)
    )
    rows = [IdentityAccess(user_id=actor.pk, ticket_id=pk, via=via, at=now) for pk in shown if pk not in recent]
    IdentityAccess.objects.bulk_create(rows)
    return len(rows)


def visible_payload(payload: dict, hide_identity: bool, mask: bool = False) -> dict:
    """An event's payload as a user may see it: a confidential citizen's changed identity is left out, and a
    changed phone number masked for a user who reads numbers masked."""
    payload = dict(payload)
    changed = payload.get("changed")
    if not changed:
        return payload
    if hide_identity:
        changed = {k: v for k, v in changed.items() if k not in IDENTITY_FIELDS}
    elif mask and "citizen_phone" in changed:
        phone = changed["citizen_phone"]
        changed = {**changed, "citizen_phone": {k: mask_phone(v or "") for k, v in phone.items()}}
    payload["changed"] = changed
    return payload


def open311_tickets() -> QuerySet[Ticket]:
    """The public Open311 API (no user) lists only what came in through Open311 and was not merged away."""
    return Ticket.objects.filter(channel=Channel.OPEN311, merged_into__isnull=True)
