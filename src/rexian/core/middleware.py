"""One log line per request (method, path, status, duration, user, request id) and the `X-Request-ID` header.

The query string and bodies are never logged: they may hold citizens' phone numbers.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from rexian.core.logs import request_context

log = logging.getLogger("rexian.request")
HEADER = "X-Request-ID"
# A proxy's id is kept when it looks like one (uuid, hex, nginx's $request_id); anything else could inject text.
SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
QUIET_PREFIXES = ("/healthz", "/readyz")  # probes every few seconds: logged at DEBUG


def request_id_from(header: str | None) -> str:
    return header if header and SANE_ID.match(header) else uuid.uuid4().hex


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.quiet = (*QUIET_PREFIXES, settings.STATIC_URL or "/static/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id
        token = request_context.set({"request_id": request_id, "method": request.method, "path": request.path})
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            self._log(request, response.status_code, started)
            return response
        finally:
            request_context.reset(token)

    def _log(self, request: HttpRequest, status: int, started: float) -> None:
        user = getattr(request, "user", None)
        fields = {
            "request_id": request.request_id,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user_id": user.pk if user is not None and user.is_authenticated else None,
        }
        level = logging.ERROR if status >= 500 else logging.INFO
        if request.path.startswith(self.quiet) and status < 500:
            level = logging.DEBUG
        log.log(level, "%s %s %s", request.method, request.path, status, extra=fields)
