"""The screen pop in a real Chromium: the agent's ringing call appears on the intake workbench by itself, 填入 fills
the phone and looks the caller up, and the appeal saved from it is linked to the call. Skipped without Chromium,
as the other browser tests are."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rexian.core import clock
from rexian.telephony.models import Call
from rexian.telephony.rules import EventKind
from rexian.tickets.models import Ticket
from tests.conftest import APPEAL
from tests.e2e.test_journeys import sign_in
from tests.telephony.conftest import cti, record  # noqa: F401 (cti: the CTI channel fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_ringing_call_pops_up_fills_the_form_and_is_linked(city, cti, new_page):  # noqa: F811
    page = sign_in(new_page, "intake", "/console/intake/")
    assert page.locator("#screen-pop-call").count() == 0
    record(cti, "c1", EventKind.RINGING, clock.now() - timedelta(seconds=1), agent="intake", caller="13812345678")
    fill = page.locator("#screen-pop-fill")
    fill.wait_for(timeout=5_000)  # polled every 2 s
    assert "来电 13812345678" in page.inner_text("#screen-pop")
    fill.click()
    assert page.input_value("#id_citizen_phone") == "13812345678"
    assert page.input_value("#id_call_id") == "c1"
    page.locator("#caller-summary").wait_for()  # the caller's history, looked up
    page.locator("#screen-pop >> text=已填入").wait_for(timeout=5_000)
    page.check("#id_appeal_type_complaint")
    page.fill("#id_subject", APPEAL["subject"])
    page.fill("#id_description", APPEAL["description"])
    page.click("button[value=save]")
    page.locator("#last-ticket").wait_for()
    assert Call.objects.get().ticket == Ticket.objects.get()
