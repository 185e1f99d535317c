from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from rexian.core import clock
from rexian.directory.models import User
from rexian.directory.roles import Role
from rexian.supervision.selectors import awaiting_explanation
from rexian.web.nav import nav_for
from rexian.workdays.selectors import missing_years


def console(request: HttpRequest) -> dict[str, Any]:
    """The navigation of the signed-in user (empty for the public) with, for unit users, the notices awaiting
    their explanation; for administrators the calendar years still to import (the banner of the console and
    of the admin)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    return {
        "nav": nav_for(user.roles),
        "now": clock.now(),
        # Lazy: one query on a page that shows the navigation, none for htmx fragments and downloads.
        "notices_awaiting": SimpleLazyObject(lambda: awaiting_explanation(user)),
        "calendar_missing_years": _calendar_gaps(user),
    }


def _calendar_gaps(user: User) -> list[int]:
    # Only those who can import a schedule are told; the check reads the cached calendar, not the database.
    if not (user.is_superuser or Role.CENTRE_ADMIN in user.roles):
        return []
    return missing_years(clock.local_now().date())
