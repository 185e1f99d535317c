"""Deadlines and supervision on the console's pages and the portal: the lights in every list, the ticket page's
时限与督办 panel and its forms, the centre's supervision tabs with their Excel exports, the units' notices with
the written explanation and the Word download, and the public 挂牌督办 list.

Clocks come from real actions (dispatch starts 签收 and 办理); the clock is moved with time_machine and
`sweep()` turns the lights and issues the notices, as the worker does every minute."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from rexian.core.clock import SHANGHAI
from rexian.supervision import actions as supervision
from rexian.supervision.models import Notice, StageClock, UnitCard, Watch
from rexian.supervision.sweep import sweep
from rexian.tickets import actions
from rexian.tickets.models import Ticket
from tests.conftest import APPEAL
from tests.web.test_console import _queries, dispatched, login, page, registered

MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)  # no holiday in the weeks that follow
TUESDAY_AFTERNOON = datetime(2026, 11, 17, 15, 0, tzinfo=SHANGHAI)  # the 签收 clock (1 working day) is yellow
WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)  # 签收 one working day overdue: 工作提醒函


@pytest.fixture
def monday(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return time_machine


def overdue_ticket(city, monday, unit: str = "d_urban", **changes) -> Ticket:
    """A ticket dispatched on Monday and not signed: by Wednesday its 签收 clock is red, reminded (催办) and
    at the ladder's first level (工作提醒函)."""
    ticket = dispatched(city, unit=unit, **changes)
    monday.move_to(WEDNESDAY, tick=False)
    sweep()
    return ticket


def row(html: str, marker: str) -> str:
    """The table row that contains `marker`."""
    start = html.index(marker)
    return html[html.rfind("<tr", 0, start) : html.index("</tr>", start)]


def light_of(html: str) -> str:
    match = re.search(r'<span class="light (\w+)">([^<]+)</span>', html)
    assert match, "no light"
    return f"{match.group(1)} {match.group(2)}"


# ---- lights and deadlines in the lists ----------------------------------------------------------------------


def test_every_list_shows_the_worst_light_in_words_and_the_earliest_deadline(city, monday):
    waiting = registered(city, subject="待派单的工单")
    late = dispatched(city, subject="超期未签收的工单")
    monday.move_to(WEDNESDAY, tick=False)
    sweep()
    sign_clock = StageClock.objects.get(ticket=late, stage="sign")
    assert sign_clock.light == 2

    unit_row = row(page(login("h_urban"), reverse("unit_inbox"), stage="sign"), late.number)
    assert light_of(unit_row) == "red 已超期"
    assert "11-17 23:59" in unit_row and "签收" in unit_row  # the 签收 deadline, before the 办理 one
    search = page(login("dispatcher"), reverse("search"))
    assert light_of(row(search, late.number)) == "red 已超期"
    dispatch_row = row(page(login("dispatcher"), reverse("dispatch")), waiting.number)
    assert light_of(dispatch_row) == "red 已超期"  # 派单 within one working day, and it is Wednesday


def test_a_yellow_light_and_a_provisional_deadline(city, time_machine):
    # Signed on 21 December 2026: 15 working days run into 2027, whose holidays are not loaded.
    time_machine.move_to(datetime(2026, 12, 21, 9, 0, tzinfo=SHANGHAI), tick=False)
    ticket = dispatched(city)
    ticket = actions.sign(actor=city.users["h_urban"], ticket_id=ticket.pk, version=ticket.version)
    handling = StageClock.objects.get(ticket=ticket, stage="handling")
    assert handling.running and handling.provisional
    progress = row(page(login("h_urban"), reverse("unit_inbox"), stage="progress"), ticket.number)
    assert "（暂定）" in progress and light_of(progress) == "green 正常"
    time_machine.move_to(handling.warn_at, tick=False)
    assert sweep().yellow == 1
    progress = row(page(login("h_urban"), reverse("unit_inbox"), stage="progress"), ticket.number)
    assert light_of(progress) == "yellow 即将超期"


def test_review_callback_and_intake_lists_carry_the_deadline_too(city, monday):
    ticket = dispatched(city)
    handler = city.users["h_urban"]
    ticket = actions.sign(actor=handler, ticket_id=ticket.pk, version=ticket.version)
    ticket = actions.reply(
        actor=handler, ticket_id=ticket.pk, version=ticket.version, result="已办", citizen_contacted=True
    )
    assert light_of(row(page(login("reviewer"), reverse("review"), kind="reply"), ticket.number)) == "green 正常"
    ticket = actions.approve_reply(actor=city.users["reviewer"], ticket_id=ticket.pk, version=ticket.version)
    callback_row = row(page(login("callback"), reverse("callback")), ticket.number)
    assert light_of(callback_row) == "green 正常" and '<span class="muted">回访</span>' in callback_row
    sent_back = registered(city)
    actions.return_to_intake(
        actor=city.users["dispatcher"], ticket_id=sent_back.pk, version=sent_back.version, reason="缺地址"
    )
    intake = page(login("intake"), reverse("intake"))
    returned = intake[intake.index("退回受理待补充") :]
    assert sent_back.number in returned and "light green" in returned


@pytest.mark.parametrize(
    ("username", "url", "params"),
    [
        ("shift_lead", "supervision", {"tab": "overdue"}),
        ("shift_lead", "supervision", {"tab": "ledger"}),
        ("h_urban", "unit_notices", {}),
        (None, "portal_listed", {}),
    ],
)
def test_supervision_lists_do_not_make_a_query_per_row(city, monday, username, url, params):
    def grow(n: int) -> None:
        for _ in range(n):
            ticket = dispatched(city)
            supervision.issue_notice(actor=city.users["shift_lead"], ticket_id=ticket.pk, level=1)
            supervision.watch_ticket(actor=city.users["shift_lead"], ticket_id=ticket.pk, kind="listed", reason="久拖")
        monday.shift(60 * 60 * 48)
        sweep()

    def count() -> int:  # signed in afresh: the clock moved past the session's age
        return _queries(login(username) if username else Client(), reverse(url), **params)

    grow(2)
    few = count()
    grow(6)
    many = count()
    assert many == few, f"{url}: {few} queries for a few rows, {many} for more"


# ---- the ticket page --------------------------------------------------------------------------------------------


def test_the_ticket_page_lists_each_clock_with_its_light_share_and_level(city, monday):
    ticket = overdue_ticket(city, monday)
    html = page(login("shift_lead"), reverse("ticket", args=[ticket.pk]))
    sign = row(html, 'id="clock-sign"')
    assert "签收" in sign and "1 个工作日" in sign and "2026-11-17 23:59" in sign
    assert light_of(sign) == "red 已超期" and 'value="100"' in sign and "工作提醒函" in sign
    handling = row(html, 'id="clock-handling"')
    assert "15 个工作日" in handling and light_of(handling) == "green 正常" and "（暂定）" not in handling
    notices = html[html.index('id="ticket-notices"') :]
    numbers = [n.number for n in Notice.objects.filter(ticket=ticket)]
    assert len(numbers) == 2 and all(number in notices for number in numbers)  # 催办 and 工作提醒函
    assert "待说明" in notices and "无需说明" in notices


def test_a_shift_lead_issues_a_notice_from_the_ticket_page(city, monday):
    ticket = dispatched(city)
    client = login("shift_lead")
    form = page(client, reverse("ticket", args=[ticket.pk]))
    levels = re.findall(r'<option value="(\d+)"', form[form.index('id="notice-level"') :].split("</select>")[0])
    assert levels == ["0", "1", "2"]  # 提级督办 and above are the centre admin's
    response = client.post(
        reverse("ticket_notice", args=[ticket.pk]), {"level": "2", "text": "请三日内办结。"}, follow=True
    )
    notice = Notice.objects.get(ticket=ticket)
    assert (notice.level, notice.title, notice.text, notice.unit.code) == (2, "热线督办单", "请三日内办结。", "d_urban")
    assert f"已签发热线督办单 {notice.number}" in response.content.decode()


def test_issuing_is_refused_for_a_level_or_role_that_may_not(city, monday):
    ticket = dispatched(city)
    response = login("shift_lead").post(reverse("ticket_notice", args=[ticket.pk]), {"level": "3"})
    assert response.status_code == 403 and "不能签发“提级督办”" in response.content.decode()
    response = login("dispatcher").post(reverse("ticket_notice", args=[ticket.pk]), {"level": "0"})
    assert response.status_code == 403
    assert 'id="form-notice"' not in page(login("dispatcher"), reverse("ticket", args=[ticket.pk]))
    response = login("centre_admin").post(reverse("ticket_notice", args=[ticket.pk]), {"level": "x"})
    assert response.status_code == 422 and "请选择督办级别" in response.content.decode()
    assert not Notice.objects.exists()
    assert login("centre_admin").post(reverse("ticket_notice", args=[ticket.pk]), {"level": "3"}).status_code == 302


def test_listing_a_ticket_and_lifting_it(city, monday):
    ticket = dispatched(city)
    client = login("shift_lead")
    url = reverse("ticket_watch", args=[ticket.pk])
    assert client.post(url, {"kind": "listed", "reason": ""}).status_code == 422
    client.post(url, {"kind": "listed", "reason": "群众反映强烈，久拖未决"})
    client.post(url, {"kind": "difficult", "reason": "涉及多个部门"})
    again = client.post(url, {"kind": "listed", "reason": "再挂一次"})
    assert again.status_code == 409 and "已在挂牌督办中" in again.content.decode()
    html = page(client, reverse("ticket", args=[ticket.pk]))
    assert 'id="watch-listed"' in html and 'id="watch-difficult"' in html and "群众反映强烈" in html
    listed = Watch.objects.get(kind="listed")
    assert login("h_urban").post(reverse("ticket_lift", args=[ticket.pk, listed.pk])).status_code == 403
    client.post(reverse("ticket_lift", args=[ticket.pk, listed.pk]), {"note": "已办结"})
    listed.refresh_from_db()
    assert listed.lifted_at is not None and listed.lift_note == "已办结"


# ---- the centre's supervision page ------------------------------------------------------------------------------


def test_the_supervision_page_is_for_the_centres_overseers(city):
    for username in ("shift_lead", "centre_admin", "quality", "leader", "dispatcher"):
        assert login(username).get(reverse("supervision")).status_code == 200, username
    for username in ("h_urban", "h_east", "intake", "callback"):
        assert login(username).get(reverse("supervision")).status_code == 403, username
    nav = page(login("quality"), reverse("console")).split('class="mainnav"')[1].split("</nav>")[0]
    assert ">督办<kbd>" in nav and "督办文书" not in nav


def test_overdue_and_due_soon_tabs(city, monday):
    soon = dispatched(city, subject="快到期")
    late = dispatched(city, unit="d_hrss", category="010101", subject="已超期")
    monday.move_to(TUESDAY_AFTERNOON, tick=False)
    sweep()
    client = login("shift_lead")
    assert soon.number in page(client, reverse("supervision"), tab="due")
    friday = MONDAY - timedelta(days=3)
    StageClock.objects.filter(ticket=late, stage="sign").update(due_at=friday)  # due last Friday: 2 working days late
    sweep()
    overdue = page(client, reverse("supervision"), tab="overdue")
    late_row = row(overdue, late.number)
    assert "人社局" in late_row and "2 个工作日" in late_row and light_of(late_row) == "red 已超期"
    assert "工作提醒函" in late_row and soon.number not in overdue
    assert late.number in page(client, reverse("supervision"), tab="overdue", unit="d_hrss", sort="unit")
    assert late.number not in page(client, reverse("supervision"), tab="overdue", unit="d_urban")
    bad = page(client, reverse("supervision"), 422, tab="overdue", unit="nowhere", sort="sideways")
    assert "没有编码为“nowhere”的单位" in bad and "请从列表中选择" in bad


def ledger_notices(city, monday) -> dict[str, Notice]:
    east = overdue_ticket(city, monday, unit="x_east", subject="东区工单")
    urban = Ticket.objects.get(pk=dispatched(city, subject="城管工单").pk)
    lead = city.users["shift_lead"]
    made = {
        "east_reminder": Notice.objects.get(ticket=east, level=0),
        "east_letter": Notice.objects.get(ticket=east, level=1),
        "urban": supervision.issue_notice(actor=lead, ticket_id=urban.pk, level=2, text="请立即办理"),
    }
    supervision.explain_notice(
        actor=city.users["h_east"], notice_id=made["east_letter"].pk, explanation="人手不足，已整改"
    )
    return made


def test_the_ledger_filters_by_unit_level_date_and_explanation(city, monday):
    notices = ledger_notices(city, monday)
    client = login("quality")

    def numbers(status: int = 200, **params) -> set[str]:
        html = page(client, reverse("supervision"), status, tab="ledger", **params)
        return {n.number for n in Notice.objects.all() if n.number in html}

    everything = {n.number for n in notices.values()}
    assert numbers() == everything
    assert numbers(unit="x_east") == {notices["east_reminder"].number, notices["east_letter"].number}
    assert numbers(level="2") == {notices["urban"].number}
    assert numbers(explained="yes") == {notices["east_letter"].number}
    assert numbers(explained="no") == {notices["urban"].number}  # a 催办 asks for no explanation
    assert numbers(**{"from": "2026-11-18", "to": "2026-11-18"}) == everything
    assert numbers(**{"from": "2026-11-19"}) == set()
    bad = page(client, reverse("supervision"), 422, tab="ledger", level="9", to="昨天")
    assert "请从列表中选择" in bad and "日期格式应为" in bad


def test_the_ledger_exports_the_filtered_notices_to_excel(city, monday):
    notices = ledger_notices(city, monday)
    response = login("shift_lead").get(reverse("supervision"), {"tab": "ledger", "unit": "d_urban", "export": "xlsx"})
    assert response.status_code == 200 and "filename*=utf-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("文号", "文书", "级别", "责任单位", "工单编号")
    assert len(rows) == 2
    number, title, level, unit, _, _, issued, _, _, explained, _ = rows[1]
    assert (number, title, level, unit) == (notices["urban"].number, "热线督办单", 2, "城管局")
    assert issued == datetime(2026, 11, 18, 10, 0) and explained is None
    bad = login("shift_lead").get(reverse("supervision"), {"tab": "ledger", "level": "x", "export": "xlsx"})
    assert bad.status_code == 422 and bad["Content-Type"].startswith("text/html")


def test_the_watch_lists_and_their_export(city, monday):
    ticket = dispatched(city)
    lead = city.users["shift_lead"]
    watch = supervision.watch_ticket(actor=lead, ticket_id=ticket.pk, kind="listed", reason="久拖未决")
    supervision.watch_ticket(actor=lead, ticket_id=ticket.pk, kind="difficult", reason="多部门职责交叉")
    client = login("leader")
    assert "久拖未决" in page(client, reverse("supervision"), tab="listed")
    assert "多部门职责交叉" in page(client, reverse("supervision"), tab="difficult")
    supervision.lift_watch(actor=lead, watch_id=watch.pk, note="已解决")
    assert "久拖未决" not in page(client, reverse("supervision"), tab="listed")
    assert "已解决" in page(client, reverse("supervision"), tab="listed", lifted="1")
    response = client.get(reverse("supervision"), {"tab": "listed", "lifted": "1", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][:4] == (ticket.number, APPEAL["subject"], "城管局", "久拖未决") and rows[1][-1] == "已解决"


def test_the_cards_of_a_month(city, monday, settings):
    settings.REXIAN = {**settings.REXIAN, "CARD_THRESHOLDS": [1, 2, 3]}
    overdue_ticket(city, monday)
    card = UnitCard.objects.get()
    client = login("centre_admin")
    november = row(page(client, reverse("supervision"), tab="cards"), "城管局</td>")
    assert "黄牌" in november and ">1<" in november and card.period == "2026-11"
    assert "城管局</td>" not in page(client, reverse("supervision"), tab="cards", month="2026-10")
    assert "月份格式应为" in page(client, reverse("supervision"), 422, tab="cards", month="2026-13")


# ---- the units' notices -----------------------------------------------------------------------------------------


def test_a_unit_sees_its_notices_awaiting_explanation_first_and_answers(city, monday):
    ticket = overdue_ticket(city, monday)
    letter = Notice.objects.get(ticket=ticket, level=1)
    client = login("h_urban")
    html = page(client, reverse("unit_notices"))
    nav = html.split('class="mainnav"')[1].split("</nav>")[0]
    assert '>督办文书<kbd>Alt+8</kbd><span class="count"' in nav  # one notice awaits an explanation
    assert html.index(letter.number) < html.index(Notice.objects.get(ticket=ticket, level=0).number)
    empty = client.post(reverse("notice_explain", args=[letter.pk]), {"explanation": " "})
    assert empty.status_code == 422 and "请填写书面说明" in empty.content.decode()
    client.post(reverse("notice_explain", args=[letter.pk]), {"explanation": "当日值班人员请假，已调整排班。"})
    letter.refresh_from_db()
    assert letter.explained_by_name == "h_urban" and letter.explanation == "当日值班人员请假，已调整排班。"
    again = client.post(reverse("notice_explain", args=[letter.pk]), {"explanation": "再说一次"})
    assert again.status_code == 409 and "已作出书面说明" in again.content.decode()
    assert "当日值班人员请假" in page(client, reverse("notice", args=[letter.pk]))


def test_a_unit_never_sees_another_units_notices(city, monday):
    street = overdue_ticket(city, monday, unit="s_east_1", subject="街道的工单")
    letter = Notice.objects.get(ticket=street, level=1)
    assert letter.number in page(login("h_east"), reverse("unit_notices"))  # the district sees its street's
    for username in ("h_urban", "h_west"):
        client = login(username)
        assert letter.number not in page(client, reverse("unit_notices"))
        assert client.get(reverse("notice", args=[letter.pk])).status_code == 404
        assert client.get(reverse("notice_docx", args=[letter.pk])).status_code == 404
        refused = client.post(reverse("notice_explain", args=[letter.pk]), {"explanation": "不是我们的"})
        assert refused.status_code == 404
    letter.refresh_from_db()
    assert letter.explained_at is None
    assert letter.number in page(login("quality"), reverse("notice", args=[letter.pk]))  # the centre opens any
    assert login("shift_lead").get(reverse("unit_notices")).status_code == 403


def test_the_printable_notice_and_its_word_download(city, monday):
    ticket = overdue_ticket(city, monday)
    letter = Notice.objects.get(ticket=ticket, level=1)
    html = page(login("h_urban"), reverse("notice", args=[letter.pk]))
    assert "工作提醒函" in html and letter.number in html and ticket.subject in html
    assert "城管局" in html and "2026年11月18日" in html and 'id="form-explain"' in html
    response = login("h_urban").get(reverse("notice_docx", args=[letter.pk]))
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert "filename*=utf-8''" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert letter.number in text and "工作提醒函" in text and ticket.number in text
    assert letter.text.splitlines()[1] in text


# ---- the portal -------------------------------------------------------------------------------------------------


def test_the_portal_lists_active_listed_cases_without_personal_data(city, monday):
    ticket = dispatched(city)
    supervision.watch_ticket(actor=city.users["shift_lead"], ticket_id=ticket.pk, kind="listed", reason="久拖未决")
    hidden = dispatched(city, subject="只在重点库中的工单")
    supervision.watch_ticket(actor=city.users["shift_lead"], ticket_id=hidden.pk, kind="difficult", reason="疑难")
    assert reverse("portal_listed") in page(Client(), reverse("portal"))
    html = page(Client(), reverse("portal_listed"))
    assert ticket.number in html and APPEAL["subject"] in html and "城管局" in html and "久拖未决" in html
    assert "2026-11-16" in html
    for private in (APPEAL["citizen_name"], APPEAL["citizen_phone"], APPEAL["address"], APPEAL["description"]):
        assert private not in html
    assert hidden.number not in html
