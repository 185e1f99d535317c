"""Helpers for the operations tests: a ticket taken to the end of its life."""

from __future__ import annotations

from typing import Any

from rexian.tickets import actions
from rexian.tickets.models import Ticket
from tests.conftest import APPEAL, City


def closed_ticket(city: City, **data: Any) -> Ticket:
    """Registered, dispatched to 东区, signed, replied, approved and rated satisfied by the callback."""
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data={**APPEAL, **data})
    h_east = city.users["h_east"]
    t = actions.dispatch(actor=city.users["dispatcher"], ticket_id=ticket.pk, version=1, lead_unit="x_east")
    t = actions.sign(actor=h_east, ticket_id=t.pk, version=t.version)
    t = actions.reply(actor=h_east, ticket_id=t.pk, version=t.version, result="已劝离商贩。", citizen_contacted=True)
    t = actions.approve_reply(actor=city.users["reviewer"], ticket_id=t.pk, version=t.version)
    return actions.callback(
        actor=city.users["callback"], ticket_id=t.pk, version=t.version, reached=True, satisfaction="satisfied",
        resolved=True,
    )  # fmt: skip
