"""The knowledge base at work: suggestions on the intake desk as the agent types, 即办 with an entry's answer
(cited in the event, counted per entry), and the dispatcher told when the knowledge base answers a ticket."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rexian.knowledge import actions as knowledge
from rexian.knowledge.models import Entry
from rexian.knowledge.rules import Step
from rexian.knowledge.selectors import use_figures
from rexian.tickets.actions import create_ticket
from rexian.tickets.models import TicketEvent
from rexian.tickets.workflow import Action
from tests.conftest import APPEAL, City

ENTRY = {
    "title": "灵活就业人员如何缴纳养老保险",
    "variants": "打零工的自己怎么交社保\n没单位了养老保险咋交",
    "answer": "灵活就业人员可持身份证到社保经办窗口登记，按月或按年自行缴纳城镇职工基本养老保险。",
    "plain_answer": "没单位也能自己交养老保险，带身份证去社保窗口登记就行。",
    "unit": "d_hrss",
}


@pytest.fixture
def entry(city: City) -> Entry:
    return knowledge.create_entry(actor=city.users["centre_admin"], data={**ENTRY, "publish": True})


def login(city: City, username: str) -> Client:
    client = Client()
    client.force_login(city.users[username])
    return client


def test_the_desk_suggests_entries_as_the_agent_types(city: City, entry: Entry) -> None:
    response = login(city, "intake").post(
        reverse("intake_knowledge"), {"subject": "咨询社保", "description": "来电人打零工，想问自己怎么交社保"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-value-also="{entry.code}"' in page  # 采用答复 fills the answer and cites the entry
    assert "<mark>" in page and "灵活就业人员如何缴纳养老保险" in page.replace("<mark>", "").replace("</mark>", "")
    assert ENTRY["plain_answer"] in page  # 采用白话版
    empty = login(city, "intake").post(reverse("intake_knowledge"), {"subject": "", "description": ""})
    assert "输入诉求标题或内容后显示知识库答复" in empty.content.decode()


def test_unit_users_cannot_use_the_desk_search(city: City, entry: Entry) -> None:
    response = login(city, "h_hrss").post(reverse("intake_knowledge"), {"subject": "社保"})
    assert response.status_code == 403


def test_answering_with_an_entry_cites_it_and_counts_for_it(city: City, entry: Entry) -> None:
    form = {**APPEAL, "subject": "打零工怎么交社保", "appeal_type": "consult", "finish": "answer",
            "answer": entry.answer, "knowledge_entry": entry.code, "idempotency_key": "k-1"}  # fmt: skip
    response = login(city, "intake").post(reverse("intake"), form)
    assert response.status_code == 302
    event = TicketEvent.objects.get(action=Action.ANSWER_DIRECTLY)
    assert event.payload["knowledge_entry"] == entry.code
    assert use_figures([entry])[entry.pk].direct_answers == 1


def test_a_withdrawn_or_unknown_entry_is_not_cited(city: City, entry: Entry) -> None:
    knowledge.take_step(actor=city.users["centre_admin"], entry_id=entry.pk, version=entry.version, step=Step.WITHDRAW)
    for number, code in enumerate((entry.code, "KB999999", "<script>")):
        form = {**APPEAL, "finish": "answer", "answer": "已答复。", "knowledge_entry": code,
                "idempotency_key": f"k-{number}"}  # fmt: skip
        assert login(city, "intake").post(reverse("intake"), form).status_code == 302
    assert set(TicketEvent.objects.filter(action=Action.ANSWER_DIRECTLY).values_list("payload__knowledge_entry",
                                                                                     flat=True)) == {""}  # fmt: skip


def test_the_dispatcher_sees_when_the_knowledge_base_answers(city: City, entry: Entry) -> None:
    answered, _ = create_ticket(
        actor=city.users["intake"],
        data={**APPEAL, "subject": "灵活就业人员缴纳养老保险", "description": "打零工的自己怎么交养老保险社保"},
    )
    other, _ = create_ticket(actor=city.users["intake"], data=APPEAL)
    dispatcher = login(city, "dispatcher")
    queue = dispatcher.get(reverse("dispatch")).content.decode()
    assert reverse("dispatch_knowledge", args=[answered.pk]) in queue  # each row asks as it comes into view
    hint = dispatcher.get(reverse("dispatch_knowledge", args=[answered.pk])).content.decode()
    assert "知识库已有明确答复" in hint and entry.title in hint and "return_to_intake" in hint
    assert "知识库已有明确答复" not in dispatcher.get(reverse("dispatch_knowledge", args=[other.pk])).content.decode()
    reason = hint[hint.index('name="reason" value="') + 21 :].split('"')[0]
    returned = dispatcher.post(
        reverse("ticket_act", args=[answered.pk, "return_to_intake"]),
        {"version": answered.version, "reason": reason, "next": reverse("dispatch")},
    )
    assert returned.status_code == 302
    assert TicketEvent.objects.filter(ticket=answered, action=Action.RETURN_TO_INTAKE).exists()
    assert login(city, "h_hrss").get(reverse("dispatch_knowledge", args=[answered.pk])).status_code == 403


def test_citizens_ask_the_portal_and_read_the_plain_answer_first(city: City, entry: Entry, settings) -> None:
    draft = knowledge.create_entry(
        actor=city.users["centre_admin"], data={**ENTRY, "title": "灵活就业养老保险内部口径", "answer": "内部。"}
    )
    client = Client()
    page = client.get(reverse("portal_ask"), {"q": "打零工怎么交养老保险"}).content.decode()
    assert ENTRY["plain_answer"] in page and ENTRY["answer"] in page
    assert page.index(ENTRY["plain_answer"]) < page.index(ENTRY["answer"])
    assert draft.title not in page  # only published entries reach the public
    assert "没有找到相关解答" in client.get(reverse("portal_ask"), {"q": "量子色动力学"}).content.decode()
    settings.REXIAN = {**settings.REXIAN, "PORTAL_QUESTIONS_PER_MINUTE": 2}
    assert client.get(reverse("portal_ask"), {"q": "社保"}).status_code == 429


def test_registering_after_reading_an_answer_cites_the_entry_and_the_month_counts_it(city: City, entry: Entry) -> None:
    form = {**APPEAL, "finish": "save", "knowledge_entry": entry.code, "idempotency_key": "k-cite"}
    assert login(city, "intake").post(reverse("intake"), form).status_code == 302
    answered = {**APPEAL, "finish": "answer", "answer": entry.answer, "knowledge_entry": entry.code,
                "idempotency_key": "k-direct"}  # fmt: skip
    assert login(city, "intake").post(reverse("intake"), answered).status_code == 302
    figures = use_figures([entry])[entry.pk]
    assert (figures.citations, figures.direct_answers) == (1, 1)
    page = login(city, "shift_lead").get(reverse("knowledge")).content.decode()
    assert "本月登记诉求 2 件：以知识库答复即办 1 件，使用知识库 2 件。" in page
    assert "50.0%" in page and "100.0%" in page


def test_answering_with_an_entry_teaches_it_the_callers_words_shown_to_editors_only(city: City, entry: Entry) -> None:
    form = {**APPEAL, "subject": "下岗后社保断了怎么续", "appeal_type": "consult", "finish": "answer",
            "answer": entry.answer, "knowledge_entry": entry.code, "idempotency_key": "k-learn"}  # fmt: skip
    assert login(city, "intake").post(reverse("intake"), form).status_code == 302
    assert list(entry.asked_questions.values_list("question", flat=True)) == ["下岗后社保断了怎么续"]
    page = reverse("knowledge_entry", args=[entry.pk])
    assert "下岗后社保断了怎么续" in login(city, "shift_lead").get(page).content.decode()
    unit_view = login(city, "h_hrss").get(page)
    assert unit_view.status_code == 200 and "下岗后社保断了怎么续" not in unit_view.content.decode()
