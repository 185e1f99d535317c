"""Smart intake in a real Chromium: the classifier's guess fills the form with one click, and an emergency
raises the red banner whose button records the transfer."""

from __future__ import annotations

import pytest

from rexian.demo.load import load_directory
from rexian.directory.models import User
from rexian.directory.roles import Role
from rexian.intake.models import EmergencyTransfer
from rexian.routing import actions
from rexian.routing.models import Task
from tests.conftest import make_user
from tests.e2e.test_journeys import sign_in
from tests.routing.conftest import closed_tickets

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(seeded_screening) -> User:
    units, categories = load_directory()
    closed_tickets(units, categories, per_leaf=40)
    admin = make_user("admin1", units["centre"], Role.CENTRE_ADMIN)
    model = actions.start_training(actor=admin, task=Task.CATEGORY, background=False)
    actions.activate(actor=admin, model_id=model.pk)
    return make_user("intake", units["centre"], Role.INTAKE)


def test_the_agent_takes_the_guess_and_records_a_transfer(desk, new_page):
    page = sign_in(new_page, "intake", "/console/intake/")
    page.fill("#id_subject", "工地晚上施工太吵")
    page.fill("#id_description", "青山区湖滨街道一处在建工地凌晨还在打桩，噪音很大，附近居民无法入睡")
    guess = page.locator("#panel-classify button[data-fill='id_category']").first
    guess.wait_for()
    assert guess.get_attribute("data-value") == "010101"
    guess.click()
    assert page.input_value("#id_category") == "010101"
    assert page.input_value("#id_category_search").startswith("010101 ")

    page.fill("#id_citizen_phone", "13900007777")
    page.fill("#id_description", "楼下饭店厨房着火了，冒着黑烟，有人被困在二楼")
    page.wait_for_selector("#emergency-alarm:has-text('119')")
    page.fill("#id_partner_reference", "119-0001")
    page.locator("#emergency-alarm button").click()
    page.wait_for_selector("#transfer-result:has-text('已记录转')")
    transfer = EmergencyTransfer.objects.get()
    assert (transfer.service, transfer.caller_phone, transfer.partner_reference) == ("119", "13900007777", "119-0001")
