"""The citizen portal (no login): what 12345 accepts, filing an appeal, following it, rating the answer.

A citizen has no account. The session remembers the tickets they filed here or proved are theirs
(number + phone or query code), and every read goes through `access.get_ticket_for` with a
`CitizenActor` bound to that one ticket; every write goes through `tickets.actions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rexian.core.clock import SHANGHAI
from rexian.core.errors import DomainError, InvalidTransition, NotFound, StaleVersion, ValidationError
from rexian.core.ratelimit import client_ip, hit
from rexian.directory.models import Unit, UnitKind
from rexian.knowledge.search import search
from rexian.notify.templates import redact
from rexian.supervision.selectors import public_listed
from rexian.taxonomy.choices import AppealType, Channel
from rexian.tickets.access import CitizenActor, citizen_ticket, get_ticket_for
from rexian.tickets.actions import callback, create_ticket
from rexian.tickets.models import Ticket, TicketEvent
from rexian.tickets.selectors import events_of
from rexian.tickets.workflow import UNIT_STATES, Action, CallbackOutcome, State
from rexian.web.views.common import paginate

SESSION_TICKETS = "portal_tickets"  # ids of the tickets this browser may follow
SESSION_LAST = "portal_last"  # the ticket just filed, for the confirmation page
MAX_REMEMBERED = 20
HONEYPOT = "website"

# "Other" is the centre's catch-all for calls it cannot classify; a citizen picks a real type.
PORTAL_TYPES: tuple[AppealType, ...] = tuple(t for t in AppealType if t is not AppealType.OTHER)
TEXT_INPUTS = ("citizen_name", "citizen_phone", "appeal_type", "district", "address", "subject", "description")
CHECKBOXES = ("is_anonymous", "is_confidential")

SUBMIT_LIMITED = gettext_lazy("提交过于频繁，请稍后再试。如情况紧急，请直接拨打 12345。")
LOOKUP_LIMITED = gettext_lazy("查询过于频繁，请稍后再试。")
MISMATCH = gettext_lazy("编号与电话/查询码不匹配，请核对后重试。")
NOT_RATEABLE = gettext_lazy("该工单目前不能评价：承办单位答复并经审核后，工单处于“待评价”时才能评价。")
STALE = gettext_lazy("工单状态已更新，请查看最新进度后再评价。")
THANKS = gettext_lazy("感谢您的评价")

# What the citizen is told, by state: our internal stages (审核, 退单…) mean nothing to them. This dict and
# PUBLIC_WORDING are translated by the templates (rexian/web/labels.py lists them for the catalogue).
CITIZEN_STATES: dict[State, str] = {
    State.REGISTERED: "已受理，正在派单",
    State.DISPATCHED: "办理中",
    State.IN_PROGRESS: "办理中",
    State.RETURN_REQUESTED: "办理中",
    State.REPLIED: "办理完毕，正在审核",
    State.CALLBACK_PENDING: "已答复，待评价",
    State.CLOSED: "已办结",
    State.ANSWERED: "已办结",
    State.REJECTED: "不予受理",
    State.ARCHIVED: "已办结",
    State.MERGED: "已并入其他工单",
}
# States in which the answer is final and approved: a unit's reply is shown only after review.
ANSWER_STATES = frozenset({State.ANSWERED, State.CALLBACK_PENDING, State.CLOSED, State.ARCHIVED})
# The only events a citizen sees. Notes, returns, extensions, sub-dispatches and replies under review
# are the centre's and the units' internal business.
PUBLIC_WORDING: dict[Action, str] = {
    Action.CREATE: "已受理",
    Action.ANSWER_DIRECTLY: "已直接答复",
    Action.REJECT_OUT_OF_SCOPE: "不予受理",
    Action.DISPATCH: "已派至承办单位",
    Action.SIGN: "承办单位已签收",
    Action.APPROVE_REPLY: "承办单位已答复",
    Action.CALLBACK: "已回访",
    Action.ARCHIVE: "已归档",
}
OUTCOMES = frozenset(o.value for o in CallbackOutcome)
QUESTION_LIMIT = 200
ANSWERS_SHOWN = 5
ASK_LIMITED = gettext_noop("提问过于频繁，请稍后再试。")
MAX_MERGE_HOPS = 10  # a merge chain longer than this is a data error: stop rather than loop
CITIZEN_NAME = str(CitizenActor())  # the actor_name of events the citizen wrote on the portal


@dataclass(frozen=True)
class PublicEvent:
    when: str
    text: str
    detail: str = ""


@dataclass(frozen=True)
class MergedInto:
    """The ticket a merged appeal is handled with, as its citizen sees it: never that ticket's citizen."""

    number: str
    citizen_state: str
    answer: str


# ---- pages -----------------------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/portal/home.html")


@require_GET
def ask(request: HttpRequest) -> HttpResponse:
    """问答: a citizen's question answered from the published knowledge entries (the plain-language answer
    first), before they write an appeal about it."""
    question = request.GET.get("q", "").strip()[:QUESTION_LIMIT]
    context: dict[str, Any] = {"question": question, "hits": []}
    if question:
        limit = _setting("PORTAL_QUESTIONS_PER_MINUTE")
        if not hit("portal_ask", client_ip(request), limit=limit, window_seconds=60):
            context["error"] = gettext(ASK_LIMITED)
            return render(request, "web/portal/ask.html", context, status=429)
        context["hits"] = search(question, limit=ANSWERS_SHOWN)
    return render(request, "web/portal/ask.html", context)


@require_GET
def listed(request: HttpRequest) -> HttpResponse:
    """The active 挂牌督办 cases, public: number, subject, unit, date and reason, never the citizen."""
    return render(request, "web/portal/listed.html", {"page": paginate(request, public_listed())})


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _submit_form(request, {"is_anonymous": False, "is_confidential": False})
    values = _posted_values(request.POST)
    if request.POST.get(HONEYPOT, "").strip():
        # A bot filled the hidden field: answer as if it worked so that it learns nothing.
        return redirect("portal_submitted")
    # Every attempt counts, invalid ones too: the limit is there to stop floods, and the browser's own
    # `required` checks catch a citizen's slips before they are posted.
    if not hit("portal_submit", client_ip(request), limit=_setting("PORTAL_SUBMITS_PER_HOUR"), window_seconds=3600):
        return _submit_form(request, values, error=SUBMIT_LIMITED, status=429)
    try:
        ticket, _ = create_ticket(actor=CitizenActor(), data=_ticket_data(values))
    except ValidationError as exc:
        return _submit_form(request, values, errors=exc.fields, error=exc.message, status=422)
    _remember(request, ticket.pk)
    request.session[SESSION_LAST] = ticket.pk
    return redirect("portal_submitted")


@never_cache
@require_GET
def submitted(request: HttpRequest) -> HttpResponse:
    ticket_id = request.session.get(SESSION_LAST)
    ticket = _load(ticket_id) if isinstance(ticket_id, int) else None
    if ticket is None:
        return redirect("portal")
    return render(request, "web/portal/submitted.html", {"ticket": ticket})


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _track_form(request, {"number": request.GET.get("number", "").strip()})
    number, proof = request.POST.get("number", "").strip(), request.POST.get("proof", "").strip()
    values = {"number": number}  # the proof is never echoed back: it works like a password
    # Counted before anything is checked: this is what stops guessing query codes or phone numbers.
    if not hit("portal_lookup", client_ip(request), limit=_setting("PORTAL_LOOKUPS_PER_10_MIN"), window_seconds=600):
        return _track_form(request, values, error=LOOKUP_LIMITED, status=429)
    errors = _missing_track_fields(number, proof)
    if errors:
        return _track_form(request, values, errors=errors, status=422)
    ticket = citizen_ticket(number, proof)
    if ticket is None:  # one message whether or not the number exists
        return _track_form(request, values, error=MISMATCH, status=422)
    _remember(request, ticket.pk)
    return redirect("portal_status", number=ticket.number)


@never_cache
@require_GET
def status(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _owned_ticket(request, number)
    if ticket is None:
        return _to_track(number)
    return render(request, "web/portal/status.html", _status_context(ticket))


@never_cache
@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _owned_ticket(request, number)
    if ticket is None:
        return _to_track(number)
    rating = {name: request.POST.get(name, "").strip() for name in ("satisfaction", "resolved", "comment")}
    try:
        callback(
            actor=CitizenActor(own_ticket_id=ticket.pk),
            ticket_id=ticket.pk,
            version=_int(request.POST.get("version")),
            reached=True,  # the citizen is here: always "reached"
            satisfaction=rating["satisfaction"] or None,
            resolved={"yes": True, "no": False}.get(rating["resolved"]),
            comment=rating["comment"],
        )
    except DomainError as exc:
        context = _status_context(ticket, rating=rating, rating_errors=exc.fields, error=_rating_message(exc))
        return render(request, "web/portal/status.html", context, status=exc.status)
    messages.success(request, THANKS)
    return redirect("portal_status", number=ticket.number)


# ---- the submit form ---------------------------------------------------------------------------------------


def _submit_form(
    request: HttpRequest,
    values: dict[str, Any],
    *,
    errors: dict[str, list[str]] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    shown = {*TEXT_INPUTS, *CHECKBOXES}
    # An error on a field the form does not show still has to reach the citizen.
    other_errors = [m for field, msgs in errors.items() if field not in shown for m in msgs]
    context = {
        "values": values,
        "errors": errors,
        "error": error,
        "other_errors": other_errors,
        "types": [(t.value, t.label) for t in PORTAL_TYPES],
        "districts": _districts(),
        "honeypot": HONEYPOT,
    }
    return render(request, "web/portal/submit.html", context, status=status)


def _posted_values(post: QueryDict) -> dict[str, Any]:
    values: dict[str, Any] = {name: post.get(name, "").strip() for name in TEXT_INPUTS}
    values.update({name: post.get(name) == "on" for name in CHECKBOXES})
    return values


def _ticket_data(values: dict[str, Any]) -> dict[str, Any]:
    data = {**values, "channel": Channel.WEB.value}
    if data["appeal_type"] not in {t.value for t in PORTAL_TYPES}:
        data["appeal_type"] = ""  # refused by create_ticket as "请选择诉求类型"
    if data["is_anonymous"]:
        data["citizen_name"] = data["citizen_phone"] = ""  # an anonymous appeal keeps no identity
    return data


def _districts() -> QuerySet[Unit]:
    return Unit.objects.filter(kind=UnitKind.DISTRICT, is_active=True).order_by("path")


# ---- tracking ----------------------------------------------------------------------------------------------


def _track_form(
    request: HttpRequest,
    values: dict[str, str],
    *,
    errors: dict[str, list[str]] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {"values": values, "errors": errors or {}, "error": error}
    return render(request, "web/portal/track.html", context, status=status)


def _missing_track_fields(number: str, proof: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not number:
        errors["number"] = [gettext("请填写工单编号。")]
    if not proof:
        errors["proof"] = [gettext("请填写联系电话或查询码。")]
    return errors


def _to_track(number: str) -> HttpResponse:
    return redirect(f"{reverse('portal_track')}?{urlencode({'number': number})}")


# ---- the session's tickets ---------------------------------------------------------------------------------


def _remembered(request: HttpRequest) -> list[int]:
    raw = request.session.get(SESSION_TICKETS, [])
    return [i for i in raw if isinstance(i, int)] if isinstance(raw, list) else []


def _remember(request: HttpRequest, ticket_id: int) -> None:
    if not _remembered(request):
        # Proving a ticket is like signing in: a new session key defeats session fixation.
        request.session.cycle_key()
    ids = [i for i in _remembered(request) if i != ticket_id]
    request.session[SESSION_TICKETS] = [*ids, ticket_id][-MAX_REMEMBERED:]


def _owned_ticket(request: HttpRequest, number: str) -> Ticket | None:
    """The ticket with this number if this session filed or proved it; else None."""
    ticket_id = Ticket.objects.filter(number=number, pk__in=_remembered(request)).values_list("pk", flat=True).first()
    return _load(ticket_id) if ticket_id is not None else None


def _load(ticket_id: int) -> Ticket | None:
    try:
        return get_ticket_for(CitizenActor(own_ticket_id=ticket_id), ticket_id)
    except NotFound:
        return None


# ---- the status page ---------------------------------------------------------------------------------------


def _status_context(ticket: Ticket, **extra: Any) -> dict[str, Any]:
    state = State(ticket.state)
    in_unit = state in UNIT_STATES
    context: dict[str, Any] = {
        "ticket": ticket,
        "type_label": ticket.get_appeal_type_display(),
        "submitted_at": _local(ticket.created_at),
        "citizen_state": CITIZEN_STATES[state],
        "unit_name": ticket.handling_unit.name if in_unit and ticket.handling_unit else "",
        # Back with the unit after a rating of 不满意 (or an unsatisfied callback): 重办.
        "rehandling": in_unit and ticket.rehandle_count > 0,
        "answer": ticket.result_text if state in ANSWER_STATES else "",
        "merged": _merged_into(ticket),
        "timeline": _timeline(ticket),
        "can_rate": state is State.CALLBACK_PENDING,
        "outcomes": [(o.value, o.label) for o in CallbackOutcome],
        "rating": {},
        "rating_errors": {},
        "error": "",
    }
    context.update(extra)
    return context


def _merged_into(ticket: Ticket) -> MergedInto | None:
    """Where a merged appeal is handled: the ticket at the end of its merge chain, its progress and its answer."""
    parent, parent_id = None, ticket.merged_into_id
    for _ in range(MAX_MERGE_HOPS):
        if parent_id is None:
            break
        # The merge makes that ticket's progress this citizen's business: it is read as theirs, through access.
        parent = _load(parent_id)
        parent_id = parent.merged_into_id if parent else None
    if parent is None:
        return None
    state = State(parent.state)
    answer = redact(parent.result_text, parent.citizen_name, parent.citizen_phone) if state in ANSWER_STATES else ""
    return MergedInto(parent.number, CITIZEN_STATES[state], answer)


def _timeline(ticket: Ticket) -> list[PublicEvent]:
    events = events_of(ticket).filter(action__in=[a.value for a in PUBLIC_WORDING])
    shown = (_public_event(event) for event in events)
    return [event for event in shown if event is not None]


def _public_event(event: TicketEvent) -> PublicEvent | None:
    payload = event.payload if isinstance(event.payload, dict) else {}
    action = Action(event.action)
    if action is Action.CALLBACK:
        return _callback_event(event, payload)
    return PublicEvent(_local(event.created_at), PUBLIC_WORDING[action], _detail(action, payload))


def _detail(action: Action, payload: dict[str, Any]) -> str:
    if action is Action.REJECT_OUT_OF_SCOPE:
        reason, redirect_to = payload.get("reason", ""), payload.get("redirect_to", "")
        return gettext("原因：%(reason)s\n建议：%(redirect_to)s") % {"reason": reason, "redirect_to": redirect_to}
    if action is Action.DISPATCH:
        lead = payload.get("lead_unit")
        return str(lead.get("name", "")) if isinstance(lead, dict) else ""
    return ""


def _callback_event(event: TicketEvent, payload: dict[str, Any]) -> PublicEvent | None:
    if not payload.get("reached"):
        return None  # a call nobody answered: the centre simply tries again
    text = gettext("已评价") if event.actor_id is None and event.actor_name == CITIZEN_NAME else gettext("已回访")
    satisfaction = payload.get("satisfaction")
    outcome = gettext(CallbackOutcome(satisfaction).label) if satisfaction in OUTCOMES else ""
    detail = gettext("满意度：%(outcome)s") % {"outcome": outcome} if outcome else ""
    if payload.get("rehandle"):
        detail += gettext("；已转承办单位重新办理（重办）")
    return PublicEvent(_local(event.created_at), text, detail)


def _rating_message(exc: DomainError) -> str:
    if isinstance(exc, InvalidTransition):
        return NOT_RATEABLE
    if isinstance(exc, StaleVersion):
        return STALE
    return exc.message


# ---- small helpers -----------------------------------------------------------------------------------------


def _local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _int(value: str | None) -> int:
    """A posted version; garbage becomes 0, which no ticket has, so the action reports it as stale."""
    try:
        return int(value or "")
    except ValueError:
        return 0


def _setting(name: str) -> int:
    return int(settings.REXIAN[name])
