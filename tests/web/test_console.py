"""The staff console through Django's test client: each workbench, its errors, its access rules and its
query counts. The browser tests (test_e2e.py) walk the same paths with a real Chromium."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rexian.core.clock import SHANGHAI
from rexian.tickets import actions
from rexian.tickets.models import Ticket
from tests.conftest import APPEAL, PASSWORD

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def page(client: Client, url: str, status: int = 200, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == status, response.content.decode()[:500]
    return response.content.decode()


def registered(city, **changes) -> Ticket:
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data={**APPEAL, **changes})
    return ticket


def dispatched(city, unit: str = "d_urban", **changes) -> Ticket:
    ticket = registered(city, **changes)
    return actions.dispatch(actor=city.users["dispatcher"], ticket_id=ticket.pk, version=ticket.version, lead_unit=unit)


def replied(city) -> Ticket:
    ticket = dispatched(city)
    handler = city.users["h_urban"]
    ticket = actions.sign(actor=handler, ticket_id=ticket.pk, version=ticket.version)
    return actions.reply(
        actor=handler, ticket_id=ticket.pk, version=ticket.version, result="已清理占道摊点。", citizen_contacted=True
    )


# ---- sign-in and navigation ----------------------------------------------------------------------------


def test_console_needs_a_login_and_the_login_page_speaks_chinese(city):
    response = Client().get(reverse("intake"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "登录工作台" in page(Client(), reverse("login"))
    wrong = Client().post(reverse("login"), {"username": "intake", "password": "wrong"})
    assert "用户名或密码不正确" in wrong.content.decode()


@pytest.mark.parametrize(
    ("username", "shown", "hidden"),
    [
        ("intake", ["受理", "查询"], ["派单", "承办", "回访"]),
        ("dispatcher", ["派单", "审核"], ["受理", "承办"]),
        ("h_hrss", ["承办", "查询"], ["受理", "派单", "审核", "回访"]),
        ("callback", ["回访"], ["受理", "派单", "承办"]),
    ],
)
def test_navigation_follows_the_roles(city, username, shown, hidden):
    html = page(login(username), reverse("console"))
    nav = html.split('class="mainnav"')[1].split("</nav>")[0]
    for label in shown:
        assert f">{label}<kbd>" in nav
    for label in hidden:
        assert f">{label}<kbd>" not in nav


def test_a_workbench_refuses_roles_it_is_not_for(city):
    assert login("h_hrss").get(reverse("intake")).status_code == 403
    assert login("intake").get(reverse("unit_inbox")).status_code == 403
    assert login("nobody").get(reverse("search")).status_code == 403


# ---- intake ----------------------------------------------------------------------------------------------


def test_intake_registers_a_call_and_tells_the_query_code(city):
    client = login("intake")
    response = client.post(reverse("intake"), {**APPEAL, "finish": "save", "idempotency_key": "k1"}, follow=True)
    ticket = Ticket.objects.get()
    assert ticket.state == "registered" and ticket.channel == "phone" and ticket.category.code == "020101"
    html = response.content.decode()
    assert ticket.number in html and ticket.query_code in html and "等待派单" in html


def test_intake_resubmission_with_the_same_key_creates_one_ticket(city):
    client = login("intake")
    for _ in range(2):
        client.post(reverse("intake"), {**APPEAL, "finish": "save", "idempotency_key": "same"})
    assert Ticket.objects.count() == 1


def test_intake_errors_stand_next_to_their_fields_and_keep_the_input(city):
    client = login("intake")
    bad = {**APPEAL, "description": "", "citizen_phone": "电话", "finish": "save"}
    response = client.post(reverse("intake"), bad)
    assert response.status_code == 422
    html = response.content.decode()
    assert "请填写诉求内容" in html and "电话号码格式不正确" in html
    assert APPEAL["subject"] in html  # what the agent typed is still there
    assert not Ticket.objects.exists()


def test_intake_answers_directly_and_closes(city):
    client = login("intake")
    client.post(reverse("intake"), {**APPEAL, "appeal_type": "consult", "finish": "answer", "answer": "可在线办理。"})
    ticket = Ticket.objects.get()
    assert ticket.state == "answered" and ticket.result_text == "可在线办理。"


def test_intake_answer_without_text_creates_nothing_and_reports_every_field(city):
    client = login("intake")
    response = client.post(reverse("intake"), {**APPEAL, "subject": "", "finish": "answer", "answer": ""})
    html = response.content.decode()
    assert response.status_code == 422 and "请填写答复内容" in html and "请填写标题" in html
    assert not Ticket.objects.exists()


def test_intake_rejects_out_of_scope_with_the_redirect(city):
    client = login("intake")
    data = {**APPEAL, "finish": "reject", "reason": "正在诉讼中", "redirect_to": "人民法院"}
    client.post(reverse("intake"), data)
    ticket = Ticket.objects.get()
    assert ticket.state == "rejected"
    assert ticket.events.last().payload["redirect_to"] == "人民法院"


def test_caller_lookup_shows_earlier_and_open_tickets(city):
    first = registered(city)
    registered(city, subject="第二次来电")
    html = page(login("intake"), reverse("intake_caller"), citizen_phone=APPEAL["citizen_phone"])
    assert "重复来电" in html and first.number in html and "未办结" in html
    assert "首次来电" in page(login("intake"), reverse("intake_caller"), citizen_phone="13900000000")


def test_side_panels_warn_of_emergencies_duplicates_and_suggest_a_unit(city, seeded_screening):
    existing = registered(city)
    values = {**APPEAL, "description": "楼下着火了，冒烟很大"}
    html = login("intake").post(reverse("intake_panels"), values).content.decode()
    assert "119 火警" in html
    assert existing.number in html  # same phone, same category and street, still open
    assert "东区" in html and "属地管理优先" in html  # the district's own catalogue row


# ---- dispatch --------------------------------------------------------------------------------------------


def test_dispatch_queue_puts_urgent_first_and_shows_the_catalogue_suggestion(city):
    normal = registered(city, subject="普通件")
    urgent = registered(city, subject="紧急件", urgency="urgent", category="010101", district="", street="")
    html = page(login("dispatcher"), reverse("dispatch"))
    assert html.index(urgent.number) < html.index(normal.number)
    row = html.split(f'id="row-{urgent.pk}"')[1].split("</tr>")[0]
    assert "人社局" in row


def test_dispatch_in_place_with_htmx_answers_a_row(city):
    ticket = registered(city)
    client = login("dispatcher")
    response = client.post(
        reverse("ticket_act", args=[ticket.pk, "dispatch"]),
        {"version": ticket.version, "lead_unit": "d_urban", "fragment": "dispatch"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "已派至" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == "dispatched" and ticket.handling_unit.code == "d_urban"


def test_dispatch_to_an_unknown_unit_shows_the_error_in_the_row(city):
    ticket = registered(city)
    response = login("dispatcher").post(
        reverse("ticket_act", args=[ticket.pk, "dispatch"]),
        {"version": ticket.version, "lead_unit": "nowhere", "fragment": "dispatch"},
        headers={"HX-Request": "true"},
    )
    assert "errorlist" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == "registered"


def test_batch_dispatch_follows_the_catalogue_and_reports_what_it_could_not_do(city):
    a = registered(city)
    b = registered(city, category="010101")
    c = registered(city, category="")  # no category: no suggestion
    data = {"ticket": [a.pk, b.pk, c.pk], **{f"version_{t.pk}": t.version for t in (a, b, c)}}
    html = login("dispatcher").post(reverse("dispatch_batch"), data, follow=True).content.decode()
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert a.handling_unit.code == "x_east"  # 属地 row of the district
    assert b.handling_unit.code == "d_hrss"
    assert c.state == "registered" and "没有建议单位" in html and "已批量派单 2 件" in html


def test_batch_dispatch_refuses_a_ticket_changed_meanwhile(city):
    ticket = registered(city)
    html = login("dispatcher").post(
        reverse("dispatch_batch"), {"ticket": [ticket.pk], f"version_{ticket.pk}": ticket.version - 1}, follow=True
    )
    assert "已被他人更新" in html.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == "registered"


def test_send_back_to_intake_lists_it_for_the_agent(city):
    ticket = registered(city)
    login("dispatcher").post(
        reverse("ticket_act", args=[ticket.pk, "return_to_intake"]), {"version": ticket.version, "reason": "缺地址"}
    )
    ticket.refresh_from_db()
    assert ticket.needs_information
    assert ticket.number not in page(login("dispatcher"), reverse("dispatch"))
    assert "退回受理待补充" in page(login("intake"), reverse("intake"))


# ---- the unit's work -------------------------------------------------------------------------------------


def test_unit_inbox_by_stage_and_one_click_sign(city):
    ticket = dispatched(city)
    client = login("h_urban")
    html = page(client, reverse("unit_inbox"), stage="sign")
    assert ticket.number in html
    response = client.post(
        reverse("ticket_act", args=[ticket.pk, "sign"]),
        {"version": ticket.version, "fragment": "unit"},
        headers={"HX-Request": "true"},
    )
    assert "签收完成" in response.content.decode()
    assert ticket.number in page(client, reverse("unit_inbox"), stage="progress")
    assert ticket.number not in page(client, reverse("unit_inbox"), stage="sign")


def test_overdue_and_sent_back_stages(city, time_machine):
    ticket = dispatched(city)
    handler = city.users["h_urban"]
    ticket = actions.sign(actor=handler, ticket_id=ticket.pk, version=ticket.version)
    time_machine.move_to(ticket.due_at + (ticket.due_at - ticket.created_at))
    client = login("h_urban")
    assert ticket.number in page(client, reverse("unit_inbox"), stage="overdue")
    ticket = actions.reply(
        actor=handler, ticket_id=ticket.pk, version=ticket.version, result="已办", citizen_contacted=True
    )
    actions.send_back_reply(actor=city.users["reviewer"], ticket_id=ticket.pk, version=ticket.version, reason="不完整")
    assert ticket.number in page(client, reverse("unit_inbox"), stage="returned")


def test_reply_with_attachments_from_the_ticket_page(city):
    ticket = dispatched(city)
    handler = city.users["h_urban"]
    ticket = actions.sign(actor=handler, ticket_id=ticket.pk, version=ticket.version)
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = login("h_urban").post(
        reverse("ticket_act", args=[ticket.pk, "reply"]),
        {"version": ticket.version, "result": "已清理。", "citizen_contacted": "yes", "files": [photo]},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == "replied" and ticket.attachments.get().name == "现场.png"
    assert ticket.events.last().payload["attachments"][0]["name"] == "现场.png"
    url = reverse("ticket_file", args=[ticket.pk, ticket.attachments.get().pk])
    download = login("dispatcher").get(url)
    assert b"".join(download.streaming_content) == PNG and download["X-Content-Type-Options"] == "nosniff"
    assert login("h_hrss").get(url).status_code == 404


def test_a_bad_attachment_refuses_the_whole_reply(city):
    ticket = dispatched(city)
    ticket = actions.sign(actor=city.users["h_urban"], ticket_id=ticket.pk, version=ticket.version)
    fake = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = login("h_urban").post(
        reverse("ticket_act", args=[ticket.pk, "reply"]),
        {"version": ticket.version, "result": "已清理。", "citizen_contacted": "yes", "files": [fake]},
    )
    assert response.status_code == 422 and "不支持的文件类型" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == "in_progress" and not ticket.attachments.exists()


def test_action_form_errors_show_in_chinese_beside_the_field(city):
    ticket = dispatched(city)
    ticket = actions.sign(actor=city.users["h_urban"], ticket_id=ticket.pk, version=ticket.version)
    response = login("h_urban").post(
        reverse("ticket_act", args=[ticket.pk, "request_extension"]), {"version": ticket.version, "days": "abc"}
    )
    html = response.content.decode()
    assert response.status_code == 422 and "请填写整数" in html


def test_a_stale_form_is_refused_with_a_clear_message(city):
    ticket = registered(city)
    response = login("dispatcher").post(
        reverse("ticket_act", args=[ticket.pk, "dispatch"]), {"version": ticket.version + 5, "lead_unit": "d_urban"}
    )
    assert response.status_code == 409 and "已被他人更新" in response.content.decode()


# ---- review and callback ---------------------------------------------------------------------------------


def test_review_queue_approves_a_reply_in_one_click(city):
    ticket = replied(city)
    client = login("reviewer")
    assert ticket.number in page(client, reverse("review"), kind="reply")
    client.post(reverse("ticket_act", args=[ticket.pk, "approve_reply"]), {"version": ticket.version})
    ticket.refresh_from_db()
    assert ticket.state == "callback_pending"


def test_review_lists_return_and_extension_requests(city):
    a = dispatched(city)
    actions.request_return(actor=city.users["h_urban"], ticket_id=a.pk, version=a.version, reason="非本单位职责")
    b = dispatched(city)
    b = actions.sign(actor=city.users["h_urban"], ticket_id=b.pk, version=b.version)
    actions.request_extension(actor=city.users["h_urban"], ticket_id=b.pk, version=b.version, days=5, reason="需协调")
    client = login("reviewer")
    assert a.number in page(client, reverse("review"), kind="return")
    assert b.number in page(client, reverse("review"), kind="extension")


def test_callback_page_has_the_script_and_unsatisfied_goes_back_to_the_unit(city):
    ticket = replied(city)
    ticket = actions.approve_reply(actor=city.users["reviewer"], ticket_id=ticket.pk, version=ticket.version)
    client = login("callback")
    assert ticket.number in page(client, reverse("callback"))
    html = page(client, reverse("ticket", args=[ticket.pk]))
    assert "这里是12345政务服务便民热线" in html and "已清理占道摊点" in html
    client.post(
        reverse("ticket_act", args=[ticket.pk, "callback"]),
        {"version": ticket.version, "reached": "yes", "satisfaction": "unsatisfied", "resolved": "no"},
    )
    ticket.refresh_from_db()
    assert ticket.state == "in_progress" and ticket.rehandle_count == 1


# ---- the ticket page and access --------------------------------------------------------------------------


def test_ticket_page_shows_fields_timeline_and_only_allowed_actions(city):
    ticket = dispatched(city)
    html = page(login("h_urban"), reverse("ticket", args=[ticket.pk]))
    assert ticket.subject in html and "流转记录" in html and "派单" in html
    assert 'id="action-sign"' in html and 'id="action-request_return"' in html
    assert 'id="action-dispatch"' not in html and 'id="action-callback"' not in html


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("幸福小区3栋", "东区 东一街道 幸福小区3栋"),
        ("东区东一街道幸福小区3栋", "东区东一街道幸福小区3栋"),
        ("", "东区 东一街道"),
    ],
)
def test_the_ticket_page_gives_the_address_by_place_names_once(city, address, shown):
    """The district and street by the names an address uses, not their governments' names, and not again where the
    agent already typed them."""
    places = [("x_east", "测试市东区人民政府", "东区"), ("s_east_1", "东区东一街道办事处", "东一街道")]
    for code, government, place in places:
        city.units[code].name, city.units[code].short_names = government, place
        city.units[code].save()
    ticket = registered(city, address=address)
    html = page(login("dispatcher"), reverse("ticket", args=[ticket.pk]))
    assert f"<dd>{shown}</dd>" in html
    assert "人民政府 " not in html.split("地址")[1].split("</dd>")[0]


def test_a_unit_user_cannot_open_another_units_ticket(city):
    ticket = dispatched(city, unit="d_urban")
    assert login("h_hrss").get(reverse("ticket", args=[ticket.pk])).status_code == 404
    response = login("h_hrss").post(reverse("ticket_act", args=[ticket.pk, "sign"]), {"version": ticket.version})
    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.state == "dispatched"


def test_confidential_identity_is_hidden_from_units_but_not_from_the_centre(city):
    ticket = dispatched(city, is_confidential=True)
    unit_html = page(login("h_urban"), reverse("ticket", args=[ticket.pk]))
    assert APPEAL["citizen_phone"] not in unit_html and APPEAL["citizen_name"] not in unit_html
    assert "（保密）" in unit_html
    centre_html = page(login("dispatcher"), reverse("ticket", args=[ticket.pk]))
    assert APPEAL["citizen_phone"] in centre_html


def test_appeal_text_is_escaped(city):
    ticket = registered(city, subject="<script>alert(1)</script>", description="<img src=x onerror=alert(1)>")
    html = page(login("dispatcher"), reverse("ticket", args=[ticket.pk]))
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html


# ---- search ----------------------------------------------------------------------------------------------


def test_search_by_number_phone_text_state_unit_and_dates(city):
    a = dispatched(city)
    b = registered(city, citizen_phone="13911112222", subject="噪音扰民", category="010101")
    client = login("dispatcher")
    assert a.number in page(client, reverse("search"), number=a.number)
    found = page(client, reverse("search"), phone="13911112222")
    assert b.number in found and a.number not in found
    assert b.number in page(client, reverse("search"), q="噪音")
    by_state = page(client, reverse("search"), state="dispatched")
    assert a.number in by_state and b.number not in by_state
    by_unit = page(client, reverse("search"), unit="d_urban")
    assert a.number in by_unit and b.number not in by_unit
    assert b.number in page(client, reverse("search"), category="01")
    assert b.number in page(client, reverse("search"), q=b.number)  # the top bar's box takes a number
    day = a.created_at.astimezone(SHANGHAI).date().isoformat()  # the local day, also between 00:00 and 08:00
    assert a.number in page(client, reverse("search"), created_from=day, created_to=day)


def test_search_with_a_bad_date_says_so(city):
    html = page(login("dispatcher"), reverse("search"), status=422, created_from="2026-13-45")
    assert "日期格式应为" in html


def test_search_for_a_unit_user_finds_only_its_tickets(city):
    mine = dispatched(city, unit="d_hrss", category="010101")
    other = dispatched(city, unit="d_urban")
    html = page(login("h_hrss"), reverse("search"))
    assert mine.number in html and other.number not in html


# ---- lists stay fast --------------------------------------------------------------------------------------


def _queries(client: Client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("username", "url", "params"),
    [
        ("dispatcher", "dispatch", {}),
        ("dispatcher", "search", {}),
        ("h_urban", "unit_inbox", {"stage": "sign"}),
        ("reviewer", "review", {"kind": "reply"}),
        ("callback", "callback", {}),
    ],
)
def test_list_pages_do_not_make_a_query_per_ticket(city, username, url, params):
    def grow(n: int) -> None:
        for _ in range(n):
            ticket = replied(city)
            if url == "dispatch" or url == "search":
                registered(city, category="010101", district="x_west", street="")
            if url == "unit_inbox":
                dispatched(city)
            if url == "callback":
                actions.approve_reply(actor=city.users["reviewer"], ticket_id=ticket.pk, version=ticket.version)

    client = login(username)
    grow(2)
    _queries(client, reverse(url), **params)  # fills the per-process caches (gazetteer, thresholds, models)
    few = _queries(client, reverse(url), **params)
    grow(8)
    many = _queries(client, reverse(url), **params)
    assert many == few, f"{url}: {few} queries for a few tickets, {many} for more"


def test_a_note_can_carry_a_file_and_a_note_needs_one_or_the_other(city):
    ticket = registered(city)
    client = login("dispatcher")
    scan = SimpleUploadedFile("来信扫描.png", PNG, content_type="image/png")
    client.post(reverse("ticket_act", args=[ticket.pk, "add_note"]), {"version": ticket.version, "file": scan})
    ticket.refresh_from_db()
    assert ticket.attachments.get().name == "来信扫描.png" and ticket.version == 2
    empty = client.post(reverse("ticket_act", args=[ticket.pk, "add_note"]), {"version": ticket.version})
    assert empty.status_code == 422 and "请填写备注" in empty.content.decode()
    html = page(client, reverse("ticket", args=[ticket.pk]))
    assert "来信扫描.png" in html and 'enctype="multipart/form-data" id="form-add_note"' in html
