"""The front door, the console's dashboard and the health check."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from rexian.core.ratelimit import client_ip
from rexian.directory import throttle
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


class ThrottledLoginForm(AuthenticationForm):
    """The login form, refusing every attempt for a while after too many failures (directory/throttle.py)."""

    throttled = False

    def clean(self) -> dict[str, Any]:
        username, address = self.cleaned_data.get("username") or "", client_ip(self.request)
        if throttle.refused(username, address):
            self.throttled = True
            message = gettext(throttle.REFUSED_MESSAGE) % {"minutes": throttle.window_minutes()}
            raise ValidationError(message, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.failed(username, address)
            raise
        throttle.succeeded(username)
        return cleaned


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = ThrottledLoginForm

    def form_invalid(self, form: ThrottledLoginForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 429 if form.throttled else 200
        return response

