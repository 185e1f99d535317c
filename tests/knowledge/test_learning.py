"""Learning from agents' picks: the subject of an appeal an agent answered with an entry is indexed with it
(knowledge.actions.learn_question), so that the next caller who asks that way finds it first."""

from __future__ import annotations

import pytest

from rexian.knowledge import actions, index
from rexian.knowledge.actions import LEARNED_PER_ENTRY, learn_question
from rexian.knowledge.models import AskedQuestion, Entry, SearchDoc, UseKind
from rexian.knowledge.search import rank
from rexian.tickets.actions import create_ticket
from tests.conftest import APPEAL, City

pytestmark = pytest.mark.django_db

ENTRIES = [
    {
        "title": "城乡居民医疗保险参保登记",
        "answer": "未参加职工医保的城乡居民，可持身份证到户籍所在地街道社保所办理居民医保参保登记，按年缴费。",
        "unit": "d_hrss",
    },
    {
        "title": "异地就医备案办理",
        "answer": "参保人员到外地就医，应先通过国家医保服务平台或街道社保所办理异地就医备案，再到定点医院持卡结算。",
        "unit": "d_hrss",
    },
]
ASKED = "老家的医保卡在这边看病能用吗"
SIGNS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌"


@pytest.fixture
def entries(city: City) -> list[Entry]:
    admin = city.users["centre_admin"]
    return [actions.create_entry(actor=admin, data={**data, "publish": True}) for data in ENTRIES]


def best(text: str) -> int | None:
    found = rank(text, limit=1)
    return found[0].entry_id if found else None


def appeal(city: City, subject: str, **fields: object) -> object:
    ticket, _ = create_ticket(actor=city.users["intake"], data={**APPEAL, "subject": subject, **fields})
    return ticket


def test_a_cited_entry_is_found_first_by_the_next_caller_who_asks_that_way(city: City, entries: list[Entry]) -> None:
    enrolment, elsewhere = entries
    assert best(ASKED) == enrolment.pk  # 医保 and 看病 alone point to the wrong entry
    ticket = appeal(city, ASKED)
    actions.record_use(actor=city.users["intake"], entry_id=elsewhere.pk, kind=UseKind.CITE, ticket=ticket)
    assert list(elsewhere.asked_questions.values_list("question", flat=True)) == [ASKED]
    assert best(ASKED) == elsewhere.pk
    assert best("老家的医保卡在这边看病能不能用") == elsewhere.pk  # and a caller who asks nearly the same way


def test_a_confidential_appeal_teaches_nothing(city: City, entries: list[Entry]) -> None:
    ticket = appeal(city, ASKED, is_confidential=True)
    assert not learn_question(entry_id=entries[1].pk, ticket=ticket)
    assert not AskedQuestion.objects.exists()
    assert best(ASKED) == entries[0].pk


def test_only_the_latest_questions_are_kept_and_indexed(city: City, entries: list[Entry]) -> None:
    entry = entries[1]
    for n in range(LEARNED_PER_ENTRY + 1):
        assert learn_question(entry_id=entry.pk, question=f"第{n}号问法 {SIGNS[n]}")
    kept = list(entry.asked_questions.values_list("question", flat=True))
    assert len(kept) == LEARNED_PER_ENTRY and not any(q.startswith("第0号") for q in kept)
    asked_terms = SearchDoc.objects.get(pk=entry.pk).asked.split()
    assert "戌" in "".join(asked_terms) and "甲" not in "".join(asked_terms)


def test_a_wrong_pick_is_forgotten_and_the_index_follows(city: City, entries: list[Entry]) -> None:
    learn_question(entry_id=entries[1].pk, question=ASKED)
    assert best(ASKED) == entries[1].pk
    assert actions.forget_questions(AskedQuestion.objects.all()) == 1
    assert SearchDoc.objects.get(pk=entries[1].pk).asked == ""
    assert best(ASKED) == entries[0].pk


def test_a_rebuilt_index_keeps_what_was_learned(city: City, entries: list[Entry]) -> None:
    learn_question(entry_id=entries[1].pk, question=ASKED)
    index.rebuild()
    assert best(ASKED) == entries[1].pk
