"""Notifications are written after commit: at once by default, or by `rexian worker` from the database queue."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from rexian.notify.models import Delivery, DeliveryStatus, Notification
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


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_receipt_within_its_notification_task(city, settings, gateway):
    """The worker's task holds no transaction: the receipt it writes is committed at once and sent there, with no
    second task queued for it."""
    from django_tasks_db.models import DBTaskResult

    settings.TASK_MODE = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data=APPEAL)
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == ["rexian.notify.tasks.notify_event"]
    call_command("worker", "--batch")
    delivery = Delivery.objects.get(ticket=ticket, template="receipt")
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1
    assert [r["json"]["to"] for r in gateway.received] == [APPEAL["citizen_phone"]]
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == ["rexian.notify.tasks.notify_event"]


def test_worker_refuses_when_tasks_run_in_process(settings):
    settings.TASK_MODE = "immediate"
    with pytest.raises(CommandError, match="REXIAN_TASKS=database"):
        call_command("worker", "--batch")
