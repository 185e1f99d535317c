"""`rexian bench intake` starts a real server on a scratch database, registers appeals through the API from
concurrent clients (the desk's panels in one request, then the ticket) and measures raw inserts beside them; the
test database is left alone."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from rexian.tickets.models import Ticket

KEYS = {
    "clients", "seconds", "database", "appeals", "appeals_per_s", "p50_ms", "p99_ms", "errors", "raw_inserts_per_s",
    "assist_p50_ms", "create_p50_ms", "tickets_created", "requests_per_appeal",
}  # fmt: skip


@pytest.mark.django_db
def test_bench_intake_registers_appeals_through_a_started_server(settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    out = StringIO()
    args = ("--clients", "2", "--seconds", "2", "--history", "0", "--threads", "2", "--database", "sqlite")
    call_command("bench", "intake", *args, stdout=out)
    figures = json.loads(out.getvalue())
    assert figures.keys() >= KEYS
    assert figures["database"] == "sqlite" and figures["clients"] == 2
    assert figures["appeals"] > 0 and figures["errors"] == 0, figures.get("first_error")
    assert figures["tickets_created"] >= figures["appeals"]  # each timed appeal is a ticket (plus the warm-ups)
    assert figures["p99_ms"] >= figures["p50_ms"] > 0 and figures["raw_inserts_per_s"] > 0
    assert not Ticket.objects.exists()  # nothing was written here
