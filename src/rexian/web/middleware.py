from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation


class ChosenLanguageMiddleware:
    """Pages are in Chinese unless the user chose another language with the switch (a cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: a centre's pages must
    not turn half-English because a workstation's browser was installed in English.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# Requests the page makes by itself (the screen pop, progress bars): they do not show that anyone is there.
POLLED_URL_NAMES = frozenset({"intake_call", "routing_progress", "import_progress"})
LAST_SEEN = "rexian_last_seen"
# The session records activity at most once a minute: no session write on every click.
LAST_SEEN_GRANULARITY = 60


class IdleLogoutMiddleware:
    """A console session left alone for SESSION_IDLE_MINUTES ends: the next request signs out and goes to the
    login page (a whole-page redirect for htmx), so a workstation left open does not stay open to citizens'
    data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, args: tuple, kwargs: dict) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        now, idle = time.time(), settings.REXIAN["SESSION_IDLE_MINUTES"] * 60
        last = request.session.get(LAST_SEEN)
        if idle and last is not None and now - last > idle:
            return self._sign_out(request)
        polled = request.resolver_match is not None and request.resolver_match.url_name in POLLED_URL_NAMES
        if not polled and (last is None or now - last >= LAST_SEEN_GRANULARITY):
            request.session[LAST_SEEN] = now
        return None

    def _sign_out(self, request: HttpRequest) -> HttpResponse | None:
        logout(request)
        if request.path.startswith("/api/"):
            return None  # the API answers 401 itself, as {code, message, fields}
        target = f"{settings.LOGIN_URL}?{urlencode({'next': request.get_full_path(), 'idle': '1'})}"
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return HttpResponseRedirect(target)
