from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from rexian.core import clock
from rexian.web.nav import nav_for


def console(request: HttpRequest) -> dict[str, Any]:
    """The navigation of the signed-in user (empty for the public)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    return {"nav": nav_for(user.roles), "now": clock.now()}
