"""回访: tickets whose reply the centre approved, waiting for the citizen's call-back; urgent first, then
by callback deadline. The ticket page carries the script and the outcome form."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rexian.tickets.selectors import callback_queue
from rexian.web.views.common import ticket_page, workbench


@workbench("callback")
def queue(request: HttpRequest) -> HttpResponse:
    page = ticket_page(request, callback_queue(request.user))
    return render(request, "web/console/callback.html", {"active": "callback", "page": page, "kind": "callback"})
