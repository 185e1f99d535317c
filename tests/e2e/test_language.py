"""The language switch in a real browser: a form posted with its CSRF token, a cookie, the same page again."""

from __future__ import annotations

import pytest

from tests.e2e.test_journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_switch_turns_the_console_english_and_back(city, new_page):
    page = sign_in(new_page, "intake", "/console/intake/")
    assert page.inner_text("nav.mainnav a.active").startswith("受理")
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("nav.mainnav a.active:has-text('Intake')")
    assert page.url.endswith("/console/intake/")
    assert page.inner_text("button[name=finish][value=save]").startswith("Save")
    assert page.get_attribute("html", "lang") == "en"
    page.get_by_role("button", name="中文").click()
    page.wait_for_selector("nav.mainnav a.active:has-text('受理')")
    assert page.inner_text("button[name=finish][value=save]").startswith("保存登记")
