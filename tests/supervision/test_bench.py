"""The sweep benchmark runs end to end in its own scratch database and leaves the test database alone."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from rexian.tickets.models import Ticket


@pytest.mark.django_db
def test_bench_sweep_prints_one_json_line_from_a_scratch_database():
    out = StringIO()
    call_command("bench", "sweep", "--tickets", "400", "--database", "sqlite", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["tickets"] == 400 and figures["clocks"] >= 400
    assert figures["database"] == "sqlite" and figures["seconds"] >= 0
    assert figures["red"] > 0 and figures["notices"] > 0  # the spread leaves some clocks overdue
    assert figures["second_run_changes"] == 0  # idempotent
    assert not Ticket.objects.exists()  # nothing was written here
