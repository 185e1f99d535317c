"""GET requests: which tickets, filtered how, and what of each is public.

Only tickets filed through Open311 (`access.open311_tickets`). Never the citizen's name, phone or e-mail; for a
confidential (保密) ticket not even its description or reply.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from rexian.api.open311.render import Open311Error
from rexian.api.open311.status import STATUSES, states_with, status_notes, status_of
from rexian.api.open311.submit import split_tail
from rexian.core import clock
from rexian.tickets.access import open311_tickets
from rexian.tickets.models import Ticket

MAX_RESULTS = 1000
WINDOW = timedelta(days=90)


def utc_text(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def parse_moment(name: str, value: str) -> datetime:
    """ISO 8601 with Z or an offset; a "+" turned into a space by an unencoded query string is put back."""
    text = value.strip().replace(" ", "+")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Open311Error(400, f"{name}：时间格式应为带时区的 ISO 8601，例如 2026-11-01T00:00:00+08:00 或 …Z。")
    if not 1900 <= moment.year <= 2999:  # 9999-12-31T23:59-14:00 is past Python's last UTC moment
        raise Open311Error(400, f"{name}：年份应在 1900 至 2999 之间。")
    return moment


def window(params: Mapping[str, str]) -> tuple[datetime, datetime]:
    """[start, end]: the last 90 days by default, 90 days from the one given, never longer than 90 days."""
    start = parse_moment("start_date", params["start_date"]) if params.get("start_date") else None
    end = parse_moment("end_date", params["end_date"]) if params.get("end_date") else None
    if start is None and end is None:
        end = clock.now()
    start = start or end - WINDOW
    end = end or start + WINDOW
    if end < start:
        raise Open311Error(400, "end_date 不能早于 start_date。")
    if end - start > WINDOW:
        raise Open311Error(400, "start_date 与 end_date 相隔不能超过 90 天。")
    return start, end


def requests_matching(params: Mapping[str, str]) -> QuerySet[Ticket]:
    """The spec's filters; given service_request_id, the others are ignored. Newest first, 1,000 at most."""
    tickets = open311_tickets().select_related("category", "lead_unit").order_by("-created_at", "-pk")
    numbers = _split(params.get("service_request_id"))
    if numbers:
        return tickets.filter(number__in=numbers[:MAX_RESULTS])[:MAX_RESULTS]
    start, end = window(params)
    tickets = tickets.filter(created_at__gte=start, created_at__lte=end)
    if codes := _split(params.get("service_code")):
        tickets = tickets.filter(category__code__in=codes)
    if statuses := _split(params.get("status")):
        unknown = [s for s in statuses if s not in STATUSES]
        if unknown:
            raise Open311Error(400, f"status：无效的状态 {'、'.join(unknown)}，可选：open、closed。")
        tickets = tickets.filter(state__in=states_with(statuses))
    return tickets[:MAX_RESULTS]


def one_request(number: str) -> Ticket:
    ticket = open311_tickets().select_related("category", "lead_unit").filter(number=number).first()
    if ticket is None:
        raise Open311Error(404, f"诉求 {number} 不存在。")
    return ticket


def _coordinates(text: str | None) -> tuple[float | None, float | None]:
    try:
        lat, long = (float(part) for part in (text or "").split(","))
    except ValueError:
        return None, None
    return lat, long


def request_dict(ticket: Ticket) -> dict[str, Any]:
    closed = status_of(ticket.state) == "closed"
    category, lead = ticket.category, ticket.lead_unit
    return {
        "service_request_id": ticket.number,
        "status": status_of(ticket.state),
        "status_notes": status_notes(ticket.state, "" if ticket.is_confidential else ticket.result_text),
        "service_name": category.name if category else None,
        "service_code": category.code if category else "",
        "description": None,
        "agency_responsible": lead.name if lead else None,
        "service_notice": None,
        "requested_datetime": utc_text(ticket.created_at),
        "updated_datetime": utc_text(ticket.closed_at if closed and ticket.closed_at else ticket.updated_at),
        "expected_datetime": utc_text(ticket.due_at),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
        **({} if ticket.is_confidential else _place_and_text(ticket)),
    }


def _place_and_text(ticket: Ticket) -> dict[str, Any]:
    """What a confidential ticket keeps to itself: the appeal's text, where it is, its picture."""
    text, extras = split_tail(ticket.description)
    lat, long = _coordinates(extras.get("coordinates"))
    return {
        "description": text,
        "address": ticket.address or None,
        "address_id": extras.get("address_id") or None,
        "lat": lat,
        "long": long,
        "media_url": extras.get("media_url") or None,
    }
