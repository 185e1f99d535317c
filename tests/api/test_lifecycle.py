"""The whole loop through the HTTP API.

受理 → 派单 → 退单 → 改派 → 签收 → 二次派单 → 延期 → 答复 → 审核 → 回访不满意 → 重办 → 办结 → 归档.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from rexian.notify.models import Notification
from tests.conftest import APPEAL


def ok(response, state: str | None = None) -> dict:
    assert response.status_code == 200, response.content
    ticket = response.json()
    if state:
        assert ticket["state"] == state, ticket
    return ticket


@pytest.mark.django_db(transaction=True)  # real commits, so that notifications (sent after commit) are written
def test_full_lifecycle_with_return_extension_and_rehandling(api, city):
    intake, dispatcher, reviewer = api("intake"), api("dispatcher"), api("reviewer")
    callback, lead = api("callback"), api("shift_lead")
    h_urban, h_east, h_east_1 = api("h_urban"), api("h_east"), api("h_east_1")

    created = intake.post("/tickets", APPEAL)
    assert created.status_code == 201, created.content
    t = created.json()
    assert t["state"] == "registered" and t["version"] == 1 and len(t["number"]) >= 13
    assert "dispatch" not in t["allowed_actions"]  # the intake agent does not dispatch

    t = ok(dispatcher.get(f"/tickets/{t['id']}"))
    assert "dispatch" in t["allowed_actions"]
    # Misrouted to the city department; it asks to return the ticket within the window.
    t = ok(dispatcher.act(t, "dispatch", lead_unit="d_urban", note="请处理"), "dispatched")
    assert Notification.objects.filter(recipient_unit=city.units["d_urban"], ticket_id=t["id"]).exists()
    t = ok(h_urban.act(t, "request_return", reason="属地街道管理的小区门口，请改派区里"), "return_requested")
    assert Notification.objects.filter(for_centre=True, ticket_id=t["id"]).exists()
    t = ok(reviewer.act(t, "approve_return", note="同意"), "registered")
    assert t["lead_unit"] is None and t["due_at"] is None

    t = ok(dispatcher.act(t, "dispatch", lead_unit="x_east", co_units=["d_urban"]), "dispatched")
    assert t["co_units"][0]["code"] == "d_urban"
    t = ok(h_east.act(t, "sign"), "in_progress")
    t = ok(h_east.act(t, "sub_dispatch", unit="s_east_1", note="请街道现场核实"), "dispatched")
    assert t["handling_unit"]["code"] == "s_east_1" and t["lead_unit"]["code"] == "x_east"
    t = ok(h_east_1.act(t, "sign"), "in_progress")

    due = t["due_at"]
    t = ok(h_east_1.act(t, "request_extension", days=5, reason="需联合执法"), "in_progress")
    assert t["extension_request"]["days"] == 5
    assert "approve_extension" in ok(reviewer.get(f"/tickets/{t['id']}"))["allowed_actions"]
    t = ok(reviewer.act(t, "approve_extension", note="同意延期"), "in_progress")
    assert t["due_at"] > due and t["extension_request"] is None and t["extensions_granted"] == 1

    t = ok(h_east_1.act(t, "reply", result="已联合城管清理占道摊点并设置提示牌。", citizen_contacted=True), "replied")
    t = ok(reviewer.act(t, "send_back_reply", reason="请说明长效管理措施"), "in_progress")
    t = ok(h_east_1.act(t, "reply", result="已清理，并安排每日傍晚巡查。", citizen_contacted=True), "replied")
    t = ok(reviewer.act(t, "approve_reply"), "callback_pending")
    assert t["callback_due_at"] is not None

    t = ok(callback.act(t, "callback", reached=False, comment="无人接听"), "callback_pending")
    t = ok(callback.act(t, "callback", reached=True, satisfaction="unsatisfied", resolved=False,
                        comment="摊贩又回来了"), "in_progress")
    assert t["rehandle_count"] == 1 and t["handling_unit"]["code"] == "s_east_1"
    t = ok(h_east_1.act(t, "reply", result="已与摊贩签订承诺书，纳入网格日常巡查。", citizen_contacted=True), "replied")
    t = ok(reviewer.act(t, "approve_reply"), "callback_pending")
    t = ok(callback.act(t, "callback", reached=True, satisfaction="satisfied", resolved=True), "closed")
    assert t["satisfaction"] == "satisfied" and t["closed_at"] is not None
    t = ok(lead.act(t, "archive", note="归档"), "archived")
    assert t["allowed_actions"] == []

    events = dispatcher.get(f"/tickets/{t['id']}/events").json()
    assert [e["seq"] for e in events] == list(range(1, t["version"] + 1))
    assert [e["action"] for e in events][:4] == ["create", "dispatch", "request_return", "approve_return"]
    assert events[-1]["to_state"] == "archived"
    assert all(e["actor_name"] for e in events)


def test_answer_directly_and_reject_out_of_scope(api, city):
    intake = api("intake")
    t = intake.post("/tickets", {**APPEAL, "appeal_type": "consult", "subject": "咨询社保缴费基数"}).json()
    t = ok(intake.act(t, "answer_directly", answer="2026年缴费基数下限为……", knowledge_entry="KB-1"), "answered")
    assert t["result_text"].startswith("2026年")
    t2 = intake.post("/tickets", {**APPEAL, "subject": "邻居欠钱不还"}).json()
    response = intake.act(t2, "reject_out_of_scope", reason="")
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"reason", "redirect_to"}
    ok(intake.act(t2, "reject_out_of_scope", reason="民间借贷纠纷", redirect_to="人民法院诉讼"), "rejected")


def test_return_window_closes_after_two_working_days(api, city):
    # Friday 2026-11-20 10:00 Shanghai: the window ends on Tuesday 24 November at 23:59:59.
    with time_machine.travel("2026-11-20 10:00 +0800", tick=False) as traveller:
        t = api("intake").post("/tickets", APPEAL).json()
        t = ok(api("dispatcher").act(t, "dispatch", lead_unit="x_east"))
        assert t["return_deadline"].startswith("2026-11-24T23:59:59")
        traveller.shift(timedelta(days=5))  # Wednesday 25 November
        response = api("h_east").act(t, "request_return", reason="不属于本单位")
    assert response.status_code == 409
    assert response.json()["code"] == "return_window_closed"


def test_stale_version_is_refused(api, city):
    intake, dispatcher = api("intake"), api("dispatcher")
    t = intake.post("/tickets", APPEAL).json()
    ok(intake.act(t, "add_note", text="来电人情绪激动"))
    response = dispatcher.act(t, "dispatch", lead_unit="x_east")  # still version 1
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert dispatcher.get(f"/tickets/{t['id']}").json()["state"] == "registered"


def test_lists_filter_and_paginate(api, city):
    intake = api("intake")
    for i in range(5):
        intake.post("/tickets", {**APPEAL, "subject": f"占道经营第{i}次反映"})
    intake.post("/tickets", {**APPEAL, "citizen_phone": "13900002222", "subject": "拖欠工资", "category": "010101"})
    page = intake.get("/tickets", page_size=2, page=2).json()
    assert page["count"] == 6 and page["pages"] == 3 and len(page["items"]) == 2
    assert intake.get("/tickets", phone="13900002222").json()["count"] == 1
    assert intake.get("/tickets", category="01").json()["count"] == 1
    assert intake.get("/tickets", q="第3次").json()["count"] == 1
    assert intake.get("/tickets", state="dispatched").json()["count"] == 0
    assert intake.get("/tickets", page_size=1000).status_code == 422


def test_reference_endpoints(api, city):
    me = api("h_east").get("/me").json()
    assert me["unit"]["code"] == "x_east" and set(me["roles"]) == {"unit_handler", "unit_admin"}
    units = api("intake").get("/units").json()
    assert {"d_hrss", "x_east", "s_east_1"} <= {u["code"] for u in units}
    categories = api("intake").get("/categories").json()
    leaf = next(c for c in categories if c["code"] == "020101")
    assert leaf["level"] == 3 and leaf["parent"] == "0201" and leaf["path_name"] == "城市管理/市容环境/占道经营"


def test_openapi_lists_every_action(api, city):
    schema = api().client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for action in ("dispatch", "sign", "request_return", "callback", "merge_into", "archive"):
        assert f"/api/v1/tickets/{{ticket_id}}/actions/{action}" in paths


def test_dispatch_suggestion_prefers_the_district_row(api, city):
    dispatcher = api("dispatcher")
    in_east = api("intake").post("/tickets", APPEAL).json()
    in_west = api("intake").post("/tickets", {**APPEAL, "district": "x_west", "street": "s_west_1"}).json()
    east = dispatcher.get(f"/tickets/{in_east['id']}/dispatch-suggestion").json()
    west = dispatcher.get(f"/tickets/{in_west['id']}/dispatch-suggestion").json()
    assert (east["unit"]["code"], east["rule"]) == ("x_east", "属地管理优先")
    assert (west["unit"]["code"], west["rule"]) == ("d_urban", "谁主管谁负责")


def test_ticket_list_queries_do_not_grow_with_the_page(api, city, django_assert_max_num_queries):
    intake, dispatcher = api("intake"), api("dispatcher")
    for _ in range(30):
        t = intake.post("/tickets", APPEAL).json()
        dispatcher.act(t, "dispatch", lead_unit="x_east", co_units=["d_urban"])
    handler = api("h_east")
    with django_assert_max_num_queries(8):
        page = handler.get("/tickets", page_size=30).json()
    assert len(page["items"]) == 30
    assert all("sign" in item["allowed_actions"] for item in page["items"])


def test_errors_are_plain_chinese_utf8_one_message_per_problem(api, city):
    response = api("intake").post("/tickets", {"subject": "", "appeal_type": ""})
    assert response.status_code == 422
    assert "请填写标题" in response.content.decode("utf-8")  # UTF-8, not \\u escapes
    assert response.json()["fields"]["appeal_type"] == ["请选择诉求类型。"]


def test_an_over_long_description_is_refused_once_with_its_name(api, city):
    response = api("intake").post("/tickets", {**APPEAL, "description": "长" * 4001})
    assert response.status_code == 422
    assert response.json()["fields"]["description"] == ["诉求内容不能超过 4000 个字。"]


def test_dispatch_names_every_bad_field_at_once(api, city):
    t = api("intake").post("/tickets", APPEAL).json()
    response = api("dispatcher").act(t, "dispatch", lead_unit="no_such_unit", note="注" * 2001)
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"lead_unit", "note"}
