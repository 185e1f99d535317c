"""No appeal lost: thousands of creates from concurrent clients, the server SIGKILLed part-way and restarted,
every create that got no answer retried with its key; then every acknowledged appeal exists exactly once.

A client that loses its connection pauses until the server is back (as a telephony client would), so the
creates cut off by a kill are those in flight at that moment: some committed without an answer (the retry
must replay them), some never committed (the retry must create them).
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count

from rexian.core import clock
from rexian.notify.models import PendingEvent
from rexian.notify.tasks import catch_up
from rexian.tickets.models import Ticket, TicketEvent
from tests.conftest import APPEAL
from tests.reliability.conftest import LiveCity, NoResponse, Reply, rexian, server_env

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 16
CREATES = 2000
KILL_AFTER = (600, 1300)  # acknowledged creates at which the server is killed
RETRY_ROUNDS = 20


def appeal(i: int) -> dict[str, object]:
    return {**APPEAL, "subject": f"崩溃测试诉求 {i:05d}", "citizen_phone": f"139{i:08d}"}


def key(i: int) -> str:
    return f"crash-{i:05d}"


@dataclass
class Ledger:
    """What the clients saw, shared between their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: dict[str, int] = field(default_factory=dict)  # key → ticket id of a 201
    unanswered: set[str] = field(default_factory=set)
    refused: list[Reply] = field(default_factory=list)  # any answer but 201
    replayed_on_retry: int = 0
    serving: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)

    def record(self, k: str, reply: Reply, *, retry: bool = False) -> None:
        with self.lock:
            if reply.status != 201:
                self.refused.append(reply)
                return
            assert self.acknowledged.setdefault(k, reply.body["id"]) == reply.body["id"], (k, reply)
            self.unanswered.discard(k)
            if retry and reply.headers.get("idempotency-replayed") == "true":
                self.replayed_on_retry += 1


def create(live: LiveCity, i: int) -> Reply:
    return live.call("intake", "POST", "/tickets", appeal(i), timeout=15.0, **{"Idempotency-Key": key(i)})


def client(live: LiveCity, ledger: Ledger, numbers: itertools.count, stop: int) -> None:
    """Send creates one after another; a create without an answer waits for the retry phase."""
    while (i := next(numbers)) < stop:
        ledger.serving.wait(timeout=90)
        try:
            ledger.record(key(i), create(live, i))
        except NoResponse:
            with ledger.lock:
                ledger.unanswered.add(key(i))
            ledger.serving.wait(timeout=90)


def killer(live: LiveCity, ledger: Ledger, kills: list[float]) -> None:
    """SIGKILL the server each time the acknowledgements reach a mark, then start it again."""
    for mark in KILL_AFTER:
        while ledger.count() < mark:
            if ledger.finished.is_set():
                return
            time.sleep(0.005)
        ledger.serving.clear()
        live.server.kill()
        started = time.monotonic()
        live.server.start()
        kills.append(time.monotonic() - started)
        ledger.serving.set()


def retry_unanswered(live: LiveCity, ledger: Ledger) -> None:
    """Every create without an answer, again with the same key and body, until it is acknowledged."""
    for _ in range(RETRY_ROUNDS):
        pending = sorted(ledger.unanswered)
        if not pending:
            return
        threads = [threading.Thread(target=_retry, args=(live, ledger, pending[n::CLIENTS])) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)


def _retry(live: LiveCity, ledger: Ledger, keys: list[str]) -> None:
    for k in keys:
        try:
            ledger.record(k, create(live, int(k.rsplit("-", 1)[1])), retry=True)
        except NoResponse:
            time.sleep(0.2)


def run_clients(live: LiveCity, ledger: Ledger) -> list[float]:
    numbers, kills = itertools.count(), []
    ledger.serving.set()
    watcher = threading.Thread(target=killer, args=(live, ledger, kills), daemon=True)
    threads = [threading.Thread(target=client, args=(live, ledger, numbers, CREATES)) for _ in range(CLIENTS)]
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    ledger.finished.set()
    watcher.join(timeout=120)
    assert not watcher.is_alive() and not any(t.is_alive() for t in threads), "a client or the killer hung"
    return kills


@pytest.mark.slow
def test_every_acknowledged_appeal_survives_sigkill_exactly_once(live: LiveCity) -> None:
    ledger = Ledger()
    began = time.monotonic()
    kills = run_clients(live, ledger)
    unanswered = len(ledger.unanswered)
    retry_unanswered(live, ledger)
    elapsed = time.monotonic() - began
    print(f"\n{connection.vendor}: {CREATES} creates by {CLIENTS} clients in {elapsed:.1f} s, "
          f"{len(kills)} kills (restart {', '.join(f'{k:.1f}' for k in kills)} s), {unanswered} without an answer, "
          f"{ledger.replayed_on_retry} of them had been committed (replayed), the rest created on retry")

    assert len(kills) == len(KILL_AFTER)
    assert ledger.refused == [], ledger.refused[:5]  # no 4xx/5xx: "database is locked" would be a 500 here
    assert ledger.unanswered == set(), sorted(ledger.unanswered)[:10]
    assert len(ledger.acknowledged) == CREATES

    tickets = Ticket.objects.filter(idempotency_key__startswith="crash-")
    stored = dict(tickets.values_list("idempotency_key", "pk"))
    assert tickets.count() == len(stored) == CREATES  # as many tickets as distinct keys
    assert stored == ledger.acknowledged  # every acknowledged id exists, under the key it was acknowledged for
    assert not tickets.values("idempotency_key").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert tickets.values("number").distinct().count() == CREATES
    for k, subject in tickets.values_list("idempotency_key", "subject"):
        assert subject == appeal(int(k.rsplit("-", 1)[1]))["subject"]

    creates = TicketEvent.objects.filter(action="create").values("ticket_id").annotate(n=Count("pk"))
    assert {row["ticket_id"]: row["n"] for row in creates} == {pk: 1 for pk in stored.values()}
    assert not TicketEvent.objects.exclude(action="create").filter(ticket_id__in=stored.values()).exists()

    checked = live.rexian("check-invariants")
    assert checked.returncode == 0, checked.stderr
    assert f"OK: {CREATES} tickets" in checked.stdout
    if connection.vendor == "sqlite":  # the file itself came through the kills whole
        with connection.cursor() as cursor:
            assert cursor.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # A kill between a create's commit and its notification task left the work in the outbox (PendingEvent):
    # the next minute's sweep does it, so every citizen gets the receipt.
    lost = tickets.filter(deliveries__isnull=True).count()
    caught_up = catch_up(clock.now() + timedelta(minutes=3))
    print(f"receipts whose task died with the server: {lost}, caught up by the sweep: {caught_up}")
    assert caught_up >= lost
    assert not tickets.filter(deliveries__isnull=True).exists()
    assert not PendingEvent.objects.exists()


PRAGMAS = (
    "from django.db import connection; cursor = connection.cursor(); "
    "print(*[cursor.execute(f'PRAGMA {p}').fetchone()[0] for p in ('journal_mode', 'busy_timeout', 'synchronous')])"
)


def test_the_server_opens_sqlite_in_wal_mode_with_a_busy_timeout(tmp_path) -> None:
    """What a server process gets on each connection: WAL (readers beside the writer, a commit survives the
    process), a 20 s busy timeout (writers queue), synchronous NORMAL (1)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    shown = rexian(server_env(tmp_path), "shell", "--no-imports", "-c", PRAGMAS)
    assert shown.stdout.split() == ["wal", "20000", "1"], shown
    with sqlite3.connect(connection.settings_dict["NAME"]) as plain:  # WAL is a property of the file itself
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
