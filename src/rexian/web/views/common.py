"""What every console view shares: who may enter, pagination, the rows of ticket lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from rexian.core import clock
from rexian.directory.roles import HUMAN_ROLES, Role
from rexian.routing.suggest import Suggestion, appeal_of, suggest_many
from rexian.supervision.selectors import with_deadlines
from rexian.tickets.models import Ticket
from rexian.web.nav import NAV

PAGE_SIZE = 30
# Every role a person can hold: the ticket pages let them all in, then decide per ticket.
STAFF_ROLES: frozenset[Role] = frozenset(HUMAN_ROLES)
View = Callable[..., HttpResponse]
E = TypeVar("E", bound=StrEnum)


def workbench(key: str) -> Callable[[View], View]:
    """A console page for the roles its navigation item names (the search page: any staff role)."""
    item = next(i for i in NAV if i.key == key)

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if item.roles.isdisjoint(request.user.roles):
                raise DjangoPermissionDenied(gettext("您的角色不能使用此工作台。"))
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = item.roles  # type: ignore[attr-defined]  # read by the access matrix test
        return wrapped

    return decorate


def staff_only(view: View) -> View:
    """Any signed-in person with a role (the ticket page: access is then decided per ticket)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.roles:
            raise DjangoPermissionDenied(gettext("您的账号尚未分配角色。"))
        return view(request, *args, **kwargs)

    wrapped.allowed_roles = STAFF_ROLES  # type: ignore[attr-defined]
    return wrapped


@dataclass
class Page:
    items: list[Any]
    number: int
    pages: int
    count: int

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def paginate(request: HttpRequest, queryset: QuerySet[Any], size: int = PAGE_SIZE) -> Page:
    """One page of an already ordered queryset; a page number out of range shows the last page."""
    count = queryset.count()
    pages = max(1, -(-count // size))
    try:
        number = min(max(1, int(request.GET.get("page", "1"))), pages)
    except ValueError:
        number = 1
    items = list(queryset[(number - 1) * size : number * size])
    return Page(items, number, pages, count)


def ticket_page(request: HttpRequest, queryset: QuerySet[Ticket]) -> Page:
    """A page of tickets with their running clocks for the deadline column (one query more, whatever the size)."""
    page = paginate(request, queryset)
    with_deadlines(page.items)
    return page


def tabbed(
    request: HttpRequest, param: str, tabs: type[E], queue: Callable[[Any, E], QuerySet[Ticket]]
) -> tuple[E, list[tuple[E, int]], Page]:
    """A queue split into tabs (stages, kinds): the chosen tab (the first if none or unknown), every tab with
    its count, and the chosen tab's page."""
    try:
        chosen = tabs(request.GET.get(param, ""))
    except ValueError:
        chosen = next(iter(tabs))
    counts = [(tab, queue(request.user, tab).count()) for tab in tabs]
    return chosen, counts, ticket_page(request, queue(request.user, chosen))


def with_suggestions(tickets: Sequence[Ticket]) -> list[tuple[Ticket, Suggestion]]:
    """Each ticket with its dispatch suggestion (catalogue, place, the models' second opinion), the models run
    once over the page. Load the tickets with their category chain, district and street."""
    return list(zip(tickets, suggest_many([appeal_of(t) for t in tickets]), strict=True))


def overdue(ticket: Ticket) -> bool:
    return ticket.due_at is not None and ticket.due_at < clock.now()
