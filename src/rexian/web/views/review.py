"""审核: the centre reviews the units' replies, and their requests to return or extend."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rexian.tickets.selectors import ReviewKind, review_queue
from rexian.web.views.common import paginate, workbench


@workbench("review")
def queue(request: HttpRequest) -> HttpResponse:
    try:
        kind = ReviewKind(request.GET.get("kind", ReviewKind.REPLY))
    except ValueError:
        kind = ReviewKind.REPLY
    tabs = [(k, review_queue(request.user, k).count()) for k in ReviewKind]
    page = paginate(request, review_queue(request.user, kind))
    context = {"active": "review", "kind": "review", "review_kind": kind, "tabs": tabs, "page": page}
    return render(request, "web/console/review.html", context)
