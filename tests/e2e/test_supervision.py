"""Supervision in a real Chromium: a shift lead sees a ticket's red clock and issues a 热线督办单 from the ticket
page; the unit finds it under 督办文书 (counted in the navigation) and writes its explanation.

The browser keeps real time (a session cookie set in a moved past would be expired at once), so the clock is
made late by moving its deadline back, and the sweep runs now."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rexian.core import clock
from rexian.supervision.models import Notice, StageClock
from rexian.supervision.sweep import sweep
from tests.e2e.conftest import screenshot
from tests.e2e.test_journeys import sign_in
from tests.web.test_console import dispatched

pytestmark = pytest.mark.django_db(transaction=True)
def test_a_late_ticket_is_supervised_and_the_unit_explains(seeded_rules, city, new_page):
    ticket = dispatched(city)
    StageClock.objects.filter(ticket=ticket, stage="sign").update(due_at=clock.now() - timedelta(hours=1))
    sweep()

    page = sign_in(new_page, "shift_lead", f"/console/tickets/{ticket.pk}/")
    assert "已超期" in page.inner_text("#clock-sign")
    page.click("#supervise-notice summary")
    page.select_option("#notice-level", "2")
    page.fill("#notice-text", "请于三个工作日内办结并答复。")
    page.click("#form-notice button[type=submit]")
    page.wait_for_selector("text=已签发热线督办单")
    screenshot(page, "ticket-deadlines", full_page=True)
    notice = Notice.objects.get(ticket=ticket, level=2)

    page = sign_in(new_page, "h_urban", "/console/notices/")
    assert page.inner_text(".mainnav .count") == "1"
    page.click(f"#notice-{notice.pk} a.button")
    page.fill("#explanation", "签收人员外出核查，已落实专人负责。")
    page.click("#form-explain button[type=submit]")
    page.wait_for_selector("#explanation:has-text('已落实专人负责')")
    screenshot(page, "notice", full_page=True)
    notice.refresh_from_db()
    assert notice.explained_at is not None
