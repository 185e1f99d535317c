"""The statistics dashboard in a real Chromium: a city leader opens October's figures, and a chart's bar
leads to the tickets behind it."""

from __future__ import annotations

import re

import pytest

from tests.analytics.test_metrics import history as history
from tests.conftest import City
from tests.e2e.conftest import screenshot
from tests.e2e.test_journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_leader_reads_the_month_and_follows_a_bar_to_its_tickets(history: City, new_page) -> None:
    page = sign_in(new_page, "leader", "/console/stats/")
    page.select_option("#f-period", "custom")
    page.fill("#f-start", "2026-10-01")
    page.fill("#f-end", "2026-10-31")
    page.click("#stats-filters button[type=submit]")
    page.wait_for_selector("text=2026年10月1日 — 2026年10月31日")
    assert "5" in page.inner_text("#tiles .tile:first-child .big")
    assert page.locator("figure.chart svg rect.bar").count() > 0
    screenshot(page, "stats", full_page=True)
    page.locator("figure.chart").nth(2).locator("rect.bar").first.click()  # 渠道: the phone bar
    page.wait_for_url(re.compile("/console/search/"))
    assert "channel=phone" in page.url and page.locator("table.list tbody tr").count() == 5
