"""Reads of tickets for a user: filtering, paging. Always start from access.visible_tickets."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.db.models import Q, QuerySet

from rexian.core.clock import SHANGHAI
from rexian.directory.models import Unit
from rexian.taxonomy.models import Category
from rexian.tickets.access import Actor, sees_everything, unit_filter, visible_tickets
from rexian.tickets.models import Ticket, TicketEvent


def filter_tickets(actor: Actor, filters: dict[str, Any]) -> QuerySet[Ticket]:
    queryset = visible_tickets(actor)
    if filters.get("state"):
        queryset = queryset.filter(state__in=filters["state"])
    for field in ("number", "appeal_type", "urgency", "channel"):
        if filters.get(field):
            queryset = queryset.filter(**{field: filters[field]})
    if filters.get("phone"):
        queryset = queryset.filter(citizen_phone=filters["phone"])
        if not sees_everything(actor):  # a match would reveal who filed a confidential appeal
            queryset = queryset.filter(is_confidential=False)
    if filters.get("q"):
        queryset = queryset.filter(Q(subject__icontains=filters["q"]) | Q(description__icontains=filters["q"]))
    if filters.get("unit"):
        unit = Unit.objects.filter(code=filters["unit"]).first()
        queryset = queryset.filter(unit_filter(unit)) if unit else queryset.none()
    if filters.get("category"):
        queryset = queryset.filter(category__code__startswith=filters["category"])
    if filters.get("created_from"):
        queryset = queryset.filter(created_at__gte=datetime.combine(filters["created_from"], time.min, SHANGHAI))
    if filters.get("created_to"):
        queryset = queryset.filter(created_at__lte=datetime.combine(filters["created_to"], time.max, SHANGHAI))
    return queryset.select_related("category", "district", "street", "lead_unit", "handling_unit").prefetch_related(
        "co_units"
    )


def page_of(queryset: QuerySet[Ticket], page: int, page_size: int) -> tuple[list[Ticket], int, int]:
    count = queryset.count()
    pages = max(1, -(-count // page_size))
    items = list(queryset.order_by("-created_at", "-id")[(page - 1) * page_size : page * page_size])
    return items, count, pages


def events_of(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor_unit").order_by("seq")


def category_tree() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("parent").order_by("code")
