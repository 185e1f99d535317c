"""The ticket page: every field, the timeline, the clocks and supervision, and a form for each action the user
may take now. Every action of the console, from any page, is posted to `act`; the supervisors' forms (notices,
watches) to their own views, which show errors on the same page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from rexian.core import clock
from rexian.core.errors import DomainError, NotFound, ValidationError
from rexian.core.masking import mask_phone
from rexian.directory.models import Unit
from rexian.directory.roles import Role
from rexian.directory.selectors import units_for_picking
from rexian.routing.suggest import appeal_of, suggest
from rexian.supervision.actions import issue_notice, lift_watch, watch_ticket
from rexian.supervision.models import WatchKind
from rexian.supervision.selectors import (
    clocks_of,
    issuable_levels,
    may_supervise,
    open_watches,
    visible_notices,
    with_deadlines,
)
from rexian.taxonomy.models import Category
from rexian.telephony.selectors import calls_of
from rexian.tickets.access import (
    HIDDEN_IDENTITY,
    get_ticket_for,
    identity_hidden,
    phone_masked,
    record_identity_shown,
    sees_everything,
    shown_identity,
    visible_tickets,
)
from rexian.tickets.actions import ACTIONS, allowed_actions, attach_file
from rexian.tickets.models import IdentityAccess, Ticket
from rexian.tickets.selectors import attachment_of, attachment_response, events_of
from rexian.tickets.workflow import FINISHED_STATES, Action
from rexian.web.forms import ACTION_FORMS, CALLBACK_SCRIPT, action_kwargs
from rexian.web.presenters import event_view
from rexian.web.views.common import overdue, staff_only

MAIN_STEPS = (
    Action.DISPATCH, Action.SIGN, Action.REPLY, Action.APPROVE_REPLY, Action.CALLBACK,
    Action.APPROVE_RETURN, Action.APPROVE_EXTENSION,
)  # fmt: skip
# The supervisors' forms on the page, by the name `failed` gives them when one is refused.
SUPERVISION_FORMS = ("notice", "watch", "lift")
# Queue rows that an action posted from a queue page re-renders in place (htmx).
ROW_FRAGMENTS = {"dispatch": "web/partials/dispatch_row.html", "unit": "web/partials/unit_row.html"}


def _load(request: HttpRequest, ticket_id: int) -> Ticket:
    try:
        ticket = get_ticket_for(request.user, ticket_id)
    except NotFound as error:
        raise Http404(error.message) from error
    return ticket


def _forms(request: HttpRequest, ticket: Ticket) -> list[dict[str, Any]]:
    """A form per action the user may take now, the main step of the work first."""
    codes = [Action(code) for code in allowed_actions(request.user, ticket) if Action(code) in ACTION_FORMS]
    codes.sort(key=lambda a: MAIN_STEPS.index(a) if a in MAIN_STEPS else len(MAIN_STEPS))
    return [{"action": a, "label": a.label, "spec": ACTION_FORMS[a]} for a in codes]


def _form_context(ticket: Ticket, forms: list[dict[str, Any]]) -> dict[str, Any]:
    """What the action forms need beyond the ticket: unit lists, the catalogue's suggestion, the script."""
    codes = {f["action"] for f in forms}
    context: dict[str, Any] = {}
    if Action.DISPATCH in codes:
        context["units"] = list(units_for_picking())
        suggestion = suggest(appeal_of(ticket))
        context["suggested_unit"], context["suggestion"] = suggestion.unit, suggestion
    if Action.SUB_DISPATCH in codes and ticket.handling_unit:
        handler = ticket.handling_unit
        context["subunits"] = list(
            Unit.objects.filter(path__startswith=handler.path, is_active=True).exclude(pk=handler.pk).order_by("path")
        )
    if Action.AMEND in codes:
        context["categories"] = list(Category.objects.filter(is_active=True, level=3).order_by("code"))
    if Action.CALLBACK in codes:
        context["callback_script"] = CALLBACK_SCRIPT.format(
            date=ticket.created_at.strftime(gettext("%Y年%m月%d日")),
            subject=ticket.subject,
            unit=ticket.lead_unit.name if ticket.lead_unit else gettext("承办单位"),
        )
    return context


def _supervision(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    """The 时限与督办 panel: every clock, the notices the user may read, the watches, and what a supervisor
    may issue (documents only while a unit holds the ticket)."""
    watches = open_watches(ticket)
    open_work = ticket.handling_unit_id is not None and ticket.state not in FINISHED_STATES
    clocks = clocks_of(ticket, clock.now())
    return {
        "clocks": clocks,
        "worst_light": max((c.light for c in clocks if c.running), default=None),
        "notices": list(visible_notices(request.user).filter(ticket=ticket).order_by("issued_at", "pk")),
        "watches": watches,
        "levels": issuable_levels(request.user.roles) if open_work else [],
        "may_watch": may_supervise(request.user.roles),
        "watch_kinds": [kind for kind in WatchKind if kind not in {w.kind for w in watches}],
    }


def _page(request: HttpRequest, ticket: Ticket, *, failed: str = "", error: DomainError | None = None) -> HttpResponse:
    hidden, masked = identity_hidden(request.user, ticket), phone_masked(request.user, ticket)
    forms = _forms(request, ticket)
    record_identity_shown(request.user, [ticket], IdentityAccess.Via.PAGE)
    context = {
        "ticket": ticket,
        "identity_hidden": hidden,
        "hidden_label": HIDDEN_IDENTITY,
        "citizen_phone": shown_identity(request.user, ticket)[1],
        "show_query_code": sees_everything(request.user),
        "events": [event_view(e, hidden, masked) for e in events_of(ticket)],
        "attachments": list(ticket.attachments.order_by("pk")),
        "co_units": list(ticket.co_units.all()),
        "forms": forms,
        "failed": failed,
        "supervision_failed": failed in SUPERVISION_FORMS,
        "error": error,
        "errors": getattr(error, "fields", None) or {},
        "values": request.POST if failed else {},
        "overdue": overdue(ticket),
        # The calls it came in on (times, recording): the centre's, as the caller's number is identity.
        "calls": _calls(ticket, masked) if sees_everything(request.user) else [],
        "accesses": _accesses(request, ticket),
        **_form_context(ticket, forms),
        **_supervision(request, ticket),
    }
    status = error.status if error else 200
    return render(request, "web/console/ticket.html", context, status=status)


# Who reads the access log on the ticket page: the centre admin and quality control, who answer for privacy.
AUDIT_ROLES = frozenset({Role.CENTRE_ADMIN, Role.QUALITY})


def _accesses(request: HttpRequest, ticket: Ticket) -> list[IdentityAccess] | None:
    if AUDIT_ROLES.isdisjoint(request.user.roles):
        return None
    rows = IdentityAccess.objects.filter(ticket=ticket).select_related("user", "user__unit").order_by("-at", "-pk")
    return list(rows[:50])


def _calls(ticket: Ticket, masked: bool) -> list[Any]:
    calls = calls_of(ticket)
    for call in calls:
        call.caller = mask_phone(call.caller) if masked else call.caller
    return calls


@staff_only
def detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _page(request, _load(request, ticket_id))


def _next_url(request: HttpRequest, ticket: Ticket) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("ticket", args=[ticket.pk])


def _resolve_number(request: HttpRequest) -> Any:
    def resolve(number: str) -> int | None:
        return visible_tickets(request.user).filter(number=number.strip()).values_list("pk", flat=True).first()

    return resolve


@staff_only
def act(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("ticket", ticket_id=ticket_id)
    try:
        code = Action(action)
    except ValueError as error:
        raise Http404(gettext("没有这个动作。")) from error
    if code not in ACTIONS or code not in ACTION_FORMS:
        raise Http404(gettext("没有这个动作。"))
    fragment = ROW_FRAGMENTS.get(request.POST.get("fragment", ""))
    try:
        ticket = _perform(request, ticket_id, code)
    except DomainError as error:
        if fragment and request.htmx:
            return _row(request, fragment, ticket_id, error=error)
        if error.status == 404:
            raise Http404(error.message) from error
        return _page(request, _load(request, ticket_id), failed=code.value, error=error)
    if fragment and request.htmx:
        return _row(request, fragment, ticket_id, done=gettext("%(action)s完成") % {"action": gettext(code.label)})
    done = gettext("工单 %(number)s：%(action)s完成。") % {"number": ticket.number, "action": gettext(code.label)}
    messages.success(request, done)
    return redirect(_next_url(request, ticket))


def _perform(request: HttpRequest, ticket_id: int, code: Action) -> Ticket:
    kwargs = action_kwargs(code, request.POST, resolve_ticket=_resolve_number(request))
    if code is Action.REPLY:
        kwargs["attachments"] = request.FILES.getlist("files")
    upload = request.FILES.get("file")
    if code is Action.ADD_NOTE and upload is not None:  # a note that carries a file
        return attach_file(actor=request.user, ticket_id=ticket_id, upload=upload, **kwargs)
    return ACTIONS[code](actor=request.user, ticket_id=ticket_id, **kwargs)


def _row(request: HttpRequest, template: str, ticket_id: int, **extra: Any) -> HttpResponse:
    ticket = _load(request, ticket_id)
    with_deadlines([ticket])
    context = {"ticket": ticket, "suggestion": suggest(appeal_of(ticket)), "units": list(units_for_picking()), **extra}
    error = extra.get("error")
    context["errors"] = getattr(error, "fields", None) or {}
    return HttpResponse(render_to_string(template, context, request=request))


@staff_only
def download(request: HttpRequest, ticket_id: int, attachment_id: int) -> FileResponse:
    try:
        return attachment_response(attachment_of(request.user, ticket_id, attachment_id))
    except NotFound as error:
        raise Http404(error.message) from error


# ---- supervision from the ticket page --------------------------------------------------------------------------


def _refused(request: HttpRequest, ticket_id: int, form: str, error: DomainError) -> HttpResponse:
    if error.status == 404:
        raise Http404(error.message) from error
    return _page(request, _load(request, ticket_id), failed=form, error=error)


def _level(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError:
        message = gettext("请选择督办级别。")
        raise ValidationError(message, fields={"level": [message]}) from None


@staff_only
@require_POST
def issue(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """签发督办文书: a 催办 or a rung of the ladder the user's role may issue."""
    try:
        level = _level(request.POST.get("level"))
        notice = issue_notice(actor=request.user, ticket_id=ticket_id, level=level, text=request.POST.get("text", ""))
    except DomainError as error:
        return _refused(request, ticket_id, "notice", error)
    issued = gettext("已签发%(title)s %(number)s。") % {"title": notice.title, "number": notice.number}
    messages.success(request, issued)
    return redirect("ticket", ticket_id=ticket_id)


@staff_only
@require_POST
def watch(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """挂牌督办 or 列入重点疑难事项, by the button pressed."""
    kind = request.POST.get("kind", "")
    try:
        watch_ticket(actor=request.user, ticket_id=ticket_id, kind=kind, reason=request.POST.get("reason", ""))
    except DomainError as error:
        return _refused(request, ticket_id, "watch", error)
    messages.success(request, gettext("已%(kind)s。") % {"kind": gettext(WatchKind(kind).label)})
    return redirect("ticket", ticket_id=ticket_id)


@staff_only
@require_POST
def lift(request: HttpRequest, ticket_id: int, watch_id: int) -> HttpResponse:
    """解除 a watch of this ticket; back to the list it was lifted from when the form says so."""
    ticket = _load(request, ticket_id)
    if not ticket.watches.filter(pk=watch_id).exists():
        raise Http404(gettext("该事项不存在。"))
    try:
        lifted = lift_watch(actor=request.user, watch_id=watch_id, note=request.POST.get("note", ""))
    except DomainError as error:
        return _refused(request, ticket_id, "lift", error)
    messages.success(request, gettext("已解除%(kind)s。") % {"kind": gettext(WatchKind(lifted.kind).label)})
    return redirect(_next_url(request, ticket))
