"""The citizen portal: filing an appeal, following it and rating the answer, without an account."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from rexian.core import ratelimit
from rexian.core.clock import SHANGHAI
from rexian.tickets import actions
from rexian.tickets.models import Ticket, TicketEvent
from tests.conftest import APPEAL, City

FORM: dict[str, str] = {
    "citizen_name": "李四",
    "citizen_phone": "139 0000 2222",
    "appeal_type": "complaint",
    "district": "x_east",
    "address": "东区幸福路8号",
    "subject": "幸福路路灯不亮",
    "description": "幸福路8号门口的路灯已经坏了一个星期，晚上出行不安全。",
}
SECRET_NOTE = "内部备注：此人多次来电，注意语气"
ANSWER = "已更换路灯灯泡，经现场核实已恢复照明。"
MISMATCH = "编号与电话/查询码不匹配"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # The rate limiter counts in the cache: every test starts from zero.
    cache.clear()
    yield
    cache.clear()


def html(response: HttpResponse) -> str:
    return response.content.decode()


def field_errors(page: str, field: str) -> list[str]:
    """The messages rendered next to a field (inside its <div class="field invalid">)."""
    same_field = r'(?:(?!<div class="field).)*?'  # no other field's <div> in between
    pattern = rf'<div class="field invalid">{same_field}<ul class="errorlist" id="id_{field}-errors">(.*?)</ul>'
    block = re.search(pattern, page, re.S)
    return re.findall(r"<li>(.*?)</li>", block.group(1)) if block else []


def without_token(page: str, number: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page).replace(number, "N")


def text_of(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)<', page, re.S)
    assert match, f"no element #{element_id}"
    return match.group(1).strip()


def file_ticket(city: City, **extra: Any) -> Ticket:
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data={**APPEAL, **extra})
    return ticket


def to_in_progress(city: City, **extra: Any) -> Ticket:
    t = file_ticket(city, **extra)
    t = actions.dispatch(actor=city.users["dispatcher"], ticket_id=t.pk, version=t.version, lead_unit="d_hrss")
    t = actions.sign(actor=city.users["h_hrss"], ticket_id=t.pk, version=t.version)
    return actions.add_note(actor=city.users["h_hrss"], ticket_id=t.pk, version=t.version, text=SECRET_NOTE)


def to_replied(city: City, **extra: Any) -> Ticket:
    t = to_in_progress(city, **extra)
    return actions.reply(
        actor=city.users["h_hrss"], ticket_id=t.pk, version=t.version, result=ANSWER, citizen_contacted=True
    )


def to_callback_pending(city: City, **extra: Any) -> Ticket:
    t = to_replied(city, **extra)
    return actions.approve_reply(actor=city.users["reviewer"], ticket_id=t.pk, version=t.version)


def tracked(ticket: Ticket, proof: str | None = None) -> Client:
    """A browser that has proved the ticket is its own."""
    client = Client()
    response = client.post(reverse("portal_track"), {"number": ticket.number, "proof": proof or ticket.citizen_phone})
    assert response.status_code == 302, html(response)
    assert response["Location"] == reverse("portal_status", args=[ticket.number])
    return client


def status_page(client: Client, ticket: Ticket) -> str:
    response = client.get(reverse("portal_status", args=[ticket.number]))
    assert response.status_code == 200
    return html(response)


def rate(client: Client, ticket: Ticket, **fields: str) -> HttpResponse:
    data = {"version": str(ticket.version), "resolved": "yes", **fields}
    return client.post(reverse("portal_rate", args=[ticket.number]), data)


# ---- the home page ---------------------------------------------------------------------------------------


def test_home_page_sends_emergencies_elsewhere_and_links_to_submit_and_track(city):
    page = html(Client().get(reverse("portal")))
    for number in ("110", "119", "120", "122"):
        assert f"<b>{number}</b>" in page
    for words in ("咨询", "求助", "投诉", "举报", "建议", "信访", "仲裁", "诉讼", "国家秘密", "个人隐私"):
        assert words in page
    assert reverse("portal_submit") in page and reverse("portal_track") in page
    assert '<body class="public">' in page and "console.js" not in page


# ---- submitting ------------------------------------------------------------------------------------------


def test_submit_creates_one_web_ticket_and_shows_its_number_and_query_code(city):
    client = Client()
    form = html(client.get(reverse("portal_submit")))
    assert "csrfmiddlewaretoken" in form and 'type="tel"' in form and 'autocomplete="tel"' in form
    assert "保密：承办单位看不到您的姓名和电话" in form and 'value="other"' not in form
    response = client.post(reverse("portal_submit"), {**FORM, "is_confidential": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("portal_submitted")

    ticket = Ticket.objects.get()
    assert ticket.channel == "web" and ticket.state == "registered" and ticket.is_confidential
    assert ticket.district == city.units["x_east"] and ticket.citizen_phone == "139 0000 2222"
    event = ticket.events.get()
    assert event.action == "create" and event.actor_name == "诉求人（网上）" and event.actor_id is None

    page = html(client.get(reverse("portal_submitted")))
    assert text_of(page, "ticket-number") == ticket.number
    assert text_of(page, "query-code") == ticket.query_code and len(ticket.query_code) == 6
    assert reverse("portal_status", args=[ticket.number]) in page
    # The session remembers the ticket: its status page opens without tracking it.
    assert text_of(status_page(client, ticket), "citizen-state") == "已受理，正在派单"


def test_invalid_submit_shows_chinese_errors_next_to_fields_and_creates_nothing(city):
    response = Client().post(reverse("portal_submit"), {**FORM, "description": "  ", "citizen_phone": "abc"})
    assert response.status_code == 422
    page = html(response)
    assert field_errors(page, "description") == ["请填写诉求内容。"]
    assert field_errors(page, "citizen_phone") == ["电话号码格式不正确。"]
    assert field_errors(page, "subject") == []
    assert f'value="{FORM["subject"]}"' in page and 'value="abc"' in page  # the input is kept
    assert 'value="complaint" required checked' in page and 'value="x_east" selected' in page
    assert Ticket.objects.count() == 0


def test_phone_is_required_unless_anonymous(city):
    client = Client()
    response = client.post(reverse("portal_submit"), {**FORM, "citizen_phone": ""})
    assert response.status_code == 422
    assert field_errors(html(response), "citizen_phone") == ["请填写联系电话（匿名诉求可不填）。"]
    assert Ticket.objects.count() == 0

    response = client.post(reverse("portal_submit"), {**FORM, "citizen_phone": "", "is_anonymous": "on"})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.is_anonymous and ticket.citizen_name == "" and ticket.citizen_phone == ""


def test_the_catch_all_type_other_is_not_offered(city):
    response = Client().post(reverse("portal_submit"), {**FORM, "appeal_type": "other"})
    assert response.status_code == 422
    assert field_errors(html(response), "appeal_type") == ["请选择诉求类型。"]
    assert Ticket.objects.count() == 0


def test_honeypot_pretends_success_and_creates_nothing(city):
    client = Client()
    response = client.post(reverse("portal_submit"), {**FORM, "website": "http://spam.example"})
    assert response.status_code == 302 and response["Location"] == reverse("portal_submitted")
    assert Ticket.objects.count() == 0
    assert client.get(reverse("portal_submitted"))["Location"] == reverse("portal")


def test_submitted_page_without_a_submission_goes_home(city):
    response = Client().get(reverse("portal_submitted"))
    assert response.status_code == 302 and response["Location"] == reverse("portal")


def test_submit_rate_limit_answers_429_and_creates_nothing(city, settings):
    settings.REXIAN = {**settings.REXIAN, "PORTAL_SUBMITS_PER_HOUR": 2}
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(2):
        assert client.post(reverse("portal_submit"), FORM).status_code == 302
    response = client.post(reverse("portal_submit"), FORM)
    assert response.status_code == 429
    assert "提交过于频繁，请稍后再试" in html(response)
    assert Ticket.objects.count() == 2
    # Per address: another citizen is not blocked.
    assert Client(REMOTE_ADDR="10.0.0.2").post(reverse("portal_submit"), FORM).status_code == 302
    assert Ticket.objects.count() == 3


# ---- tracking --------------------------------------------------------------------------------------------


def test_track_with_phone_or_query_code(city):
    ticket = file_ticket(city, citizen_phone="138-0000-1111")
    client = tracked(ticket, proof="138 0000 1111")
    page = status_page(client, ticket)
    assert ticket.number in page and APPEAL["subject"] in page and "投诉" in page
    assert ticket.created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") in page
    tracked(ticket, proof=ticket.query_code.lower())


def test_wrong_proof_and_unknown_number_get_the_same_message(city):
    ticket = file_ticket(city)
    client = Client()
    wrong = client.post(reverse("portal_track"), {"number": ticket.number, "proof": "13900000000"})
    unknown = client.post(reverse("portal_track"), {"number": "2099010199999", "proof": "13900000000"})
    for response in (wrong, unknown):
        assert response.status_code == 422
        assert MISMATCH in html(response)
    # Nothing tells a wrong phone from a number that does not exist.
    assert without_token(html(wrong), ticket.number) == without_token(html(unknown), "2099010199999")
    assert client.get(reverse("portal_status", args=[ticket.number])).status_code == 302


def test_status_without_tracking_redirects_to_track(city):
    mine, other = file_ticket(city), file_ticket(city, citizen_phone="13700000000")
    response = Client().get(reverse("portal_status", args=[mine.number]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal_track")) and mine.number in response["Location"]
    client = tracked(mine)
    assert client.get(reverse("portal_status", args=[other.number])).status_code == 302


def test_lookup_rate_limit_stops_guessing(city, settings):
    settings.REXIAN = {**settings.REXIAN, "PORTAL_LOOKUPS_PER_10_MIN": 3}
    ticket = file_ticket(city)
    client = Client()
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC"):
        assert client.post(reverse("portal_track"), {"number": ticket.number, "proof": guess}).status_code == 422
    response = client.post(reverse("portal_track"), {"number": ticket.number, "proof": ticket.query_code})
    assert response.status_code == 429 and "查询过于频繁" in html(response)
    assert client.get(reverse("portal_status", args=[ticket.number])).status_code == 302


# ---- the status page -------------------------------------------------------------------------------------


def test_status_page_hides_notes_actor_names_and_unreviewed_replies(city):
    ticket = to_replied(city, is_confidential=True)
    page = status_page(tracked(ticket), ticket)
    assert text_of(page, "citizen-state") == "办理完毕，正在审核"
    assert SECRET_NOTE not in page and "内部备注" not in page
    assert ANSWER not in page  # the unit's reply waits for the centre's review
    for user in ("intake", "dispatcher", "h_hrss", "reviewer"):
        assert user not in page
    assert "已受理" in page and "已派至承办单位" in page and "承办单位已签收" in page
    assert "人社局" in page  # the unit a ticket was sent to is public; the people are not


def test_status_page_shows_the_handling_unit_while_in_progress(city):
    ticket = to_in_progress(city)
    page = status_page(tracked(ticket), ticket)
    assert text_of(page, "citizen-state") == "办理中"
    assert "承办单位：人社局" in page and SECRET_NOTE not in page and "提交评价" not in page


def test_status_page_shows_the_approved_answer_and_the_rating_form(city):
    ticket = to_callback_pending(city)
    page = status_page(tracked(ticket), ticket)
    assert text_of(page, "citizen-state") == "已答复，待评价"
    assert ANSWER in page and "承办单位已答复" in page
    assert 'name="satisfaction"' in page and f'name="version" value="{ticket.version}"' in page
    assert SECRET_NOTE not in page


def test_rejected_ticket_shows_reason_and_where_to_go(city):
    ticket = file_ticket(city)
    actions.reject_out_of_scope(
        actor=city.users["intake"],
        ticket_id=ticket.pk,
        version=ticket.version,
        reason="民间借贷纠纷",
        redirect_to="人民法院诉讼",
    )
    page = status_page(tracked(ticket), ticket)
    assert text_of(page, "citizen-state") == "不予受理"
    assert "民间借贷纠纷" in page and "人民法院诉讼" in page


# ---- rating ----------------------------------------------------------------------------------------------


def test_rating_satisfied_closes_the_ticket(city):
    ticket = to_callback_pending(city)
    client = tracked(ticket)
    response = rate(client, ticket, satisfaction="satisfied", comment="处理及时")
    assert response.status_code == 302 and response["Location"] == reverse("portal_status", args=[ticket.number])
    ticket.refresh_from_db()
    assert ticket.state == "closed" and ticket.satisfaction == "satisfied" and ticket.resolved is True
    event = ticket.events.order_by("-seq").first()
    assert event.action == "callback" and event.actor_name == "诉求人（网上）" and event.actor_id is None
    assert event.payload["comment"] == "处理及时"
    page = status_page(client, ticket)
    assert "感谢您的评价" in page and text_of(page, "citizen-state") == "已办结"
    assert "已评价" in page and "满意度：满意" in page and "提交评价" not in page


def test_rating_unsatisfied_sends_the_ticket_back_to_the_unit(city):
    ticket = to_callback_pending(city)
    client = tracked(ticket)
    assert rate(client, ticket, satisfaction="unsatisfied", resolved="no").status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == "in_progress" and ticket.rehandle_count == 1 and ticket.resolved is False
    page = status_page(client, ticket)
    assert text_of(page, "citizen-state") == "办理中"
    assert 'id="rehandling"' in page and "重办" in page
    assert ANSWER not in page  # the old answer is no longer the answer


def test_rating_a_ticket_not_waiting_for_it_changes_nothing(city):
    ticket = to_in_progress(city)
    client = tracked(ticket)
    response = rate(client, ticket, satisfaction="satisfied")
    assert response.status_code == 409
    assert "该工单目前不能评价" in html(response)
    ticket.refresh_from_db()
    assert ticket.state == "in_progress" and ticket.satisfaction == ""
    assert not TicketEvent.objects.filter(ticket=ticket, action="callback").exists()


def test_rating_without_satisfaction_shows_the_error_next_to_it(city):
    ticket = to_callback_pending(city)
    response = rate(tracked(ticket), ticket, comment="还行")
    assert response.status_code == 422
    page = html(response)
    assert field_errors(page, "satisfaction") == ["请选择满意度：满意、基本满意或不满意。"]
    assert "还行" in page  # the comment is kept
    ticket.refresh_from_db()
    assert ticket.state == "callback_pending"


def test_rating_with_a_stale_version_is_refused(city):
    ticket = to_callback_pending(city)
    client = tracked(ticket)
    response = client.post(
        reverse("portal_rate", args=[ticket.number]),
        {"version": str(ticket.version - 1), "satisfaction": "satisfied", "resolved": "yes"},
    )
    assert response.status_code == 409 and "工单状态已更新" in html(response)
    ticket.refresh_from_db()
    assert ticket.state == "callback_pending"


def test_rating_needs_the_session_and_a_post(city):
    ticket = to_callback_pending(city)
    response = rate(Client(), ticket, satisfaction="satisfied")
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal_track"))
    assert tracked(ticket).get(reverse("portal_rate", args=[ticket.number])).status_code == 405
    ticket.refresh_from_db()
    assert ticket.state == "callback_pending"


# ---- the rate limiter ------------------------------------------------------------------------------------


def test_hit_allows_the_limit_then_refuses_per_key():
    assert [ratelimit.hit("t", "a", limit=3, window_seconds=60) for _ in range(4)] == [True, True, True, False]
    assert ratelimit.hit("t", "b", limit=3, window_seconds=60)
    assert ratelimit.hit("other", "a", limit=3, window_seconds=60)


def test_client_ip_trusts_forwarded_for_only_when_told(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.1.1.1")
    settings.REXIAN = {**settings.REXIAN, "TRUST_X_FORWARDED_FOR": False}
    assert ratelimit.client_ip(request) == "10.1.1.1"
    settings.REXIAN = {**settings.REXIAN, "TRUST_X_FORWARDED_FOR": True}
    assert ratelimit.client_ip(request) == "203.0.113.7"


def test_the_session_remembers_at_most_20_tickets(city):
    tickets = [file_ticket(city) for _ in range(21)]
    client = Client()
    for i, ticket in enumerate(tickets):  # from several addresses, to stay under the lookup limit
        data = {"number": ticket.number, "proof": ticket.query_code}
        assert client.post(reverse("portal_track"), data, REMOTE_ADDR=f"10.0.1.{i}").status_code == 302
    assert client.session["portal_tickets"] == [t.pk for t in tickets[1:]]
    assert client.get(reverse("portal_status", args=[tickets[0].number])).status_code == 302
    assert client.get(reverse("portal_status", args=[tickets[-1].number])).status_code == 200
