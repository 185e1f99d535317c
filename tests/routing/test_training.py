"""Models trained on the centre's own (generated) history: the registry, the evaluation, activation, the
suggestion that explains itself, and machine dispatch above the threshold and not below (人机双审)."""

from __future__ import annotations

import json
import random
from io import StringIO

import pytest
from django.core.management import call_command

from rexian.core.errors import PermissionDenied, ValidationError
from rexian.demo import texts
from rexian.directory.roles import Role
from rexian.notify.models import Notification
from rexian.routing import actions, selectors
from rexian.routing.models import ClassifierModel, ModelStatus, Task
from rexian.routing.suggest import Appeal, suggest
from rexian.routing.tasks import consider_dispatch
from rexian.tickets import actions as ticket_actions
from rexian.tickets.access import SYSTEM
from rexian.tickets.models import Ticket
from rexian.tickets.workflow import Action, State
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _trained(history, task: Task, **kwargs) -> ClassifierModel:
    model = actions.start_training(actor=history.admin, task=task, background=False, **kwargs)
    assert model.status == ModelStatus.READY, model.error
    return actions.activate(actor=history.admin, model_id=model.pk)


def _appeal(history, leaf: str, district: str, seed: int = 99) -> dict[str, str]:
    """A new appeal as a caller would give it: no category, no district chosen, the place only in the words."""
    unit = history.units[district]
    street = next(u for u in history.units.values() if u.parent_id == unit.pk)
    made = texts.compose_appeal(random.Random(seed), leaf, unit.name, street.name, "")
    return {"subject": made.subject[:100], "description": made.description, "address": made.address[:200],
            "appeal_type": made.appeal_type, "citizen_phone": "13900001234"}  # fmt: skip


def test_a_model_is_recorded_with_its_evaluation_on_held_back_history(history) -> None:
    model = actions.start_training(actor=history.admin, task=Task.UNIT, background=False)
    assert model.status == ModelStatus.READY and model.progress == 1.0
    assert model.trained_by == history.admin and model.version == 1 and not model.is_active
    assert model.n_train + model.n_test == len(history.tickets)
    assert model.n_test == pytest.approx(0.2 * len(history.tickets), abs=6)
    assert model.evaluation["accuracy"] > 0.8
    assert [row["threshold"] for row in model.evaluation["threshold_table"]][:2] == [0.5, 0.6]
    assert set(model.labels) == {t.lead_unit.code for t in history.tickets}
    again = actions.start_training(actor=history.admin, task=Task.UNIT, background=False)
    assert again.version == 2


def test_a_category_model_over_many_leaves_trains_in_two_stages(history) -> None:
    groups = selectors.label_groups(Task.CATEGORY)
    assert groups is not None and selectors.label_groups(Task.UNIT) is None
    assert groups["010101"] == groups["0101"] == groups["01"] == "01"
    leaves = [code for code in sorted(history.categories) if len(code) == 6][:32]
    assert len({groups[leaf] for leaf in leaves}) > 1
    rng = random.Random(5)
    place = ("青山区", "湖滨街道", "翠湖社区")
    pairs = [(texts.compose_appeal(rng, leaf, *place), leaf) for leaf in leaves for _ in range(6)]
    model = actions.train_from_rows(
        actor=history.admin, task=Task.CATEGORY, source="generated",
        texts=[f"{a.subject} {a.description}" for a, _ in pairs], labels=[leaf for _, leaf in pairs],
    )  # fmt: skip
    assert model.status == ModelStatus.READY, model.error
    assert model.evaluation["stages"] == 2 and len(model.labels) == 32


def test_one_active_model_per_task_and_only_admins_train_or_activate(history) -> None:
    first = _trained(history, Task.APPEAL_TYPE)
    second = _trained(history, Task.APPEAL_TYPE)
    first.refresh_from_db()
    assert second.is_active and not first.is_active and second.activated_by == history.admin
    assert selectors.active_model(Task.APPEAL_TYPE).version == second.version
    with pytest.raises(PermissionDenied):
        actions.start_training(actor=history.intake, task=Task.UNIT, background=False)
    with pytest.raises(PermissionDenied):
        actions.activate(actor=history.dispatcher, model_id=first.pk)


def test_training_without_history_fails_on_the_row_with_a_reason(history) -> None:
    Ticket.objects.all().delete()
    model = actions.start_training(actor=history.admin, task=Task.CATEGORY, background=False)
    assert model.status == ModelStatus.FAILED and model.error
    with pytest.raises(ValidationError):
        actions.activate(actor=history.admin, model_id=model.pk)


def test_the_suggestion_explains_category_place_catalogue_and_model(history) -> None:
    _trained(history, Task.CATEGORY)
    _trained(history, Task.UNIT)
    appeal = _appeal(history, "010101", "x_qingshan")  # night-time building work: handled by the district
    s = suggest(Appeal(subject=appeal["subject"], description=appeal["description"], address=appeal["address"]))
    assert s.category.code == "010101" and s.category_from_model
    assert s.district == history.units["x_qingshan"] and s.place_evidence
    assert s.rule == "属地管理优先" and s.unit == history.units["x_qingshan"]
    assert s.unit_guesses[0].code == "x_qingshan"
    reasons = "\n".join(s.reasons)
    assert "模型判断" in reasons and "属地" in reasons and "派单目录" in reasons and "置信度" in reasons
    assert not s.decision.dispatch  # no threshold is set: people dispatch


def test_the_machine_dispatches_above_the_threshold_and_not_below(history, django_capture_on_commit_callbacks) -> None:
    _trained(history, Task.UNIT)
    appeal = _appeal(history, "010302", "x_beitang")  # 不动产登记: one city department
    words = Appeal(subject=appeal["subject"], description=appeal["description"], address=appeal["address"])
    confidence = suggest(words).unit_guesses[0]
    assert confidence.code == "d_nrp"
    actions.set_threshold(actor=history.admin, category_id=None, threshold=min(confidence.confidence + 0.001, 1.0))
    with django_capture_on_commit_callbacks(execute=True):
        below, _ = ticket_actions.create_ticket(actor=history.intake, data=appeal)
    below.refresh_from_db()
    assert below.state == State.REGISTERED

    actions.set_threshold(actor=history.admin, category_id=None, threshold=max(confidence.confidence - 0.01, 0.5))
    with django_capture_on_commit_callbacks(execute=True):
        above, _ = ticket_actions.create_ticket(actor=history.intake, data=appeal)
    above.refresh_from_db()
    assert above.state == State.DISPATCHED and above.lead_unit.code == "d_nrp"
    event = above.events.get(action=Action.DISPATCH)
    assert event.actor_id is None and event.actor_name == str(SYSTEM)
    assert event.payload["machine"]["confidence"] == pytest.approx(confidence.confidence, abs=1e-3)
    assert "机器派单" in event.payload["note"]


def test_a_pilot_list_limits_the_machine_to_its_categories(history, django_capture_on_commit_callbacks) -> None:
    _trained(history, Task.UNIT)
    appeal = _appeal(history, "010302", "x_beitang")
    pilot = history.categories["0101"]  # another branch of the tree
    actions.set_threshold(actor=history.admin, category_id=pilot.pk, threshold=0.5)
    with django_capture_on_commit_callbacks(execute=True):
        elsewhere, _ = ticket_actions.create_ticket(actor=history.intake, data={**appeal, "category": "010302"})
    assert Ticket.objects.get(pk=elsewhere.pk).state == State.REGISTERED
    actions.set_threshold(actor=history.admin, category_id=history.categories["0103"].pk, threshold=0.5)
    assert consider_dispatch.call(elsewhere.pk) is True


def test_machine_dispatches_are_undone_and_their_returns_counted_apart(
    history, django_capture_on_commit_callbacks
) -> None:
    _trained(history, Task.UNIT)
    actions.set_threshold(actor=history.admin, category_id=None, threshold=0.5)
    appeal = _appeal(history, "010302", "x_beitang")
    recalled, _ = ticket_actions.create_ticket(actor=history.intake, data=appeal)
    assert consider_dispatch.call(recalled.pk) is True
    recalled.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        recalled = ticket_actions.recall_dispatch(
            actor=history.dispatcher, ticket_id=recalled.pk, version=recalled.version, reason="机器派错，改派"
        )
    assert recalled.state == State.REGISTERED and recalled.handling_unit is None
    told = Notification.objects.get(event__action=Action.RECALL_DISPATCH)
    assert told.recipient_unit.code == "d_nrp" and "撤回" in told.message
    human = ticket_actions.dispatch(
        actor=history.dispatcher, ticket_id=recalled.pk, version=recalled.version, lead_unit="x_beitang"
    )
    handler = _handler(history, "x_beitang")
    human = ticket_actions.request_return(actor=handler, ticket_id=human.pk, version=human.version, reason="非本单位")
    ticket_actions.approve_return(actor=history.admin, ticket_id=human.pk, version=human.version)

    returned, _ = ticket_actions.create_ticket(actor=history.intake, data=appeal)
    assert consider_dispatch.call(returned.pk) is True
    returned.refresh_from_db()
    nrp = _handler(history, "d_nrp")
    returned = ticket_actions.request_return(actor=nrp, ticket_id=returned.pk, version=returned.version, reason="属地")
    ticket_actions.approve_return(actor=history.admin, ticket_id=returned.pk, version=returned.version)

    figures = selectors.dispatch_outcomes(returned.created_at.replace(year=2000))
    assert (figures["machine"].dispatched, figures["machine"].recalled, figures["machine"].returned) == (2, 1, 1)
    assert (figures["human"].dispatched, figures["human"].returned) == (1, 1)
    assert [e.ticket_id for e in selectors.machine_dispatched()] == [returned.pk, recalled.pk]


def _handler(history, unit_code: str):
    return make_user(f"h_{unit_code}", history.units[unit_code], Role.UNIT_HANDLER)


def test_rexian_train_from_history_and_from_a_csv_file(history, tmp_path) -> None:
    out = StringIO()
    call_command("train", "--task", "category", "--level", "2", "--activate", stdout=out)
    shown = json.loads(out.getvalue())
    assert shown["active"] and shown["accuracy"] > 0.8
    assert set(ClassifierModel.objects.get(pk=shown["id"]).labels) == {"0101", "0102", "0103"}

    rows = ["内容,单位"] + [f"{t.subject} {t.description},{t.lead_unit.name}" for t in history.tickets]
    (tmp_path / "old.csv").write_text("\n".join(rows), encoding="utf-8")
    out = StringIO()
    call_command("train", "--task", "unit", "--csv", str(tmp_path / "old.csv"), "--text-col", "内容",
                 "--label-col", "单位", stdout=out)  # fmt: skip
    model = ClassifierModel.objects.get(pk=json.loads(out.getvalue())["id"])
    assert model.source == "CSV：old.csv" and "x_qingshan" in model.labels  # names resolved to codes

    (tmp_path / "bad.csv").write_text("内容,单位\n工地夜间施工,不存在的局\n", encoding="utf-8")
    with pytest.raises(Exception, match="不存在的局"):
        call_command("train", "--task", "unit", "--csv", str(tmp_path / "bad.csv"), "--text-col", "内容",
                     "--label-col", "单位")  # fmt: skip
