"""Recording a call handed to 110/119/120/122 (急警联动): who may, what is checked, what is kept."""

from __future__ import annotations

import pytest

from rexian.core.errors import NotFound, PermissionDenied, ValidationError
from rexian.intake.actions import record_transfer
from rexian.intake.models import EmergencyTransfer
from rexian.intake.selectors import transfers
from rexian.tickets import actions
from tests.conftest import APPEAL

pytestmark = pytest.mark.django_db


def test_an_agent_records_a_transfer_to_119(city):
    done = record_transfer(
        actor=city.users["intake"],
        service="119",
        reason="  来电人称楼道着火  ",
        summary="东区幸福小区3栋楼道着火，有浓烟",
        caller_phone="138 0000 1111",
        partner_reference="HJ-2026-0001",
    )
    row = EmergencyTransfer.objects.get()
    assert row == done
    assert (row.service, row.direction, row.reason) == ("119", "out", "来电人称楼道着火")
    assert (row.get_service_display(), row.get_direction_display()) == ("119 火警", "转出")
    assert row.caller_phone == "138 0000 1111" and row.partner_reference == "HJ-2026-0001"
    assert row.created_by == city.users["intake"] and row.created_by_name == "intake"
    assert row.ticket is None and row.created_at is not None


def test_a_transfer_can_name_its_ticket_and_come_in_from_110(city):
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data=APPEAL)
    done = record_transfer(
        actor=city.users["dispatcher"],
        service="110",
        reason="110 转来的非警务求助",
        direction="in",
        ticket_id=ticket.pk,
    )
    assert done.ticket == ticket and done.direction == "in"
    assert list(ticket.emergency_transfers.all()) == [done]


@pytest.mark.parametrize("role", ["intake", "dispatcher", "shift_lead", "centre_admin"])
def test_the_centre_desks_may_record(city, role):
    assert record_transfer(actor=city.users[role], service="120", reason="有人晕倒").pk


@pytest.mark.parametrize("role", ["reviewer", "callback", "quality", "leader", "h_east", "nobody"])
def test_others_may_not(city, role):
    with pytest.raises(PermissionDenied):
        record_transfer(actor=city.users[role], service="120", reason="有人晕倒")
    assert not EmergencyTransfer.objects.exists()


def test_every_bad_field_is_named_in_chinese(city):
    with pytest.raises(ValidationError) as refused:
        record_transfer(
            actor=city.users["intake"],
            service="999",
            reason="  ",
            summary="很长" * 1001,
            caller_phone="不是电话",
            direction="sideways",
            ticket_id="12",  # type: ignore[arg-type]
        )
    fields = refused.value.fields
    assert set(fields) == {"service", "reason", "summary", "caller_phone", "direction", "ticket_id"}
    assert fields["reason"] == ["请填写转接原因。"]
    assert fields["summary"] == ["来电内容不能超过 2000 个字。"]
    assert not EmergencyTransfer.objects.exists()


def test_a_ticket_the_agent_cannot_see_is_not_linked(city):
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data=APPEAL)
    with pytest.raises(NotFound):
        record_transfer(actor=city.users["intake"], service="110", reason="打人", ticket_id=ticket.pk + 1000)
    assert not EmergencyTransfer.objects.exists()


def test_the_log_is_the_centre_s_alone(city):
    record_transfer(actor=city.users["intake"], service="122", reason="车祸")
    assert transfers(city.users["leader"]).count() == 1
    assert transfers(city.users["h_east"]).count() == 0
