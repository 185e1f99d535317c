"""派单: the queue of registered tickets, urgent and oldest first, each pre-filled with its suggested unit
and the reasons (routing/suggest.py); dispatch one in place (htmx), or tick several and dispatch them together.
A ticket the knowledge base clearly answers says so, and goes back to the agents in one click to be answered
at once (部门知识库已有明确答复)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext

from rexian.core.errors import DomainError, NotFound
from rexian.directory.selectors import units_for_picking
from rexian.knowledge.search import appeal_text, strong_match
from rexian.tickets.access import get_ticket_for, visible_tickets
from rexian.tickets.actions import dispatch
from rexian.tickets.selectors import LIST_RELATED, dispatch_queue
from rexian.web.views.common import ticket_page, with_suggestions, workbench


@workbench("dispatch")
def queue(request: HttpRequest) -> HttpResponse:
    page = ticket_page(request, dispatch_queue(request.user))
    rows = with_suggestions(page.items)
    context = {"active": "dispatch", "page": page, "rows": rows, "units": list(units_for_picking())}
    return render(request, "web/console/dispatch.html", context)


@workbench("dispatch")
def knowledge_hint(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Whether the knowledge base clearly answers this ticket (htmx, as each row of the queue comes into view:
    the queue itself stays one set of queries however long the page)."""
    try:
        ticket = get_ticket_for(request.user, ticket_id)
    except NotFound as error:
        raise Http404(error.message) from error
    answer = strong_match(appeal_text(ticket.subject, ticket.description))
    return render(request, "web/partials/dispatch_knowledge.html", {"ticket": ticket, "answer": answer})


@workbench("dispatch")
def batch(request: HttpRequest) -> HttpResponse:
    """Dispatch the ticked tickets, each to its suggested unit or all to one chosen unit. Each ticket is its
    own action: one that changed meanwhile (its version moved) is refused and reported, the rest go."""
    if request.method != "POST":
        return redirect("dispatch")
    ids = [int(i) for i in request.POST.getlist("ticket") if i.isdigit()]
    chosen = request.POST.get("lead_unit", "").strip()
    if not ids:
        messages.error(request, gettext("请先勾选要派发的工单。"))
        return redirect("dispatch")
    tickets = list(visible_tickets(request.user).filter(pk__in=ids).select_related(*LIST_RELATED).order_by("pk"))
    done, failed = 0, []
    for ticket, suggestion in with_suggestions(tickets):
        unit = chosen or (suggestion.unit.code if suggestion.unit else "")
        if not unit:
            failed.append(gettext("%(number)s：没有建议单位，请单独派单") % {"number": ticket.number})
            continue
        version = request.POST.get(f"version_{ticket.pk}", "")
        try:
            dispatch(actor=request.user, ticket_id=ticket.pk, version=int(version or 0), lead_unit=unit)
            done += 1
        except DomainError as error:
            failed.append(f"{ticket.number}：{error.message}")
    if done:
        dispatched = ngettext("已批量派单 %(count)d 件。", "已批量派单 %(count)d 件。", done)
        messages.success(request, dispatched % {"count": done})
    for problem in failed:
        messages.error(request, problem)
    return redirect("dispatch")
