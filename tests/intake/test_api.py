"""The intake endpoints: screening a text, possible duplicates of an appeal as typed, recording and listing emergency
transfers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rexian.core import clock
from rexian.intake.models import EmergencyTransfer
from rexian.tickets import actions
from tests.conftest import APPEAL

pytestmark = pytest.mark.django_db


def test_screen_returns_every_hit_emergencies_first(api, seeded_screening):
    response = api("intake").post("/intake/screen", {"text": "我要起诉邻居，他刚才持刀威胁我"})
    assert response.status_code == 200, response.content
    hits = response.json()["hits"]
    assert [(h["concern"], h["matched"], h["transfer_to"], h["redirect_to"]) for h in hits] == [
        ("emergency", "持刀", "110", ""),
        ("out_of_scope", "起诉", "", "人民法院"),
    ]
    assert hits[0]["concern_label"] == "紧急警情" and hits[1]["reason"]
    assert set(hits[0]) == {"concern", "concern_label", "pattern", "matched", "transfer_to", "reason", "redirect_to"}


def test_screen_of_a_harmless_or_negated_text_finds_nothing(api, seeded_screening):
    client = api("h_east")  # the rules are no secret: any signed-in user may screen a text
    assert client.post("/intake/screen", {"text": "没有着火，只是路灯坏了"}).json() == {"hits": []}
    assert client.post("/intake/screen", {}).json() == {"hits": []}


def test_screen_needs_a_token(api, seeded_screening):
    response = api().post("/intake/screen", {"text": "着火"})
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_an_agent_records_a_transfer_and_gets_it_back(api, city):
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data=APPEAL)
    body = {"service": "120", "reason": "来电人称家中老人昏迷", "caller_phone": "13800001111", "ticket_id": ticket.pk}
    response = api("intake").post("/intake/emergency-transfers", body)
    assert response.status_code == 201, response.content
    row = response.json()
    assert row["service"] == "120" and row["service_label"] == "120 急救"
    assert row["direction"] == "out" and row["direction_label"] == "转出"
    assert row["ticket"] == {"id": ticket.pk, "number": ticket.number}
    assert row["created_by_name"] == "intake" and row["id"] == EmergencyTransfer.objects.get().pk


def test_a_bad_transfer_is_refused_with_the_fields_named(api, city):
    response = api("intake").post("/intake/emergency-transfers", {"service": "999"})
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "validation_error" and set(error["fields"]) == {"service", "reason"}
    assert error["fields"]["reason"] == ["请填写转接原因。"]
    wrong_type = api("intake").post("/intake/emergency-transfers", {"service": "110", "reason": "x", "ticket_id": "a"})
    assert wrong_type.status_code == 422 and wrong_type.json()["fields"] == {"ticket_id": ["应为整数。"]}


def test_a_unit_may_neither_record_nor_read_transfers(api, city):
    h_east = api("h_east")
    refused = h_east.post("/intake/emergency-transfers", {"service": "110", "reason": "有人打人"})
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    listing = h_east.get("/intake/emergency-transfers")
    assert listing.status_code == 403 and listing.json()["message"]


def test_the_centre_lists_transfers_newest_first_since_a_moment(api, city, time_machine):
    start = clock.now()
    time_machine.move_to(start - timedelta(days=2), tick=False)
    api("intake").post("/intake/emergency-transfers", {"service": "119", "reason": "火情"})
    time_machine.move_to(start, tick=False)
    intake = api("intake")
    intake.post("/intake/emergency-transfers", {"service": "110", "reason": "打人"})
    intake.post("/intake/emergency-transfers", {"service": "122", "reason": "车祸", "direction": "in"})

    lead = api("shift_lead")
    page = lead.get("/intake/emergency-transfers").json()
    assert [row["service"] for row in page["items"]] == ["122", "110", "119"]
    assert (page["count"], page["page"], page["pages"]) == (3, 1, 1)
    recent = lead.get("/intake/emergency-transfers", since=(start - timedelta(days=1)).isoformat()).json()
    assert [row["service"] for row in recent["items"]] == ["122", "110"]
    second = lead.get("/intake/emergency-transfers", page=2, page_size=2).json()
    assert [row["service"] for row in second["items"]] == ["119"] and second["pages"] == 2


def test_duplicates_of_an_appeal_as_typed(api, city):
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data=APPEAL)
    body = {k: APPEAL[k] for k in ("citizen_phone", "subject", "description", "category", "district", "street")}
    response = api("intake").post("/intake/duplicates", body)
    assert response.status_code == 200, response.content
    [found] = response.json()["items"]
    assert found["id"] == ticket.pk and found["number"] == ticket.number and found["state"] == "registered"
    assert found["reasons"][:2] == ["同一来电人", "同一地点同类诉求"] and 0 < found["score"] <= 1
    assert api("intake").post("/intake/duplicates", {}).json() == {"items": []}
    assert api().post("/intake/duplicates", body).status_code == 401


def test_assist_answers_the_panels_in_one_request(api, city, seeded_screening):
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data=APPEAL)
    # No district or street given: the suggestion finds them in the address, and the duplicate check looks there.
    body = {k: APPEAL[k] for k in ("citizen_phone", "subject", "description", "address", "category")}
    response = api("intake").post("/intake/assist", {**body, "citizen_phone": "13900009999"})
    assert response.status_code == 200, response.content
    found = response.json()
    assert found["hits"] == []
    suggestion = found["suggestion"]
    assert suggestion["category"] == "020101" and suggestion["street"]["code"] == "s_east_1"
    assert suggestion["district"]["code"] == "x_east" and suggestion["reasons"]
    [duplicate] = found["duplicates"]
    assert duplicate["id"] == ticket.pk and duplicate["reasons"][0] == "同一地点同类诉求"
    # The same as the two endpoints it stands for.
    asked = {k: body[k] for k in ("subject", "description", "address", "category")}
    assert api("intake").post("/routing/suggest", asked).json() == suggestion
    assert suggestion["unit"]["code"] == "x_east" and suggestion["rule"] == "属地管理优先"


def test_assist_screens_and_is_empty_without_a_text(api, city, seeded_screening):
    alarm = api("intake").post("/intake/assist", {"subject": "有人持刀", "description": "小区门口有人持刀威胁路人"})
    assert [(h["concern"], h["transfer_to"]) for h in alarm.json()["hits"]] == [("emergency", "110")]
    assert api("intake").post("/intake/assist", {}).json() == {"hits": [], "suggestion": None, "duplicates": []}
    refused = api("h_east").post("/intake/assist", {"subject": "路灯不亮"})
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
