"""The console side of smart intake: the panels as the agent types, the emergency banner and its transfer
record, merging at intake, the pre-filled dispatch queue, the 智能分派 page with training progress, activation
and thresholds, and the suggestion API."""

from __future__ import annotations

import pytest
from django.test import Client

from rexian.intake.models import EmergencyTransfer
from rexian.routing import actions
from rexian.routing.models import AutoDispatchRule, ClassifierModel, ModelStatus, Task
from rexian.tickets import actions as ticket_actions
from rexian.tickets.models import Ticket
from rexian.tickets.workflow import State
from tests.conftest import PASSWORD, Api
from tests.routing.test_training import _appeal, _handler, _trained

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_panels_classify_route_and_explain_as_the_agent_types(history) -> None:
    _trained(history, Task.CATEGORY)
    _trained(history, Task.UNIT)
    _trained(history, Task.APPEAL_TYPE)
    appeal = _appeal(history, "010101", "x_qingshan")
    html = _client(history.intake).post("/console/intake/panels", appeal).content.decode()
    assert 'data-fill="id_category" data-fill-name="" data-value="010101"' in html  # the top guess, 采用 fills it
    assert 'data-fill-name="appeal_type"' in html
    assert "建议承办：" in html and history.units["x_qingshan"].name in html
    assert "属地管理优先" in html and "置信度" in html


def test_an_emergency_raises_the_red_banner_and_the_transfer_is_recorded(history) -> None:
    client = _client(history.intake)
    words = {
        "subject": "楼下饭店着火了",
        "description": "楼下饭店厨房着火，冒黑烟，有人被困",
        "citizen_phone": "13900009999",
    }
    html = client.post("/console/intake/panels", words).content.decode()
    assert 'id="emergency-alarm"' in html and "119" in html
    done = client.post(
        "/console/intake/transfer",
        {**words, "service": "119", "transfer_reason": "火情", "partner_reference": "J-20261121-001"},
        headers={"HX-Request": "true"},
    )
    assert done.status_code == 200 and "已记录转" in done.content.decode()
    transfer = EmergencyTransfer.objects.get()
    assert (transfer.service, transfer.caller_phone, transfer.created_by) == ("119", "13900009999", history.intake)
    assert transfer.partner_reference == "J-20261121-001" and "着火" in transfer.summary
    calm = client.post("/console/intake/panels", {"subject": "咨询不动产登记", "description": "没有着火，只是咨询"})
    assert 'id="emergency-alarm"' not in calm.content.decode()


def test_an_out_of_scope_appeal_suggests_the_refusal_with_its_reason(history) -> None:
    words = {"subject": "借款纠纷", "description": "邻居借款两万元欠钱不还，已经起诉到法院，希望热线帮忙催讨"}
    html = _client(history.intake).post("/console/intake/panels", words).content.decode()
    assert 'data-fill="id_reason"' in html and "人民法院" in html


def test_a_duplicate_is_merged_at_intake_into_the_open_appeal(history) -> None:
    appeal = {**_appeal(history, "010302", "x_beitang"), "channel": "phone"}
    first, _ = ticket_actions.create_ticket(actor=history.intake, data=appeal)
    client = _client(history.intake)
    html = client.post("/console/intake/panels", appeal).content.decode()
    assert first.number in html and f'name="merge_into" value="{first.pk}"' in html
    response = client.post("/console/intake/", {**appeal, "merge_into": str(first.pk), "idempotency_key": "k-merge"})
    assert response.status_code == 302
    second = Ticket.objects.get(merged_into=first)
    assert second.state == State.MERGED and second.merged_into_id == first.pk


def test_the_dispatch_queue_is_prefilled_with_the_suggestion(history) -> None:
    _trained(history, Task.UNIT)
    ticket, _ = ticket_actions.create_ticket(actor=history.intake, data=_appeal(history, "010302", "x_beitang"))
    html = _client(history.dispatcher).get("/console/dispatch/").content.decode()
    assert f'id="lead-{ticket.pk}" name="lead_unit" value="d_nrp"' in html
    assert history.units["d_nrp"].name in html


def test_training_from_the_page_shows_progress_then_the_evaluation_and_activation(history) -> None:
    admin = _client(history.admin)
    assert admin.post("/console/routing/train", {"task": "unit"}).status_code == 302
    model = ClassifierModel.objects.get(task=Task.UNIT)
    assert model.status == ModelStatus.TRAINING
    bar = admin.get(f"/console/routing/models/{model.pk}/progress").content.decode()
    assert "<progress" in bar and 'hx-trigger="every 1s"' in bar
    actions.run_training(model.pk)  # what the background thread does after commit
    done = admin.get(f"/console/routing/models/{model.pk}/progress")
    assert done.headers["HX-Trigger"] == "training-finished" and "<progress" not in done.content.decode()
    page = admin.get(f"/console/routing/models/{model.pk}/").content.decode()
    assert 'id="model-accuracy"' in page and "启用此模型" in page
    admin.post(f"/console/routing/models/{model.pk}/activate")
    model.refresh_from_db()
    assert model.is_active and model.activated_by == history.admin


def test_only_the_centre_admin_changes_models_and_thresholds(history) -> None:
    dispatcher = _client(history.dispatcher)
    assert dispatcher.get("/console/routing/?tab=auto").status_code == 200
    dispatcher.post("/console/routing/train", {"task": "unit"})
    dispatcher.post("/console/routing/thresholds", {"threshold": "0.9", "is_active": "on"})
    assert not ClassifierModel.objects.exists() and not AutoDispatchRule.objects.exists()
    assert _client(history.intake).get("/console/routing/").status_code == 403

    admin = _client(history.admin)
    admin.post("/console/routing/thresholds", {"category": "0103", "threshold": "0.9", "is_active": "on"})
    admin.post("/console/routing/thresholds", {"threshold": "1.5", "is_active": "on"})  # refused: out of range
    rule = AutoDispatchRule.objects.get()
    assert rule.category.code == "0103" and rule.threshold == 0.9 and rule.updated_by == history.admin
    _trained(history, Task.UNIT)
    page = admin.get("/console/routing/?tab=auto").content.decode()
    assert 'id="threshold-table"' in page and "0.95" in page


def test_the_suggestion_api(history) -> None:
    _trained(history, Task.UNIT)
    appeal = _appeal(history, "010302", "x_beitang")
    body = Api("dispatch1").post("/routing/suggest", {k: appeal[k] for k in ("subject", "description")}).json()
    assert body["unit"]["code"] == "d_nrp" and body["unit_guesses"][0]["code"] == "d_nrp"
    assert body["reasons"] and body["machine_would_dispatch"] is False
    ticket, _ = ticket_actions.create_ticket(actor=history.intake, data=appeal)
    again = Api("dispatch1").get(f"/tickets/{ticket.pk}/dispatch-suggestion").json()
    assert again["unit"]["code"] == "d_nrp" and again["district"]["code"] == "x_beitang"
    _handler(history, "d_nrp")
    refused = Api("h_d_nrp").post("/routing/suggest", {"subject": "x"})
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
