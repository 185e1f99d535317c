"""Notifications are written after commit: at once by default, or by `rexian worker` from the database queue."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from rexian.notify.models import Notification
from rexian.tickets import actions
from tests.conftest import APPEAL


def _dispatch(city):
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data=APPEAL)
    return actions.dispatch(actor=city.users["dispatcher"], ticket_id=ticket.pk, version=1, lead_unit="x_east",
                            co_units=["d_urban"])


@pytest.mark.django_db(transaction=True)
def test_dispatch_notifies_lead_and_co_units_after_commit(city):
    ticket = _dispatch(city)
    notices = Notification.objects.filter(ticket=ticket)
    assert set(notices.values_list("recipient_unit__code", flat=True)) == {"x_east", "d_urban"}
    assert "新派工单待签收" in notices.get(recipient_unit__code="x_east").message


@pytest.mark.django_db(transaction=True)
def test_nothing_is_notified_when_the_action_rolls_back(city):
    from django.db import transaction

    with transaction.atomic():
        _dispatch(city)
        transaction.set_rollback(True)
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_worker_runs_queued_notifications(city, settings):
    settings.TASK_MODE = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ticket = _dispatch(city)
    assert not Notification.objects.filter(ticket=ticket).exists()  # queued, not yet run
    call_command("worker", "--batch")
    assert Notification.objects.filter(ticket=ticket, recipient_unit__code="x_east").exists()


def test_worker_refuses_when_tasks_run_in_process(settings):
    settings.TASK_MODE = "immediate"
    with pytest.raises(CommandError, match="REXIAN_TASKS=database"):
        call_command("worker", "--batch")
