"""The knowledge base on the intake desk in a real Chromium: suggestions appear as the agent types, 采用答复
fills the answer, and F4 closes the appeal as 即办 citing the entry."""

from __future__ import annotations

import pytest

from rexian.demo.load import load_directory
from rexian.directory.models import User
from rexian.directory.roles import Role
from rexian.knowledge import actions
from rexian.knowledge.models import Entry
from rexian.tickets.models import TicketEvent
from tests.conftest import make_user
from tests.e2e.test_journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk() -> tuple[User, Entry]:
    units, _ = load_directory()
    admin = make_user("admin1", units["centre"], Role.CENTRE_ADMIN)
    entry = actions.create_entry(actor=admin, data={
        "title": "灵活就业人员如何缴纳养老保险", "variants": "打零工的自己怎么交社保", "unit": units["d_hrss"],
        "answer": "灵活就业人员可持身份证到社保经办窗口登记，按月或按年缴纳城镇职工基本养老保险。",
        "plain_answer": "没单位也能自己交养老保险，带身份证去社保窗口登记就行。", "publish": True,
    })  # fmt: skip
    return make_user("intake", units["centre"], Role.INTAKE), entry


def test_the_agent_answers_from_the_knowledge_base(desk, new_page):
    _, entry = desk
    page = sign_in(new_page, "intake", "/console/intake/")
    page.fill("#id_citizen_name", "王女士")
    page.fill("#id_citizen_phone", "13900006666")
    page.fill("#id_subject", "咨询社保缴费")
    page.fill("#id_description", "来电人打零工，想问自己怎么交养老保险")
    hit = page.locator(f"#kb-hit-{entry.pk}")
    hit.wait_for()
    assert hit.locator("mark").count() > 0
    hit.locator("button", has_text="采用白话版").click()
    assert page.input_value("#id_answer") == entry.plain_answer
    assert page.input_value("#id_knowledge_entry") == entry.code
    page.check("input[name=appeal_type][value=consult]")
    page.keyboard.press("F4")
    page.wait_for_selector("#last-ticket")
    event = TicketEvent.objects.get(action="answer_directly")
    assert (event.payload["knowledge_entry"], event.payload["answer"]) == (entry.code, entry.plain_answer)
