"""Who is told what: the citizen's receipt and closing notice, the unit's new ticket, and tell_unit."""

from __future__ import annotations

import pytest
from django.db import transaction

from rexian.directory.models import User
from rexian.notify.models import Delivery, DeliveryStatus, Notification
from rexian.notify.outbox import tell_unit
from rexian.tickets import actions
from tests.conftest import APPEAL
from tests.notify.conftest import use_channels

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: messages go out after commit


def _create(city, **data):
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data={**APPEAL, **data})
    return ticket


def _dispatch(city, ticket):
    return actions.dispatch(actor=city.users["dispatcher"], ticket_id=ticket.pk, version=ticket.version,
                            lead_unit="x_east")


def _to(gateway, phone: str) -> list[str]:
    return [r["json"]["text"] for r in gateway.received if r["json"]["to"] == phone]


@pytest.mark.parametrize("channel", ["phone", "web"])
def test_the_receipt_gives_the_citizen_number_and_query_code(city, gateway, channel):
    ticket = _create(city, channel=channel)
    [text] = _to(gateway, APPEAL["citizen_phone"])
    assert f"工单编号{ticket.number}" in text
    assert f"查询码{ticket.query_code}" in text
    delivery = Delivery.objects.get(ticket=ticket)
    assert (delivery.channel, delivery.template, delivery.status, delivery.attempts) == ("sms", "receipt", "sent", 1)
    assert delivery.sent_at is not None and delivery.next_attempt_at is None


def test_no_phone_no_receipt(city, gateway):
    ticket = _create(city, citizen_phone="", is_anonymous=True)
    assert not Delivery.objects.filter(ticket=ticket).exists()
    assert gateway.received == []


def test_only_enabled_channels_get_deliveries(city, settings):
    use_channels(settings, "log")
    ticket = _create(city)
    assert list(Delivery.objects.filter(ticket=ticket).values_list("channel", "recipient", "status")) == [
        ("log", APPEAL["citizen_phone"], "sent")
    ]


def test_dispatch_tells_the_unit_by_sms_and_its_members_by_email(city, gateway, settings, mailoutbox):
    use_channels(settings, "sms", "email")
    east = city.units["x_east"]
    east.phone = "0571-88886666"
    east.save()
    User.objects.filter(pk=city.users["h_east"].pk).update(email="h_east@example.cn")
    User.objects.create(username="left", unit=east, email="left@example.cn", is_active=False)
    User.objects.create(username="no_mail", unit=east)
    ticket = _dispatch(city, _create(city))

    [sms] = _to(gateway, "0571-88886666")
    assert f"新派工单{ticket.number}" in sms and east.name in sms
    [mail] = mailoutbox
    assert mail.to == ["h_east@example.cn"] and mail.subject == f"新工单：{ticket.number} {ticket.subject}"
    assert Notification.objects.filter(ticket=ticket, recipient_unit=east, event__action="dispatch").exists()


def test_a_direct_answer_sends_the_closing_notice(city, gateway):
    ticket = _create(city)
    actions.answer_directly(actor=city.users["intake"], ticket_id=ticket.pk, version=1, answer="已电话告知办理流程")
    receipt, closed = _to(gateway, APPEAL["citizen_phone"])
    assert "已受理" in receipt
    assert f"工单编号{ticket.number}）已办结" in closed


def _to_callback(city, ticket):
    ticket = _dispatch(city, ticket)
    h_east, reviewer = city.users["h_east"], city.users["reviewer"]
    ticket = actions.sign(actor=h_east, ticket_id=ticket.pk, version=ticket.version)
    ticket = actions.reply(actor=h_east, ticket_id=ticket.pk, version=ticket.version, result="已清理占道摊点",
                           citizen_contacted=True)
    return actions.approve_reply(actor=reviewer, ticket_id=ticket.pk, version=ticket.version)


@pytest.mark.parametrize(("satisfaction", "closing_notices"), [("satisfied", 1), ("unsatisfied", 0)])
def test_a_callback_that_closes_the_ticket_sends_the_closing_notice(city, gateway, satisfaction, closing_notices):
    ticket = _to_callback(city, _create(city))
    actions.callback(actor=city.users["callback"], ticket_id=ticket.pk, version=ticket.version, reached=True,
                     satisfaction=satisfaction, resolved=satisfaction == "satisfied")
    texts = _to(gateway, APPEAL["citizen_phone"])
    assert sum("已办结" in text for text in texts) == closing_notices


def _tell_due_soon(city, ticket) -> None:
    tell_unit(
        unit=city.units["x_east"],
        ticket=ticket,
        template="due_soon",
        context={"number": ticket.number, "subject": ticket.subject, "unit": "东区", "due_at": "2026年12月1日"},
        dedupe_key=f"due_soon:{ticket.pk}:handling",
    )


def test_tell_unit_writes_an_inbox_notice_and_messages_once_per_key(city, settings):
    use_channels(settings, "log", "sms", "email", SMS_GATEWAY_URL="")  # nothing can go out: rows stay queued
    east = city.units["x_east"]
    east.phone = "0571-88886666"
    east.save()
    User.objects.filter(pk=city.users["h_east"].pk).update(email="h_east@example.cn")
    ticket = _create(city, citizen_phone="", is_anonymous=True)
    _tell_due_soon(city, ticket)
    _tell_due_soon(city, ticket)

    [notice] = Notification.objects.filter(dedupe_key=f"due_soon:{ticket.pk}:handling")
    assert notice.event is None and notice.recipient_unit == east
    assert notice.message == f"即将超期：{ticket.number} {ticket.subject}"
    routes = set(Delivery.objects.filter(ticket=ticket).values_list("channel", "recipient", "template"))
    assert routes == {
        ("log", "0571-88886666", "due_soon"),
        ("log", "h_east@example.cn", "due_soon"),
        ("sms", "0571-88886666", "due_soon"),
        ("email", "h_east@example.cn", "due_soon"),
    }
    assert Delivery.objects.filter(ticket=ticket).count() == 4


def test_tell_unit_inside_a_transaction_sends_only_after_commit(city, gateway):
    east = city.units["x_east"]
    east.phone = "0571-88886666"
    east.save()
    ticket = _create(city, citizen_phone="", is_anonymous=True)
    with transaction.atomic():
        _tell_due_soon(city, ticket)
        assert gateway.received == []
        assert Delivery.objects.get(ticket=ticket).status == DeliveryStatus.PENDING
    [text] = _to(gateway, "0571-88886666")
    assert "东区" in text and "将于2026年12月1日到期" in text


def test_nothing_is_queued_when_the_callers_transaction_rolls_back(city, gateway):
    east = city.units["x_east"]
    east.phone = "0571-88886666"
    east.save()
    ticket = _create(city, citizen_phone="", is_anonymous=True)
    with transaction.atomic():
        _tell_due_soon(city, ticket)
        transaction.set_rollback(True)
    assert gateway.received == []
    assert not Delivery.objects.filter(ticket=ticket).exists()
    assert not Notification.objects.filter(dedupe_key__isnull=False).exists()
