"""承办: a unit's tickets by stage of the work: to sign, in progress, due soon, overdue, sent back."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rexian.tickets.selectors import InboxStage, unit_inbox
from rexian.web.views.common import tabbed, workbench


@workbench("unit")
def inbox(request: HttpRequest) -> HttpResponse:
    stage, tabs, page = tabbed(request, "stage", InboxStage, unit_inbox)
    context = {"active": "unit", "stage": stage, "tabs": tabs, "page": page, "kind": "unit"}
    return render(request, "web/console/unit.html", context)
