from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from rexian.tickets import actions
from rexian.tickets.models import Ticket, TicketEvent
from tests.conftest import APPEAL


def _dispatched_ticket(city) -> Ticket:
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data=APPEAL)
    return actions.dispatch(actor=city.users["dispatcher"], ticket_id=ticket.pk, version=1, lead_unit="x_east")


def test_clean_database_passes(city, capsys):
    _dispatched_ticket(city)
    call_command("check_invariants")
    assert "OK: 1 tickets" in capsys.readouterr().out


def test_state_changed_behind_the_write_path_is_named(city, capsys):
    good = _dispatched_ticket(city)
    bad = _dispatched_ticket(city)
    Ticket.objects.filter(pk=bad.pk).update(state="closed")  # as a careless script would
    with pytest.raises(CommandError, match="1 of 2 tickets"):
        call_command("check_invariants")
    err = capsys.readouterr().err
    assert bad.number in err and good.number not in err
    assert "events lead to dispatched, ticket stores closed" in err


def test_missing_event_is_named(city, capsys):
    ticket = _dispatched_ticket(city)
    actions.sign(actor=city.users["h_east"], ticket_id=ticket.pk, version=2)
    TicketEvent.objects.filter(ticket=ticket, seq=2).delete()
    with pytest.raises(CommandError):
        call_command("check_invariants")
    assert "event #2 missing" in capsys.readouterr().err
