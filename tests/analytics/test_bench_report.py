"""`rexian bench report` fills a kept scratch database once, reuses it on the next run, and times the monthly
report and the statistics pages; the test database is left alone."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rexian.tickets.models import Ticket

TIMINGS = (
    "monthly_report_s",
    "report_gather_s",
    "report_workbook_s",
    "report_document_s",
    "dashboard_today_s",
    "dashboard_week_s",
    "dashboard_month_s",
    "last_month_dashboard_s",
    "member_figures_s",
    "assessment_s",
)


def bench(*args: str) -> dict:
    out = StringIO()
    call_command("bench", "report", "--tickets", "600", "--database", "sqlite", "--runs", "1", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_bench_report_generates_once_then_reuses_and_refuses_a_wrong_size(settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    first = bench()
    assert first["database"] == "sqlite" and first["tickets"] == 600 and first["generated_s"] > 0
    assert first["month_tickets"] > 0 and first["month_events"] > first["month_tickets"]
    assert all(first[name] > 0 for name in TIMINGS)
    assert first["monthly_report_s"] == pytest.approx(
        first["report_gather_s"] + first["report_workbook_s"] + first["report_document_s"], abs=0.002
    )
    assert (tmp_path / "bench" / "report-sqlite-600.ready").exists()
    again = bench()
    assert "generated_s" not in again and again["events"] == first["events"] and again["month"] == first["month"]
    assert not Ticket.objects.exists()  # nothing was written here
    # A kept database that does not hold the tickets asked for is not measured; --fresh makes it anew.
    (tmp_path / "bench" / "report-600.sqlite3").rename(tmp_path / "bench" / "report-700.sqlite3")
    (tmp_path / "bench" / "report-sqlite-700.ready").touch()
    with pytest.raises(CommandError, match="600 张工单，而不是 700 张"):
        call_command("bench", "report", "--tickets", "700", "--database", "sqlite", "--runs", "1", stdout=StringIO())
    assert not (tmp_path / "bench" / "report-sqlite-700.ready").exists()
    assert bench("--fresh")["generated_s"] > 0
