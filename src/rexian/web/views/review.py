"""审核: the centre reviews the units' replies, and their requests to return or extend."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rexian.tickets.selectors import ReviewKind, review_queue
from rexian.web.views.common import tabbed, workbench


@workbench("review")
def queue(request: HttpRequest) -> HttpResponse:
    kind, tabs, page = tabbed(request, "kind", ReviewKind, review_queue)
    context = {"active": "review", "kind": "review", "review_kind": kind, "tabs": tabs, "page": page}
    return render(request, "web/console/review.html", context)
