"""The readiness probe: may a load balancer send this app server requests? (`/healthz` in web is liveness.)"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from rexian.core import health


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Database reachable and migrated: 200, else 503. The worker's heartbeat is reported but does not make
    the server unready: taking every app server out of the pool because the worker stopped would turn late
    notifications into an outage (`rexian doctor` fails on it instead)."""
    checks = {"database": "ok" if health.database_reachable() else "fail"}
    if checks["database"] == "ok":
        checks["migrations"] = "fail" if health.unapplied_migrations() else "ok"
        checks["worker"] = _worker_status()
    ready = all(checks.get(name) == "ok" for name in ("database", "migrations"))
    return JsonResponse({"status": "ok" if ready else "fail", "checks": checks}, status=200 if ready else 503)


def _worker_status() -> str:
    if settings.TASK_MODE != "database":
        return "not_used"
    age = health.heartbeat_age()
    return "ok" if age is not None and age <= health.HEARTBEAT_STALE_AFTER else "stale"
