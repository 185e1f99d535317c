"""What the fuzz tests share: a city with tickets in several states, a token, and the WSGI app called in-process.

Schemathesis calls the real Django WSGI handler (not the test client), on the test's own database connection, so
the requests see the fixture's rows. Each example runs inside a savepoint that is rolled back (`one_example`):
examples are independent, so Hypothesis can replay and shrink a failure, and the city stays as the fixture built
it. Work queued with `transaction.on_commit` (notifications, machine dispatch) runs at the end of the example,
inside that savepoint, as it would after a real commit.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import TestCase
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from rexian.api.auth import issue_token
from rexian.api.models import Open311Client
from rexian.directory.models import User
from rexian.tickets.models import Ticket
from tests.api.test_access_matrix import ticket_at
from tests.conftest import PASSWORD, City

# Few examples per operation, always the same ones: the suite must fit its time budget and fail the same
# way on every run and in CI. REXIAN_FUZZ_EXAMPLES=200 digs deeper by hand.
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("REXIAN_FUZZ_EXAMPLES", "15")),
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("fuzz")

# Values a client gets wrong, or an attacker tries, mixed into one generated string or integer in four.
NASTY_TEXT = ["a\x00b", "路灯不亮😡🚧", "张𠮷", "\u202e反转", " ", "2026-02-30", "abc", "99999-01-01", "0001-01-01",
              "9999-12-31T23:59:59-14:00", "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd", "1e309",
              "NaN", "-1", "长" * 5000]  # fmt: skip
NASTY_INTEGERS = [0, -1, 10**12, 2**31, 2**63, 10**30]


def fuzz_config() -> SchemathesisConfig:
    """Every generation mode (valid and invalid input), reproducible, with the nasty values above."""
    return SchemathesisConfig.from_dict({
        "dictionaries": {"nasty-text": {"values": NASTY_TEXT}, "nasty-integers": {"values": NASTY_INTEGERS}},
        "generation": {
            "mode": "all",
            "deterministic": True,
            "dictionaries": {"string": {"dictionary": "nasty-text", "probability": 0.25},
                             "integer": {"dictionary": "nasty-integers", "probability": 0.25}},
        },
    })  # fmt: skip


# Starting points of the fuzz city's tickets (see tests/api/test_access_matrix.PATHS).
STARTS = ("registered", "in_progress", "extension_requested", "return_requested", "replied", "callback_pending",
          "closed")


@dataclass
class FuzzCity:
    city: City
    tickets: list[Ticket]
    open311_key: str
    headers: dict[str, dict[str, str]]  # by username: the Authorization header of a token


@pytest.fixture
def fuzz_city(city: City) -> FuzzCity:
    tickets = [ticket_at(city, start) for start in STARTS]
    tickets.append(ticket_at(city, "registered", channel="open311", subject="路灯不亮😡🚧"))
    _, key = Open311Client.issue("模糊测试客户端")
    headers = {name: bearer(city.users[name]) for name in ("centre_admin", "h_east")}
    return FuzzCity(city, tickets, key, headers)


def bearer(user: User) -> dict[str, str]:
    issued = issue_token(user.username, PASSWORD)
    assert issued is not None
    return {"Authorization": f"Bearer {issued[0]}"}


@pytest.fixture
def in_process() -> Iterator[None]:
    """Keep the WSGI handler from closing the test's connection (and its transaction) when a request ends, as
    Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@contextmanager
def one_example() -> Iterator[None]:
    """Run one example in a savepoint and undo whatever it wrote. The rate limits' counters (in the cache) start
    afresh too: thousands of examples are not a flood, and tests/security tests the limits."""
    cache.clear()
    with transaction.atomic():
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                yield
        finally:
            transaction.set_rollback(True)


def known_ticket_ids() -> list[int]:
    return list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
