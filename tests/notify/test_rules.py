"""Who is told, by which channel, and when a failed message is tried again (pure rules, no database)."""

from __future__ import annotations

from datetime import timedelta

from rexian.notify.rules import Contact, Medium, backoff, channel_names, citizen_template, gives_up, routes
from rexian.tickets.workflow import Action, State

PHONE = Contact(Medium.PHONE, "13800001111")
EMAIL = Contact(Medium.EMAIL, "east@example.cn")


def test_each_channel_takes_the_addresses_it_can_reach():
    assert routes([PHONE, EMAIL], ["sms"]) == [("sms", "13800001111")]
    assert routes([PHONE, EMAIL], ["email"]) == [("email", "east@example.cn")]
    assert routes([PHONE, EMAIL], ["sms", "email"]) == [("email", "east@example.cn"), ("sms", "13800001111")]


def test_the_log_stands_in_for_every_channel():
    assert routes([PHONE, EMAIL], ["console"]) == [("log", "13800001111"), ("log", "east@example.cn")]


def test_a_disabled_channel_and_an_empty_address_get_nothing():
    assert routes([PHONE], ["email"]) == []
    assert routes([Contact(Medium.PHONE, "")], ["sms"]) == []


def test_channel_names_resolve_aliases_and_drop_unknown_and_repeated_names():
    assert channel_names(["console", "log", "fax", "sms"]) == ["log", "sms"]


def test_backoff_grows_then_repeats_its_last_step():
    waits = [backoff(n) for n in range(1, 7)]
    assert waits == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30)] + [timedelta(hours=2)] * 3


def test_a_message_is_given_up_after_the_last_allowed_attempt():
    assert [gives_up(n, 5) for n in (1, 4, 5, 6)] == [False, False, True, True]


def test_the_citizen_hears_of_receipt_and_closing_only():
    assert citizen_template(Action.CREATE, State.REGISTERED) == "receipt"
    assert citizen_template(Action.ANSWER_DIRECTLY, State.ANSWERED) == "closed"
    assert citizen_template(Action.CALLBACK, State.CLOSED) == "closed"
    assert citizen_template(Action.CALLBACK, State.IN_PROGRESS) is None  # 重办: not finished
    assert citizen_template(Action.DISPATCH, State.DISPATCHED) is None
