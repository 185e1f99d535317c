"""Retention: personal data of tickets finished more than REXIAN_RETENTION_YEARS ago is anonymised, through the
`anonymise` action, and every statistic stays the same."""

from __future__ import annotations

from datetime import date, datetime

import time_machine
from django.core.management import call_command

from rexian.analytics.queries import Group, Scope, counts
from rexian.core import retention
from rexian.core.clock import SHANGHAI
from rexian.intake.models import ChannelAccount, InboundMessage
from rexian.telephony.models import Call, CallEvent
from rexian.tickets import actions
from rexian.tickets.models import Ticket, TicketEvent
from rexian.tickets.retention import MARKER, cutoff, scrub_payload, scrub_text
from tests.conftest import APPEAL
from tests.ops.conftest import closed_ticket

OLD = datetime(2021, 3, 1, 10, 0, tzinfo=SHANGHAI)
RECENT = datetime(2022, 9, 1, 10, 0, tzinfo=SHANGHAI)
NOW = datetime(2024, 6, 1, 10, 0, tzinfo=SHANGHAI)


def test_scrub_text_replaces_names_and_contacts_but_not_ticket_numbers():
    text = "张三（13800001111，zs@example.com，0571-87654321）反映工单 2024010100012 未办结"
    assert scrub_text(text, ["张三"]) == f"{MARKER}（{MARKER}，{MARKER}，{MARKER}）反映工单 2024010100012 未办结"
    assert scrub_text("身份证 11010519491231002X 号", []) == f"身份证 {MARKER} 号"


def test_amended_identity_is_replaced_whole_in_an_event_payload():
    payload = {"changed": {"citizen_name": {"from": "李四", "to": "李四四"}, "subject": {"from": "a", "to": "b"}}}
    assert scrub_payload(payload, ["李四四", "李四"])["changed"] == {
        "citizen_name": {"from": MARKER, "to": MARKER}, "subject": {"from": "a", "to": "b"},
    }


def test_cutoff_is_off_at_zero_years_and_survives_a_leap_day():
    assert cutoff(NOW, 0) is None
    assert cutoff(datetime(2024, 2, 29, tzinfo=SHANGHAI), 3) == datetime(2021, 2, 28, tzinfo=SHANGHAI)


def _figures() -> dict:
    scope = Scope(date(2021, 1, 1), date(2024, 6, 1))
    return {group: counts(scope, group, rolled_up=False) for group in (Group.ALL, Group.UNIT, Group.DISTRICT,
                                                                        Group.CATEGORY, Group.CHANNEL, Group.DAY)}


def _old_history(city) -> tuple[Ticket, Ticket]:
    with time_machine.travel(OLD, tick=False):
        closed = closed_ticket(city)
        closed = actions.add_note(actor=city.users["callback"], ticket_id=closed.pk, version=closed.version,
                                  text="回访电话 13800001111，张三同意结案")  # fmt: skip
        rejected, _ = actions.create_ticket(actor=city.users["intake"],
                                            data={**APPEAL, "citizen_name": "李四", "citizen_phone": "13900002222"})
        actions.amend(actor=city.users["intake"], ticket_id=rejected.pk, version=1, data={"citizen_name": "李四四"})
        rejected = actions.reject_out_of_scope(actor=city.users["intake"], ticket_id=rejected.pk, version=2,
                                               reason="不属于受理范围", redirect_to="法院")  # fmt: skip
        account = ChannelAccount.objects.create(code="wx", name="微信", kind="wechat")
        InboundMessage.objects.create(account=account, message_id="m1", sender="openid-zs", sender_name="张三",
                                      text="我是张三，电话13800001111", received_at=OLD, ticket=closed)  # fmt: skip
        call = Call.objects.create(account=account, call_id="c1", caller="13800001111", rang_at=OLD, updated_at=OLD,
                                   ticket=closed)  # fmt: skip
        CallEvent.objects.create(account=account, call=call, event_id="e1", kind="ringing", occurred_at=OLD,
                                 received_at=OLD, payload={"caller": "13800001111"})  # fmt: skip
        Call.objects.create(account=account, call_id="c2", caller="13700003333", rang_at=OLD, updated_at=OLD)
    return closed, rejected


def test_old_finished_tickets_lose_personal_data_and_the_figures_stay(city, settings, capsys):
    settings.REXIAN = {**settings.REXIAN, "RETENTION_YEARS": 3}
    closed, rejected = _old_history(city)
    with time_machine.travel(RECENT, tick=False):
        recent = closed_ticket(city)  # finished less than three years before NOW
        still_open, _ = actions.create_ticket(actor=city.users["intake"], data=APPEAL)
    with time_machine.travel(NOW, tick=False):
        before = _figures()
        total = before[Group.ALL][None]
        assert (total.received, total.rejected, total.satisfied) == (4, 1, 2)
        call_command("anonymise", "--dry-run")
        assert "工单 2 件，未成单通话 1 个" in capsys.readouterr().out
        call_command("anonymise")
        assert "工单 2 件" in capsys.readouterr().out
        assert _figures() == before

        closed.refresh_from_db()
        assert (closed.citizen_name, closed.citizen_phone, closed.address) == (MARKER, "", MARKER)
        assert (closed.category_id, closed.district_id, closed.state, closed.satisfaction) == (
            city.categories["020101"].pk, city.units["x_east"].pk, "closed", "satisfied")
        history = " ".join(str(p) for p in TicketEvent.objects.filter(ticket__in=[closed, rejected])
                           .values_list("payload", flat=True))  # fmt: skip
        for personal in ("13800001111", "张三", "李四", "13900002222"):
            assert personal not in history
        last = closed.events.order_by("-seq").first()
        assert last.action == "anonymise" and last.actor_name == "系统" and last.payload["rewritten"]["calls"] == 1
        message = InboundMessage.objects.get()
        assert (message.sender, message.sender_name, "13800001111" in message.text) == (MARKER, "", False)
        assert list(Call.objects.order_by("call_id").values_list("caller", flat=True)) == ["", ""]
        assert CallEvent.objects.get().payload == {"caller": MARKER}

        recent.refresh_from_db()
        still_open.refresh_from_db()
        assert recent.citizen_phone == still_open.citizen_phone == APPEAL["citizen_phone"]
        assert retention.run(NOW) == retention.RetentionResult()  # nothing left: a second run changes nothing
        call_command("check_invariants")


def test_zero_years_keeps_everything(city, settings):
    settings.REXIAN = {**settings.REXIAN, "RETENTION_YEARS": 0}
    closed, _ = _old_history(city)
    assert retention.run(NOW) == retention.RetentionResult()
    closed.refresh_from_db()
    assert closed.citizen_phone == APPEAL["citizen_phone"]
