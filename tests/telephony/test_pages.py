"""The console: the screen pop on the intake workbench, linking the call to the ticket saved from it, the calls on
the ticket page, and the 话务 page with its figures and call-back list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rexian.directory.models import HotlineMode, MergedHotline
from rexian.telephony.models import Call
from rexian.telephony.rules import EventKind
from rexian.tickets.models import Ticket
from tests.conftest import APPEAL, PASSWORD
from tests.telephony.conftest import START, call, record

pytestmark = pytest.mark.usefixtures("now")


def login(username: str, **options) -> Client:
    client = Client(**options)
    assert client.login(username=username, password=PASSWORD)
    return client


def ringing(cti, call_id: str = "c1", agent: str = "intake", **fact: str) -> Call:
    facts = {"caller": "13812345678", "dialled": "12345"} | fact
    return record(cti, call_id, EventKind.RINGING, START - timedelta(seconds=5), agent=agent, **facts)


# ---- the screen pop ----------------------------------------------------------------------------------------


def test_the_workbench_polls_for_the_agents_call(city, cti):
    html = login("intake").get(reverse("intake")).content.decode()
    assert 'hx-trigger="every 2s"' in html and f'hx-get="{reverse("intake_call")}"' in html
    assert 'name="call_id" id="id_call_id"' in html


def test_the_screen_pop_shows_the_agents_ringing_call_and_not_another_agents(city, agent2, cti):
    ringing(cti)
    mine = login("intake").get(reverse("intake_call"))
    assert mine.status_code == 200
    html = mine.content.decode()
    assert "来电 13812345678" in html and "填入" in html
    assert 'data-fill="id_citizen_phone" data-value="13812345678"' in html and 'data-value-also="c1"' in html
    assert f'hx-get="{reverse("intake_caller")}?phone=13812345678"' in html  # the caller-history lookup
    assert "13812345678" not in login("intake2").get(reverse("intake_call")).content.decode()


def test_an_answered_call_still_pops_an_ended_or_linked_one_does_not(city, cti):
    ringing(cti)
    record(cti, "c1", EventKind.ANSWERED, START, agent="intake")
    client = login("intake")
    assert "来电 13812345678" in client.get(reverse("intake_call")).content.decode()
    assert "已填入" in client.get(reverse("intake_call"), {"call_id": "c1"}).content.decode()
    record(cti, "c1", EventKind.ENDED, START + timedelta(seconds=30))
    assert "13812345678" not in client.get(reverse("intake_call")).content.decode()
    ringing(cti, "c2")
    Call.objects.filter(call_id="c2").update(ticket=Ticket.objects.create(number="x", subject="s", description="d",
                                                                          version=1, created_at=START,
                                                                          updated_at=START))  # fmt: skip
    assert "13812345678" not in client.get(reverse("intake_call")).content.decode()


def test_the_screen_pop_is_one_cheap_query(city, cti):
    ringing(cti)
    client = login("intake")
    client.get(reverse("intake_call"))
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("intake_call"))
    call_queries = [q["sql"] for q in captured.captured_queries if "telephony_call" in q["sql"]]
    assert len(call_queries) == 1


def test_a_unit_handler_gets_no_screen_pop(city, cti):
    assert login("h_hrss").get(reverse("intake_call")).status_code == 403


# ---- linking the call to the ticket ------------------------------------------------------------------------


def save(client: Client, call_id: str, **changes) -> Ticket:
    response = client.post(reverse("intake"), {**APPEAL, "finish": "save", "call_id": call_id, **changes}, follow=True)
    assert response.status_code == 200, response.content.decode()[:500]
    return Ticket.objects.latest("pk")


def test_saving_the_appeal_links_the_call_and_a_linked_call_keeps_its_first_ticket(city, cti):
    ringing(cti)
    client = login("intake")
    first = save(client, "c1")
    assert Call.objects.get().ticket == first and first.hotline is None
    response = client.post(reverse("intake"), {**APPEAL, "finish": "save", "call_id": "c1"}, follow=True)
    assert "已关联其他工单" in response.content.decode()
    assert Call.objects.get().ticket == first and Ticket.objects.count() == 2


def test_a_call_on_a_dual_track_hotline_tags_the_ticket(city, cti):
    hotline = MergedHotline.objects.create(number="12333", name="人社热线", unit=city.units["d_hrss"],
                                           mode=HotlineMode.DUAL_TRACK)  # fmt: skip
    MergedHotline.objects.create(number="12319", name="城建热线", unit=city.units["d_urban"], mode=HotlineMode.MERGED)
    ringing(cti, dialled="12333")
    ringing(cti, "c2", dialled="12319")
    client = login("intake")
    assert save(client, "c1").hotline == hotline
    assert save(client, "c2").hotline is None  # merged, not dual-track: an ordinary 12345 call


def test_another_agents_call_is_not_linked_but_the_ticket_is_saved(city, agent2, cti):
    ringing(cti, agent="intake2")
    response = login("intake").post(reverse("intake"), {**APPEAL, "finish": "save", "call_id": "c1"}, follow=True)
    assert "未能关联通话" in response.content.decode()
    assert Ticket.objects.count() == 1 and Call.objects.get().ticket is None


def test_an_answered_on_the_spot_appeal_links_its_call_too(city, cti):
    ringing(cti)
    ticket = save(login("intake"), "c1", appeal_type="consult", finish="answer", answer="可在线办理。")
    assert ticket.state != "registered" and Call.objects.get().ticket == ticket


def test_the_ticket_page_shows_its_calls_to_the_centre_only(city, cti):
    call(cti, "c1", START - timedelta(minutes=5), agent="intake", wait=8, talk=125)
    record(cti, "c1", EventKind.ENDED, START, recording_url="https://rec.example/c1.wav")
    ticket = save(login("intake"), "c1")
    html = login("dispatcher").get(reverse("ticket", args=[ticket.pk])).content.decode()
    assert 'id="ticket-calls"' in html and 'href="https://rec.example/c1.wav"' in html and "8秒" in html
    from rexian.tickets import actions

    actions.dispatch(actor=city.users["dispatcher"], ticket_id=ticket.pk, version=ticket.version, lead_unit="d_urban")
    unit_page = login("h_urban").get(reverse("ticket", args=[ticket.pk])).content.decode()
    assert 'id="ticket-calls"' not in unit_page and "rec.example" not in unit_page


# ---- the 话务 page -----------------------------------------------------------------------------------------


@pytest.fixture
def day(city, agent2, cti):
    call(cti, "a1", START - timedelta(hours=1), agent="intake", wait=5, talk=60)
    call(cti, "a2", START - timedelta(minutes=50), agent="intake2", wait=20, talk=100)
    call(cti, "gone", START - timedelta(minutes=40), agent="intake2", gave_up_after=30, caller="13700007777")
    return cti


def board(client: Client, **params) -> str:
    response = client.get(reverse("calls"), params)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


def test_the_shift_lead_sees_everyones_figures_and_the_call_backs(day):
    html = board(login("shift_lead"))
    agents = html.split('id="per-agent"')[1].split("</section>")[0]
    assert "intake2" in agents and ">intake<" in agents.replace(" ", "")
    tiles = html.split('id="call-tiles"')[1].split("</section>")[0]
    assert "66.7%" in tiles and "33.3%" in tiles  # 2 of 3 answered; 1 of 3 within 15 s
    assert "未达标" in html
    callbacks = html.split('id="callbacks"')[1]
    assert "13700007777" in callbacks and "已回拨" in callbacks and "30秒" in callbacks


def test_an_agent_sees_their_own_figures_and_everyones_call_backs(day):
    html = board(login("intake"))
    agents = html.split('id="per-agent"')[1].split("</section>")[0]
    assert "intake2" not in agents and "（本人）" in html
    tiles = html.split('id="call-tiles"')[1].split("</section>")[0]
    assert "100.0%" in tiles  # their one call, answered within 15 s
    assert "13700007777" in html.split('id="callbacks"')[1]


def test_a_city_leader_reads_but_cannot_mark(day, city):
    client = login("leader")
    html = board(client)
    assert "13700007777" in html and 'name="note"' not in html
    gone = Call.objects.get(call_id="gone")
    assert client.post(reverse("call_called_back", args=[gone.pk]), {"note": "x"}).status_code == 403


def test_a_unit_handler_cannot_open_the_calls_page(day):
    assert login("h_hrss").get(reverse("calls")).status_code == 403
    gone = Call.objects.get(call_id="gone")
    assert login("h_hrss").post(reverse("call_called_back", args=[gone.pk]), {"note": "x"}).status_code == 403
    assert Call.objects.get(call_id="gone").called_back_at is None


def test_marking_a_call_back(day, city):
    gone = Call.objects.get(call_id="gone")
    client = login("intake")
    response = client.post(
        reverse("call_called_back", args=[gone.pk]) + "?period=week", {"note": "已回拨，问题已受理。"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("calls") + "?period=week"
    gone.refresh_from_db()
    assert gone.called_back_at == START and gone.called_back_by == city.users["intake"]
    assert gone.callback_note == "已回拨，问题已受理。" and gone.called_back_by_name == "intake"
    html = board(client)
    assert "13700007777" not in html.split('id="callbacks"')[1] and "没有待回拨的来电" in html
    again = login("shift_lead").post(reverse("call_called_back", args=[gone.pk]), {"note": "再次"})
    assert again.status_code == 409 and "已由 intake" in again.content.decode()


def test_a_call_back_needs_a_note_and_a_csrf_token(day):
    gone = Call.objects.get(call_id="gone")
    empty = login("intake").post(reverse("call_called_back", args=[gone.pk]), {"note": "  "})
    assert empty.status_code == 422 and "请填写回拨情况" in empty.content.decode()
    forged = login("intake", enforce_csrf_checks=True).post(reverse("call_called_back", args=[gone.pk]), {"note": "x"})
    assert forged.status_code == 403
    assert Call.objects.get(call_id="gone").called_back_at is None
    answered = Call.objects.get(call_id="a1")
    assert login("intake").post(reverse("call_called_back", args=[answered.pk]), {"note": "x"}).status_code == 409


def test_the_period_picker(day):
    client = login("shift_lead")
    yesterday = (START - timedelta(days=1)).date().isoformat()
    html = board(client, period="custom", start=yesterday, end=yesterday)
    assert "本期没有呼入" in html
    assert "66.7%" in board(client, period="week") and "66.7%" in board(client, period="month")
    bad = board(client, period="custom", start="2026-13-01", end="2026-03-01")
    assert "日期格式应为" in bad


def test_the_calls_page_makes_no_query_per_call(day, cti):
    client = login("shift_lead")
    board(client)
    with CaptureQueriesContext(connection) as few:
        board(client)
    for n in range(10):
        call(cti, f"more-{n}", START - timedelta(minutes=30 - n), agent=f"agent{n}", gave_up_after=10)
    with CaptureQueriesContext(connection) as many:
        board(client)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_navigation_shows_the_calls_page_to_its_roles(city):
    for username, shown in (("intake", True), ("shift_lead", True), ("leader", True), ("dispatcher", False),
                            ("h_hrss", False)):  # fmt: skip
        nav = login(username).get(reverse("console")).content.decode().split('class="mainnav"')[1].split("</nav>")[0]
        assert (">话务<kbd>" in nav) is shown, username
