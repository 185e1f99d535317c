from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from rexian.tickets.access import visible_tickets
from rexian.tickets.workflow import State


def home(request: HttpRequest) -> HttpResponse:
    """The front door: what is here, and for a signed-in user the tickets they can see, by state."""
    counts = []
    if request.user.is_authenticated:
        by_state = dict(visible_tickets(request.user).values_list("state").annotate(n=Count("id")).order_by())
        counts = [(state, by_state.get(state.value, 0)) for state in State]
    return render(request, "web/home.html", {"counts": counts})


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
