"""A ticket's whole journey through the console, the citizen's portal, and a unit kept out of another
unit's case, in a real Chromium at 1366×768. The intake and ticket screenshots in the README come from
here (REXIAN_SCREENSHOT_DIR=docs/screenshots, see `make screenshots`)."""

from __future__ import annotations

import re

import pytest

from rexian.tickets import actions
from rexian.tickets.models import Ticket
from tests.conftest import APPEAL, PASSWORD
from tests.e2e.conftest import screenshot

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(new_page, username: str, path: str):
    page = new_page(f"/login/?next={path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(path) + "$"))
    return page


def test_a_call_goes_from_intake_to_a_satisfied_close(city, new_page):
    earlier, _ = actions.create_ticket(actor=city.users["intake"], data={**APPEAL, "subject": "上月反映的占道问题"})

    # 受理: the agent looks the caller up, fills the form, and saves with F2.
    page = sign_in(new_page, "intake", "/console/intake/")
    page.fill("#id_citizen_phone", APPEAL["citizen_phone"])
    page.wait_for_selector("#caller-summary:has-text('重复来电'), #caller-summary:has-text('来电历史')")
    assert earlier.number in page.inner_text("#caller-history")
    page.fill("#id_citizen_name", "张三")
    page.check("#id_appeal_type_complaint")
    page.fill("#id_category_search", "020101 城市管理/市容环境/占道经营")
    page.select_option("#id_district", "x_east")
    page.select_option("#id_street", "s_east_1")
    page.fill("#id_address", "幸福小区3栋门口")
    page.fill("#id_subject", "幸福小区门口傍晚占道经营")
    page.fill("#id_description", "每天傍晚有商贩在小区门口占道经营，堵塞通行，希望尽快处理。")
    page.wait_for_selector("#panel-routing:has-text('属地管理优先')")
    page.wait_for_selector("#panel-duplicates:has-text('同一来电人')")
    screenshot(page, "intake")
    page.keyboard.press("F2")
    number = page.inner_text("#last-ticket")
    ticket = Ticket.objects.get(number=number)
    assert ticket.state == "registered" and ticket.category.code == "020101" and ticket.street.code == "s_east_1"

    # 派单: it is in the queue with the district's catalogue row suggested; one click dispatches it.
    page = sign_in(new_page, "dispatcher", "/console/dispatch/")
    row = page.locator(f"#row-{ticket.pk}")
    assert "东区" in row.inner_text()
    row.get_by_role("button", name="派单").click()
    page.wait_for_selector(f"text=工单 {number}：已派至 东区")
    ticket.refresh_from_db()
    assert ticket.state == "dispatched" and ticket.handling_unit.code == "x_east"

    # 承办: the district's handler signs in the inbox, then replies with a photo on the ticket page.
    page = sign_in(new_page, "h_east", "/console/unit/")
    page.locator(f"#row-{ticket.pk}").get_by_role("button", name="签收").click()
    page.wait_for_selector("text=签收完成")
    page.goto(page.url.split("/console/")[0] + f"/console/tickets/{ticket.pk}/")
    page.fill("#reply-result", "已联系城管中队清理占道摊点，并设置提示牌。")
    page.check("#reply-citizen_contacted-yes")
    page.set_input_files("#reply-files", {"name": "现场.png", "mimeType": "image/png", "buffer": PNG})
    page.locator("#form-reply").get_by_role("button", name="办理答复").click()
    page.wait_for_selector("text=办理答复完成")
    ticket.refresh_from_db()
    assert ticket.state == "replied" and ticket.attachments.count() == 1

    # 审核: the reviewer approves the reply from the queue.
    page = sign_in(new_page, "reviewer", "/console/review/")
    page.locator(f"#row-{ticket.pk}").get_by_role("button", name="审核通过").click()
    page.wait_for_selector("text=审核通过完成")
    ticket.refresh_from_db()
    assert ticket.state == "callback_pending"

    # 回访: the callback agent reads the script, records 满意, and the ticket is closed.
    page = sign_in(new_page, "callback", "/console/callback/")
    page.locator(f"#row-{ticket.pk}").get_by_role("link", name="回访").click()
    assert "这里是12345政务服务便民热线" in page.inner_text(".script")
    page.check("#callback-reached-yes")
    page.check("#callback-satisfaction-satisfied")
    page.check("#callback-resolved-yes")
    page.locator("#form-callback").get_by_role("button", name="回访").click()
    page.wait_for_selector("text=回访完成")
    ticket.refresh_from_db()
    assert ticket.state == "closed" and ticket.satisfaction == "satisfied"
    assert "已办结" in page.inner_text("h1")
    timeline = page.inner_text("#timeline")
    for step in ("登记", "派单", "签收", "办理答复", "审核通过", "回访"):
        assert step in timeline
    screenshot(page, "ticket", full_page=True)


def test_a_citizen_submits_on_the_portal_and_tracks_it(city, new_page):
    page = new_page("/portal/submit")
    page.check("text=投诉")
    page.fill("#id_subject", "路灯不亮")
    page.fill("#id_description", "东一街道幸福路路灯连续一周不亮，夜间出行不便。")
    page.fill("#id_citizen_name", "李四")
    page.fill("#id_citizen_phone", "13700002222")
    page.get_by_role("button", name="提交").click()
    number = page.inner_text("#ticket-number").strip()
    code = page.inner_text("#query-code").strip()
    ticket = Ticket.objects.get(number=number)
    assert ticket.channel == "web" and ticket.query_code == code

    tracker = new_page("/portal/track")
    tracker.fill("input[name=number]", number)
    tracker.fill("input[name=proof]", "13700002222")
    tracker.get_by_role("button", name="查询").click()
    assert "已受理" in tracker.inner_text("#citizen-state")


def test_a_unit_user_cannot_open_another_units_ticket(city, new_page):
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data=APPEAL)
    actions.dispatch(actor=city.users["dispatcher"], ticket_id=ticket.pk, version=ticket.version, lead_unit="d_urban")
    page = sign_in(new_page, "h_hrss", "/console/unit/")
    response = page.goto(page.url.split("/console/")[0] + f"/console/tickets/{ticket.pk}/")
    assert response.status == 404
    assert ticket.subject not in page.content()
    assert "页面不存在或无权查看" in page.inner_text("h1")
