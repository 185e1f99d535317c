"""Stage clocks on real tickets: the 2026 schedule, the eve of a holiday, an emergency on a Sunday, extension
and re-dispatch, urgency, policies from the table, and the provisional 2027 path with its recomputation."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.core.management import call_command

from rexian.supervision.models import StageClock
from rexian.taxonomy.models import TimeLimitPolicy
from rexian.taxonomy.policy import Stage
from rexian.tickets import actions
from rexian.tickets.models import Ticket
from rexian.workdays.calendar import SHANGHAI
from tests.conftest import APPEAL, City


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def end_of(y: int, m: int, d: int) -> datetime:
    return at(y, m, d, 23, 59, 59)


def clocks(ticket: Ticket, running: bool = True) -> dict[str, StageClock]:
    return {c.stage: c for c in StageClock.objects.filter(ticket=ticket, running=running)}


def create(city: City, **fields) -> Ticket:
    return actions.create_ticket(actor=city.users["intake"], data={**APPEAL, **fields})[0]


def dispatch(city: City, ticket: Ticket, unit: str = "x_east") -> Ticket:
    return actions.dispatch(actor=city.users["dispatcher"], ticket_id=ticket.pk, version=ticket.version, lead_unit=unit)


def sign(city: City, ticket: Ticket, user: str = "h_east") -> Ticket:
    return actions.sign(actor=city.users[user], ticket_id=ticket.pk, version=ticket.version)


def test_a_complaint_received_on_the_eve_of_national_day_2026(city):
    # 2026: National Day 10-01..07 (holidays on Thursday 1 to Wednesday 7), make-up days Sunday 09-20 and
    # Saturday 10-10.
    with time_machine.travel(at(2026, 9, 30, 16, 0), tick=False):
        ticket = create(city)
        assert clocks(ticket)[Stage.DISPATCH].due_at == end_of(2026, 10, 8)  # one working day: the 8th
        ticket = dispatch(city, ticket)
    running = clocks(ticket)
    assert set(running) == {Stage.SIGN, Stage.HANDLING}
    assert running[Stage.SIGN].due_at == end_of(2026, 10, 8)
    # 15 working days after 09-30: 8, 9, 10 (make-up Saturday), 12–16, 19–23, 26, 27 → the 27th.
    assert running[Stage.HANDLING].due_at == end_of(2026, 10, 27)
    assert ticket.due_at == running[Stage.HANDLING].due_at  # mirrored on the ticket
    assert ticket.return_deadline == end_of(2026, 10, 9)  # two working days
    assert not running[Stage.HANDLING].provisional
    event = ticket.events.get(action="dispatch")
    assert datetime.fromisoformat(event.payload["due_at"]) == running[Stage.HANDLING].due_at


def test_spring_festival_2026_with_its_make_up_days(city):
    # Spring Festival 2026: holidays 02-15..23, make-up days Saturday 02-14 and Saturday 02-28.
    with time_machine.travel(at(2026, 2, 13, 10, 0), tick=False):
        ticket = dispatch(city, create(city, appeal_type="consult"))
    # Five working days from Friday the 13th: 14 (make-up Saturday), 24, 25, 26, 27.
    assert clocks(ticket)[Stage.HANDLING].due_at == end_of(2026, 2, 27)
    with time_machine.travel(at(2026, 2, 26, 10, 0), tick=False):
        ticket = dispatch(city, create(city, appeal_type="consult"))
    # 27, 28 (make-up Saturday), then Monday 2 March to Wednesday 4.
    assert clocks(ticket)[Stage.HANDLING].due_at == end_of(2026, 3, 4)


def test_an_emergency_on_a_sunday_is_due_by_the_end_of_the_next_working_day(city):
    with time_machine.travel(at(2026, 11, 22, 10, 0), tick=False):  # Sunday
        ticket = create(city, urgency="urgent")
        assert clocks(ticket)[Stage.DISPATCH].due_at == end_of(2026, 11, 23)
        ticket = dispatch(city, ticket)
    running = clocks(ticket)
    assert running[Stage.HANDLING].due_at == end_of(2026, 11, 23)  # "the same day" = the next working day
    assert running[Stage.SIGN].due_at == at(2026, 11, 22, 12, 0)  # two hours, on the clock
    assert str(running[Stage.SIGN].limit) == "2 小时"


def test_stages_follow_the_ticket_through_its_life(city):
    with time_machine.travel(at(2026, 11, 16, 9, 0), tick=False) as traveller:
        ticket = dispatch(city, create(city))
        ticket = sign(city, ticket)
        assert set(clocks(ticket)) == {Stage.HANDLING}
        assert clocks(ticket, running=False)[Stage.SIGN].stopped_at is not None
        traveller.shift(86400)
        ticket = actions.reply(actor=city.users["h_east"], ticket_id=ticket.pk, version=ticket.version,
                               result="已处理", citizen_contacted=True)
        assert set(clocks(ticket)) == {Stage.REVIEW}
        ticket = actions.send_back_reply(actor=city.users["reviewer"], ticket_id=ticket.pk,
                                         version=ticket.version, reason="答复不完整")
        handling = clocks(ticket)[Stage.HANDLING]
        assert handling.started_at == at(2026, 11, 16, 9, 0)  # resumed with its old deadline, not restarted
        ticket = actions.reply(actor=city.users["h_east"], ticket_id=ticket.pk, version=ticket.version,
                               result="已补充处理", citizen_contacted=True)
        ticket = actions.approve_reply(actor=city.users["reviewer"], ticket_id=ticket.pk, version=ticket.version)
        assert clocks(ticket)[Stage.CALLBACK].due_at == end_of(2026, 11, 20)  # three working days
        assert ticket.callback_due_at == clocks(ticket)[Stage.CALLBACK].due_at
        traveller.shift(86400)
        ticket = actions.callback(actor=city.users["callback"], ticket_id=ticket.pk, version=ticket.version,
                                  reached=True, satisfaction="unsatisfied", resolved=False)
        handling = clocks(ticket)[Stage.HANDLING]  # 重办: a fresh limit
        assert handling.started_at == at(2026, 11, 18, 9, 0) and handling.cycle == 2
        assert ticket.due_at == handling.due_at
        ticket = actions.reply(actor=city.users["h_east"], ticket_id=ticket.pk, version=ticket.version,
                               result="重新处理完毕", citizen_contacted=True)
        ticket = actions.approve_reply(actor=city.users["reviewer"], ticket_id=ticket.pk, version=ticket.version)
        ticket = actions.callback(actor=city.users["callback"], ticket_id=ticket.pk, version=ticket.version,
                                  reached=True, satisfaction="satisfied", resolved=True)
    assert clocks(ticket) == {}


def test_extension_moves_the_handling_deadline_by_working_days(city):
    with time_machine.travel(at(2026, 11, 16, 9, 0), tick=False):
        ticket = sign(city, dispatch(city, create(city, appeal_type="help")))
        assert ticket.due_at == end_of(2026, 11, 23)
        ticket = actions.request_extension(actor=city.users["h_east"], ticket_id=ticket.pk, version=ticket.version,
                                           days=3, reason="需协调多个部门")
        ticket = actions.approve_extension(actor=city.users["reviewer"], ticket_id=ticket.pk, version=ticket.version)
    assert ticket.due_at == end_of(2026, 11, 26)
    handling = clocks(ticket)[Stage.HANDLING]
    assert handling.extra_workdays == 3 and handling.due_at == ticket.due_at
    assert datetime.fromisoformat(ticket.events.get(action="approve_extension").payload["due_at"]) == ticket.due_at


def test_an_approved_return_restarts_dispatch_and_a_re_dispatch_gives_the_new_unit_a_full_limit(city):
    with time_machine.travel(at(2026, 11, 16, 9, 0), tick=False) as traveller:
        ticket = dispatch(city, create(city), unit="d_urban")
        first = clocks(ticket)[Stage.HANDLING]
        traveller.shift(86400)
        ticket = actions.request_return(actor=city.users["h_urban"], ticket_id=ticket.pk, version=ticket.version,
                                        reason="属地事项，应由东区办理")
        ticket = actions.approve_return(actor=city.users["dispatcher"], ticket_id=ticket.pk, version=ticket.version)
        assert set(clocks(ticket)) == {Stage.DISPATCH}
        assert clocks(ticket)[Stage.DISPATCH].started_at == at(2026, 11, 17, 9, 0)
        assert ticket.due_at is None
        ticket = dispatch(city, ticket, unit="x_east")
    handling = clocks(ticket)[Stage.HANDLING]
    assert handling.pk == first.pk and handling.cycle == 2  # the same row, restarted
    assert handling.started_at == at(2026, 11, 17, 9, 0) and handling.unit_id == city.units["x_east"].pk
    assert handling.due_at == end_of(2026, 12, 8)


def test_marking_urgent_tightens_running_clocks(city):
    with time_machine.travel(at(2026, 11, 16, 9, 0), tick=False) as traveller:
        ticket = sign(city, dispatch(city, create(city)))
        traveller.shift(3600)
        ticket = actions.mark_urgent(actor=city.users["dispatcher"], ticket_id=ticket.pk, version=ticket.version,
                                     reason="涉及安全隐患")
    assert ticket.due_at == end_of(2026, 11, 16)
    assert clocks(ticket)[Stage.HANDLING].started_at == at(2026, 11, 16, 10, 0)


def test_a_category_policy_from_the_table_applies_to_its_subtree(city):
    TimeLimitPolicy.objects.create(stage=Stage.HANDLING, category=city.categories["02"], amount=3, unit="workdays")
    with time_machine.travel(at(2026, 11, 16, 9, 0), tick=False):
        ticket = dispatch(city, create(city))  # category 020101, under 02
        other = dispatch(city, create(city, category="010101"), unit="d_hrss")
    assert ticket.due_at == end_of(2026, 11, 19)
    assert other.due_at == end_of(2026, 12, 7)  # 15 working days: the complaint default


@pytest.mark.django_db
def test_2027_is_provisional_until_its_schedule_is_imported_and_then_recomputed(city, tmp_path, capsys):
    with time_machine.travel(at(2026, 12, 21, 9, 0), tick=False):
        ticket = dispatch(city, create(city))
        handling = clocks(ticket)[Stage.HANDLING]
        # Monday–Friday guess: 22–25, 28–31 (8), then 2027: 1, 4–8, 11 → 11 January.
        assert handling.due_at == end_of(2027, 1, 11) and handling.provisional
        assert not clocks(ticket)[Stage.SIGN].provisional  # the sign clock stays within 2026
        schedule = tmp_path / "2027.csv"
        schedule.write_text("date,kind,name\n2027-01-01..2027-01-03,holiday,元旦\n"
                            "2027-01-04..2027-01-05,closure,测试\n", encoding="utf-8")
        call_command("calendar", "import", str(schedule), "--source", "测试通知")
    ticket.refresh_from_db()
    handling = clocks(ticket)[Stage.HANDLING]
    # 22–25, 28–31 (8), then New Year's Day and the two closed days off: 6–8, 11–14 → 14 January.
    assert not handling.provisional
    assert ticket.due_at == handling.due_at == end_of(2027, 1, 14)
    event = ticket.events.get(action="reschedule")
    assert event.actor_name == "系统"
    assert datetime.fromisoformat(event.payload["moved"]["handling"][1]) == handling.due_at
    assert "重算 1 件" in capsys.readouterr().out
