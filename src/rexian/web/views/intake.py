"""受理: the agent with a caller on the line. Look the caller up, register the appeal, and either save it
for dispatch (F2), answer it at once and close it (即办, F4: with a knowledge entry's answer, cited), or refuse
it as out of scope (F8)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from rexian.core.errors import DomainError, ValidationError
from rexian.directory.models import Unit, UnitKind
from rexian.intake.actions import record_transfer
from rexian.knowledge.actions import learn_question, record_use
from rexian.knowledge.models import Entry, UseKind
from rexian.knowledge.search import appeal_text, search
from rexian.knowledge.selectors import published_by_code
from rexian.supervision.selectors import with_deadlines
from rexian.taxonomy.choices import AppealType, Channel, Urgency
from rexian.taxonomy.models import Category
from rexian.telephony.actions import link_call
from rexian.telephony.selectors import dual_track_hotline, live_call
from rexian.tickets.actions import create_and_finish, create_ticket
from rexian.tickets.selectors import caller_history, needing_information
from rexian.tickets.validation import clean_ticket_fields
from rexian.tickets.workflow import FINISHED_STATES, Action
from rexian.web.forms import ACTION_FORMS
from rexian.web.panels import panels_for
from rexian.web.views.common import workbench

APPEAL_FIELDS = (
    "citizen_name", "citizen_phone", "address", "district", "street", "subject", "description",
    "appeal_type", "category", "urgency", "channel",
)  # fmt: skip
FLAGS = ("is_anonymous", "is_confidential")
FINISHES = {"answer": Action.ANSWER_DIRECTLY, "reject": Action.REJECT_OUT_OF_SCOPE}
KNOWLEDGE_HITS = 5


def _appeal(post: Any) -> dict[str, Any]:
    data: dict[str, Any] = {name: post.get(name, "") for name in APPEAL_FIELDS}
    data.update({flag: post.get(flag) == "on" for flag in FLAGS})
    return data


def _finish_params(finish: Action, post: Any) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The answer or the refusal typed beside the form, and the required ones left empty."""
    params, missing = {}, {}
    for spec in ACTION_FORMS[finish].fields:
        value = post.get(spec.name, "").strip()
        params[spec.name] = value
        if spec.required and not value:
            missing[spec.name] = [gettext("请填写%(field)s。") % {"field": gettext(spec.label)}]
    return params, missing


def _context(request: HttpRequest, values: Any, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    phone = (values.get("citizen_phone") or request.GET.get("phone") or "").strip()
    return {
        "active": "intake",
        "values": values,
        "errors": errors or {},
        "phone": phone,
        "history": with_deadlines(caller_history(request.user, phone)),
        "finished_states": [s.value for s in FINISHED_STATES],
        "returned": with_deadlines(list(needing_information(request.user)[:20])),
        "types": AppealType.choices,
        "urgencies": Urgency.choices,
        "channels": Channel.choices,
        "categories": list(Category.objects.filter(is_active=True, level=3).order_by("code")),
        "districts": list(Unit.objects.filter(kind=UnitKind.DISTRICT, is_active=True).order_by("path")),
        "streets": list(
            Unit.objects.filter(kind=UnitKind.STREET, is_active=True).select_related("parent").order_by("path")
        ),
        "redirects": ACTION_FORMS[Action.REJECT_OUT_OF_SCOPE].fields[1].choices,
        "idempotency_key": values.get("idempotency_key") or uuid.uuid4().hex,
        "panels": panels_for(request.user, values),
        **_screen_pop(request, values),
    }


def _screen_pop(request: HttpRequest, values: Any) -> dict[str, Any]:
    """The call ringing or answered at this agent (the page then polls for it every 2 s)."""
    call = live_call(request.user)
    return {"call": call, "filled": call is not None and values.get("call_id") == call.call_id}


@workbench("intake")
def desk(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "web/console/intake.html", _context(request, {"channel": "phone"}))
    data, key = _appeal(request.POST), request.POST.get("idempotency_key") or None
    call_id = request.POST.get("call_id", "").strip()
    if hotline := dual_track_hotline(call_id):  # a call on a dual-track old hotline tags its ticket
        data["hotline"] = hotline
    merge_target = request.POST.get("merge_into", "")
    finish = Action.MERGE_INTO if merge_target.isdigit() else FINISHES.get(request.POST.get("finish", ""))
    cited = published_by_code(request.POST.get("knowledge_entry", ""))  # an entry read to the caller, if it stands
    try:
        if finish is None:
            ticket, _ = create_ticket(actor=request.user, data=data, idempotency_key=key)
        elif finish is Action.MERGE_INTO:
            params = {"target_id": int(merge_target), "note": gettext("受理时发现重复诉求，并入主单办理")}
            ticket = create_and_finish(actor=request.user, data=data, finish=finish, params=params, idempotency_key=key)
        else:
            ticket = _register_and_finish(request, data, finish, key, cited)
    except DomainError as error:
        context = _context(request, request.POST, error.fields)
        context["error"] = error
        return render(request, "web/console/intake.html", context, status=error.status)
    if cited is not None and finish is None:  # registered for dispatch after reading the caller an entry: cited
        record_use(actor=request.user, entry_id=cited.pk, kind=UseKind.CITE, ticket=ticket)
    elif cited is not None and finish is Action.ANSWER_DIRECTLY:  # closed with its answer: the entry learns
        learn_question(entry_id=cited.pk, ticket=ticket)
    if call_id:
        _link_call(request, call_id, ticket)
    url = reverse("ticket", args=[ticket.pk])
    done = {
        None: gettext("已登记，等待派单"),
        Action.ANSWER_DIRECTLY: gettext("已即办办结"),
        Action.REJECT_OUT_OF_SCOPE: gettext("已不予受理"),
        Action.MERGE_INTO: gettext("已并入主单办理"),
    }
    messages.success(
        request,
        format_html(
            gettext('工单 <a href="{}" id="last-ticket">{}</a> {}。查询码 <b>{}</b>（请告知诉求人）。'),
            url,
            ticket.number,
            done[finish],
            ticket.query_code,
        ),
    )
    return redirect("intake")


def _link_call(request: HttpRequest, call_id: str, ticket: Any) -> None:
    """The call the appeal came in on, linked to its ticket; a call linked before keeps its first ticket."""
    try:
        if not link_call(actor=request.user, call_id=call_id, ticket=ticket):
            messages.info(request, gettext("该通话此前已关联其他工单，未重复关联。"))
    except DomainError as error:
        messages.warning(request, gettext("未能关联通话：%(reason)s") % {"reason": error.message})


def _register_and_finish(
    request: HttpRequest, data: dict[str, Any], finish: Action, key: str | None, cited: Entry | None
) -> Any:
    params, missing = _finish_params(finish, request.POST)
    if finish is Action.ANSWER_DIRECTLY:  # the entry the agent took the answer from, if it still stands
        params["knowledge_entry"] = cited.code if cited is not None else ""
    if missing:  # report the empty answer together with any problem of the appeal itself
        fields = dict(missing)
        try:
            clean_ticket_fields(data, partial=False)
        except ValidationError as error:
            fields.update(error.fields)
        raise ValidationError(gettext("提交的内容有误，请检查标注的字段。"), fields=fields)
    return create_and_finish(actor=request.user, data=data, finish=finish, params=params, idempotency_key=key)


@workbench("intake")
def caller(request: HttpRequest) -> HttpResponse:
    """The caller's earlier tickets, looked up as the agent types the number (htmx)."""
    phone = request.GET.get("citizen_phone") or request.GET.get("phone") or ""
    history = with_deadlines(caller_history(request.user, phone))
    return render(
        request,
        "web/partials/caller_history.html",
        {"history": history, "phone": phone.strip(), "finished_states": [s.value for s in FINISHED_STATES]},
    )


@workbench("intake")
def panels(request: HttpRequest) -> HttpResponse:
    """The side panels for the form as it stands (htmx, on every pause in typing)."""
    return render(request, "web/partials/intake_panels.html", {"panels": panels_for(request.user, request.POST)})


@workbench("intake")
def knowledge(request: HttpRequest) -> HttpResponse:
    """The knowledge base's best answers to the appeal as typed so far (htmx, on every short pause)."""
    text = appeal_text(request.POST.get("subject", ""), request.POST.get("description", ""))
    hits = search(text, limit=KNOWLEDGE_HITS) if text else []
    return render(request, "web/partials/knowledge_suggestions.html", {"hits": hits, "text": text})


@workbench("intake")
def transfer(request: HttpRequest) -> HttpResponse:
    """Record that the caller was handed to 110/119/120/122 (htmx, from the emergency banner)."""
    if request.method != "POST":
        return HttpResponse(status=405)
    post = request.POST
    try:
        done = record_transfer(
            actor=request.user,
            service=post.get("service", ""),
            reason=post.get("transfer_reason", ""),
            summary=f"{post.get('subject', '')} {post.get('description', '')}".strip(),
            caller_phone=post.get("citizen_phone", ""),
            partner_reference=post.get("partner_reference", ""),
        )
    except DomainError as error:
        return render(request, "web/partials/transfer_result.html", {"error": error}, status=error.status)
    return render(request, "web/partials/transfer_result.html", {"transfer": done})
