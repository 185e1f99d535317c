"""The delivery log: sending after commit, retries with backoff, dead letters, claims, the admin."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from rexian.core import clock
from rexian.core.clock import SHANGHAI
from rexian.directory.models import User
from rexian.notify import channels
from rexian.notify.models import Delivery, DeliveryStatus
from rexian.notify.sending import retry_due_deliveries
from rexian.tickets import actions
from rexian.tickets.models import Ticket
from tests.conftest import APPEAL
from tests.notify.conftest import use_channels

START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def _create(city) -> Ticket:
    ticket, created = actions.create_ticket(actor=city.users["intake"], data=APPEAL)
    assert created
    return ticket


@pytest.mark.django_db(transaction=True)
def test_a_failing_gateway_is_retried_with_backoff_then_dead(city, gateway, time_machine):
    time_machine.move_to(START, tick=False)
    gateway.status = 500
    ticket = _create(city)  # the action succeeds although its receipt could not be sent
    assert Ticket.objects.filter(pk=ticket.pk, number=ticket.number).exists()
    delivery = Delivery.objects.get(ticket=ticket)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, 1)
    assert "HTTP 500" in delivery.last_error

    assert retry_due_deliveries(clock.now()) == 0  # not due yet
    for wait in (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30)):
        assert delivery.next_attempt_at == clock.now() + wait
        time_machine.shift(wait)
        assert retry_due_deliveries(clock.now()) == 1
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.RETRYING
    time_machine.shift(timedelta(hours=2))
    assert retry_due_deliveries(clock.now()) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.DEAD, 5, None)
    assert len(gateway.received) == 5

    time_machine.shift(timedelta(days=1))
    assert retry_due_deliveries(clock.now()) == 0  # a dead letter waits for a person


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_gateway_ends_in_the_dead_letters_after_max_attempts(city, settings, closed_port, time_machine):
    time_machine.move_to(START, tick=False)
    use_channels(settings, "sms", SMS_GATEWAY_URL=f"http://127.0.0.1:{closed_port}/send", NOTIFY_MAX_ATTEMPTS=3)
    ticket = _create(city)
    for _ in range(2):
        time_machine.shift(timedelta(hours=2))
        retry_due_deliveries(clock.now())
    delivery = Delivery.objects.get(ticket=ticket)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DEAD, 3)
    assert "无法连接短信网关" in delivery.last_error


@pytest.mark.django_db(transaction=True)
def test_a_retry_succeeds_once_the_gateway_is_back(city, gateway, time_machine):
    time_machine.move_to(START, tick=False)
    gateway.status = 503
    ticket = _create(city)
    gateway.status = 200
    time_machine.shift(timedelta(minutes=1))
    assert retry_due_deliveries(clock.now()) == 1
    delivery = Delivery.objects.get(ticket=ticket)
    assert (delivery.status, delivery.attempts, delivery.sent_at) == (DeliveryStatus.SENT, 2, clock.now())
    assert len(gateway.received) == 2


@pytest.mark.django_db(transaction=True)
def test_a_channel_that_crashes_neither_fails_the_action_nor_loses_the_message(city, monkeypatch):
    class Broken:
        def send(self, message: channels.Message) -> None:
            raise ValueError("bug in a channel")

    monkeypatch.setitem(channels.CHANNELS, "log", Broken())
    ticket = _create(city)
    delivery = Delivery.objects.get(ticket=ticket)
    assert delivery.status == DeliveryStatus.RETRYING and "bug in a channel" in delivery.last_error


@pytest.mark.django_db(transaction=True)
def test_messages_are_sent_outside_any_transaction(city, monkeypatch):
    seen: list[bool] = []

    class Spy:
        def send(self, message: channels.Message) -> None:
            seen.append(connection.in_atomic_block)

    monkeypatch.setitem(channels.CHANNELS, "log", Spy())
    with transaction.atomic():  # as create_and_finish and the demo loader wrap actions
        ticket = _create(city)
        actions.answer_directly(actor=city.users["intake"], ticket_id=ticket.pk, version=1, answer="已告知")
        assert seen == []
    assert seen == [False, False]  # receipt and closing notice, both after commit


@pytest.mark.django_db(transaction=True)
def test_a_message_sent_where_it_was_written_is_claimed_from_its_insert(city, monkeypatch, time_machine):
    """The notification task sends the receipt it wrote without a claim of its own: the row is inserted claimed, so
    a sweep running meanwhile (another worker's minute) leaves it alone, and it goes out once."""
    time_machine.move_to(START, tick=False)
    swept: list[int] = []

    class SweepingWhileSending:
        def send(self, message: channels.Message) -> None:
            swept.append(retry_due_deliveries(clock.now() + timedelta(minutes=1)))

    monkeypatch.setitem(channels.CHANNELS, "log", SweepingWhileSending())
    ticket = _create(city)
    assert swept == [0]
    delivery = Delivery.objects.get(ticket=ticket)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.SENT, 1, None)


@pytest.mark.django_db
def test_the_sending_code_refuses_to_run_inside_a_transaction():
    assert connection.in_atomic_block  # a plain django_db test runs inside one
    with pytest.raises(RuntimeError, match="never inside a transaction"):
        retry_due_deliveries(clock.now())


def _queue(count: int, moment: datetime) -> None:
    Delivery.objects.bulk_create(
        Delivery(channel="sms", recipient=f"1380000{i:04d}", body="测试", template="reminder", dedupe_key=f"k{i}",
                 created_at=moment, next_attempt_at=moment)
        for i in range(count)
    )


@pytest.mark.django_db(transaction=True)
def test_a_due_row_is_claimed_once_by_two_sweeps_at_the_same_time(gateway):
    now = clock.now()
    _queue(20, now)
    start, tried = threading.Barrier(2), []

    def sweep() -> None:
        try:
            start.wait()
            tried.append(retry_due_deliveries(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refs = sorted(r["json"]["ref"] for r in gateway.received)
    assert sum(tried) == 20 and len(refs) == 20 and len(set(refs)) == 20
    assert retry_due_deliveries(now) == 0
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_what_it_queued(city, gateway, settings):
    settings.TASK_MODE = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ticket = _create(city)
    assert gateway.received == []  # the event is queued, not yet handled
    call_command("worker", "--batch")
    assert [r["json"]["to"] for r in gateway.received] == [APPEAL["citizen_phone"]]
    assert Delivery.objects.get(ticket=ticket).status == DeliveryStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_the_admin_lists_dead_letters_and_sends_them_again(city, gateway, settings):
    use_channels(settings, "sms", NOTIFY_MAX_ATTEMPTS=1)
    gateway.status = 500
    ticket = _create(city)
    dead = Delivery.objects.get(ticket=ticket)
    assert dead.status == DeliveryStatus.DEAD
    admin = User.objects.create_superuser("root", "root@example.cn", "pw-123456789")
    client = Client()
    client.force_login(admin)

    page = client.get("/admin/notify/delivery/", {"status__exact": "dead", "channel__exact": "sms", "q": ticket.number})
    assert page.status_code == 200 and APPEAL["citizen_phone"] in page.content.decode()
    assert "HTTP 500" in client.get(f"/admin/notify/delivery/{dead.pk}/change/").content.decode()

    gateway.status = 200
    response = client.post("/admin/notify/delivery/", {"action": "resend", "_selected_action": [dead.pk]})
    assert response.status_code == 302
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (DeliveryStatus.SENT, 1)
    assert len(gateway.received) == 2
