"""The transactional outbox: an event's notification work survives the process dying between the commit and
the task that does it (tests/reliability/test_crash.py kills a real server there)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine

from rexian.core import clock
from rexian.notify.models import Delivery, PendingEvent
from rexian.notify.tasks import catch_up, notify_event
from rexian.supervision.periodic import every_minute
from rexian.tickets.actions import create_ticket
from tests.conftest import APPEAL

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_receipt_whose_task_was_lost_is_sent_by_the_next_minutes_sweep(city, seeded_rules):
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        with mock.patch("rexian.tickets.actions.notify_event"):  # the process dies before the task runs
            ticket, _ = create_ticket(actor=city.users["intake"], data=APPEAL)
        assert PendingEvent.objects.filter(event__ticket=ticket).count() == 1
        assert not Delivery.objects.filter(ticket=ticket).exists()
        assert catch_up(clock.now()) == 0  # too fresh: its own task may still be on its way
        traveller.shift(timedelta(minutes=3))
        assert every_minute()["notices_caught_up"] == 1
    receipts = Delivery.objects.filter(ticket=ticket, template="receipt")
    assert list(receipts.values_list("recipient", flat=True)) == [APPEAL["citizen_phone"]]
    assert not PendingEvent.objects.exists()


def test_a_task_that_ran_leaves_nothing_pending_and_a_late_rerun_sends_nothing_twice(city, seeded_rules):
    ticket, _ = create_ticket(actor=city.users["intake"], data=APPEAL)
    assert not PendingEvent.objects.exists()
    sent = Delivery.objects.filter(ticket=ticket).count()
    assert sent >= 1
    event = ticket.events.get()
    notify_event.func(event.pk)
    assert Delivery.objects.filter(ticket=ticket).count() == sent
