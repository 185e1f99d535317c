"""Merged appeals: every merged citizen is told of the merge, and of the result when the parent is finished; the
portal shows a merged appeal's citizen the parent's progress and result, never the parent's citizen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from rexian.notify.models import Delivery
from rexian.notify.tasks import notify_event
from rexian.notify.templates import DEFAULTS, RESULT_EXCERPT, excerpt, placeholders, redact
from rexian.tickets import actions
from rexian.tickets.models import Ticket
from tests.conftest import APPEAL, City

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: messages go out after commit

PARENT_PHONE, CHILD_PHONE, GRANDCHILD_PHONE = APPEAL["citizen_phone"], "13911112222", "13933334444"
RESULT = "经核查，张三反映的占道摊点已全部清理，城管中队将每日傍晚巡查，防止反弹。"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()  # the portal's rate limiter counts in the cache
    yield
    cache.clear()


def _create(city: City, **data: Any) -> Ticket:
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data={**APPEAL, **data})
    return ticket


def _merge(city: City, child: Ticket, parent: Ticket) -> Ticket:
    return actions.merge_into(
        actor=city.users["intake"], ticket_id=child.pk, version=child.version, target_id=parent.pk, note="同一事项"
    )


def _close(city: City, ticket: Ticket, result: str = RESULT) -> Ticket:
    h_east = city.users["h_east"]
    t = actions.dispatch(
        actor=city.users["dispatcher"], ticket_id=ticket.pk, version=ticket.version, lead_unit="x_east"
    )
    t = actions.sign(actor=h_east, ticket_id=t.pk, version=t.version)
    t = actions.reply(actor=h_east, ticket_id=t.pk, version=t.version, result=result, citizen_contacted=True)
    t = actions.approve_reply(actor=city.users["reviewer"], ticket_id=t.pk, version=t.version)
    return actions.callback(
        actor=city.users["callback"], ticket_id=t.pk, version=t.version, reached=True, satisfaction="satisfied",
        resolved=True,
    )  # fmt: skip


def _to(gateway, phone: str) -> list[str]:
    return [r["json"]["text"] for r in gateway.received if r["json"]["to"] == phone]


def _family(city: City) -> tuple[Ticket, Ticket, Ticket]:
    """A parent, a child merged into it, and a grandchild merged into the child before the child was merged."""
    parent = _create(city, citizen_name="张三")
    child = _create(city, citizen_name="李四", citizen_phone=CHILD_PHONE)
    grandchild = _create(city, citizen_name="王五", citizen_phone=GRANDCHILD_PHONE, is_confidential=True)
    _merge(city, grandchild, child)
    _merge(city, child, parent)
    return parent, child, grandchild


def test_merging_tells_the_child_s_citizen_which_ticket_carries_their_appeal(city, gateway):
    parent, child, grandchild = _family(city)
    receipt, merged = _to(gateway, CHILD_PHONE)
    assert f"工单编号{child.number}" in receipt
    assert merged == DEFAULTS["merged"].render({"number": child.number, "parent_number": parent.number}).body
    assert f"已与同类诉求合并办理（主工单{parent.number}）" in merged
    assert (
        f"（工单编号{grandchild.number}）已与同类诉求合并办理（主工单{child.number}）"
        in _to(gateway, GRANDCHILD_PHONE)[1]
    )
    assert _to(gateway, PARENT_PHONE) == [_to(gateway, PARENT_PHONE)[0]]  # the parent's citizen: the receipt only
    delivery = Delivery.objects.get(ticket=child, template="merged")
    assert delivery.status == "sent" and delivery.dedupe_key.endswith(":merged")


def test_finishing_the_parent_tells_every_merged_citizen_the_result(city, gateway):
    parent, child, grandchild = _family(city)
    _close(city, Ticket.objects.get(pk=parent.pk))

    parent_texts = _to(gateway, PARENT_PHONE)
    assert sum("已办结" in text for text in parent_texts) == 1
    for ticket, phone in ((child, CHILD_PHONE), (grandchild, GRANDCHILD_PHONE)):
        *_, result = _to(gateway, phone)
        assert f"您反映的诉求（工单编号{ticket.number}）已随主工单{parent.number}办结" in result
        assert "占道摊点已全部清理" in result
        assert "张三" not in result and "来电人反映的占道摊点" in result  # the parent's citizen is not named
        assert len(result) <= 200
    rows = Delivery.objects.filter(template="merged_result").order_by("ticket_id")
    assert [(row.ticket_id, row.recipient) for row in rows] == [
        (child.pk, CHILD_PHONE),
        (grandchild.pk, GRANDCHILD_PHONE),
    ]
    assert {row.dedupe_key.rsplit(":", 1)[1] for row in rows} == {str(child.pk), str(grandchild.pk)}


def test_a_parent_answered_on_the_spot_also_tells_its_merged_citizens(city, gateway):
    parent = _create(city)
    child = _create(city, citizen_phone=CHILD_PHONE)
    _merge(city, child, parent)
    actions.answer_directly(actor=city.users["intake"], ticket_id=parent.pk, version=1, answer="已电话告知办理流程。")
    assert "办理结果：已电话告知办理流程。" in _to(gateway, CHILD_PHONE)[-1]


def test_merging_into_a_finished_ticket_gives_its_result_at_once(city, gateway):
    parent = _close(city, _create(city))
    child = _create(city, citizen_phone=CHILD_PHONE)
    _merge(city, child, parent)
    _receipt, merged, result = _to(gateway, CHILD_PHONE)
    assert "合并办理" in merged and f"已随主工单{parent.number}办结" in result


def test_an_anonymous_child_without_a_phone_gets_nothing_and_stops_nothing(city, gateway):
    parent = _create(city)
    anonymous = _create(city, citizen_name="", citizen_phone="", is_anonymous=True)
    child = _create(city, citizen_phone=CHILD_PHONE)
    _merge(city, anonymous, parent)
    _merge(city, child, parent)
    _close(city, Ticket.objects.get(pk=parent.pk))
    assert not Delivery.objects.filter(ticket=anonymous).exists()
    assert any("已随主工单" in text for text in _to(gateway, CHILD_PHONE))


def test_a_retried_event_queues_nothing_twice(city, gateway):
    parent, _, _ = _family(city)
    parent = _close(city, Ticket.objects.get(pk=parent.pk))
    closing = parent.events.get(action="callback")
    before = Delivery.objects.count()
    notify_event.call(closing.pk)
    assert Delivery.objects.count() == before


def test_the_result_is_cut_to_fit_one_long_sms():
    long = "已处理。" + "城管中队已多次到现场清理占道摊点并约谈经营者，" * 10
    short = excerpt(long, RESULT_EXCERPT)
    assert len(short) == RESULT_EXCERPT and short.endswith("…")
    assert excerpt("已清理。\n", RESULT_EXCERPT) == "已清理"
    context = {"number": "2026112100042", "parent_number": "2026112100041", "result": short,
               "portal_url": "https://12345.example.gov.cn/portal/"}  # fmt: skip
    assert len(DEFAULTS["merged_result"].render(context).body) <= 200
    for code in ("merged", "merged_result"):
        template = DEFAULTS[code]
        assert placeholders(template.subject) | placeholders(template.body) <= template.fields


def test_another_citizen_s_name_and_number_are_taken_out():
    assert redact("已联系张三（13800001111）说明情况", "张三", "13800001111") == "已联系来电人（***）说明情况"
    assert redact("已处理", "", "") == "已处理"


# ---- the portal --------------------------------------------------------------------------------------------------


def _status(ticket: Ticket, phone: str) -> str:
    client = Client()
    tracked = client.post(reverse("portal_track"), {"number": ticket.number, "proof": phone})
    assert tracked.status_code == 302, tracked.content.decode()[:300]
    page = client.get(tracked["Location"])
    assert page.status_code == 200
    return page.content.decode()


def test_the_portal_shows_a_merged_appeal_the_parent_s_progress_then_result(city, settings):
    settings.REXIAN = {**settings.REXIAN, "NOTIFY_CHANNELS": ["log"]}
    parent, child, grandchild = _family(city)
    page = _status(child, CHILD_PHONE)
    assert f"已与工单 {parent.number} 合并办理" in page
    assert '<dd id="merged-state">已受理，正在派单</dd>' in page
    assert 'id="merged-answer"' not in page

    _close(city, Ticket.objects.get(pk=parent.pk))
    for ticket, phone in ((child, CHILD_PHONE), (grandchild, GRANDCHILD_PHONE)):
        page = _status(ticket, phone)
        assert f"已与工单 {parent.number} 合并办理" in page  # the grandchild sees the ticket that is handled
        assert '<dd id="merged-state">已办结</dd>' in page
        assert "经核查，来电人反映的占道摊点已全部清理" in page
        assert "张三" not in page and PARENT_PHONE not in page


def test_an_appeal_that_was_not_merged_shows_no_merge(city, settings):
    settings.REXIAN = {**settings.REXIAN, "NOTIFY_CHANNELS": ["log"]}
    ticket = _create(city)
    assert 'id="merged"' not in _status(ticket, PARENT_PHONE)
