"""The front door, the console's dashboard and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from rexian.tickets.access import visible_tickets
from rexian.tickets.workflow import State
from rexian.web.nav import nav_for


def home(request: HttpRequest) -> HttpResponse:
    """Staff go to their console; everyone else sees the way to the portal and to the staff login."""
    if request.user.is_authenticated:
        return redirect("console")
    return render(request, "web/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The tickets this user can see, by state, and the workbenches open to them."""
    by_state = dict(visible_tickets(request.user).values_list("state").annotate(n=Count("id")).order_by())
    counts = [(state, by_state.get(state.value, 0)) for state in State]
    return render(
        request, "web/console/dashboard.html", {"counts": counts, "workbenches": nav_for(request.user.roles)}
    )


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
