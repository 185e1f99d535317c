"""Escalation by moving the clock: warning, 催办, each ladder level, cards; the sweep is idempotent."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from rexian.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from rexian.notify.models import Notification
from rexian.supervision import actions as supervision
from rexian.supervision.clocks import Card, Light
from rexian.supervision.models import LadderLevel, Notice, StageClock, UnitCard, WatchKind
from rexian.supervision.sweep import sweep
from rexian.taxonomy.policy import Stage
from rexian.tickets import actions
from rexian.tickets.models import Ticket
from rexian.workdays.calendar import SHANGHAI
from tests.conftest import APPEAL, City

MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)


def signed_help_ticket(city: City, unit: str = "x_east", user: str = "h_east") -> Ticket:
    """A help request (5 working days) dispatched and signed on Monday 16 November: due Monday the 23rd."""
    ticket, _ = actions.create_ticket(actor=city.users["intake"], data={**APPEAL, "appeal_type": "help"})
    ticket = actions.dispatch(actor=city.users["dispatcher"], ticket_id=ticket.pk, version=1, lead_unit=unit)
    return actions.sign(actor=city.users[user], ticket_id=ticket.pk, version=ticket.version)


def handling(ticket: Ticket) -> StageClock:
    return StageClock.objects.get(ticket=ticket, stage=Stage.HANDLING)


def levels(ticket: Ticket) -> list[int]:
    return sorted(Notice.objects.filter(ticket=ticket).values_list("level", flat=True))


def test_a_ticket_climbs_from_yellow_to_the_fourth_rung_and_every_sweep_runs_twice_for_nothing(
    city, django_capture_on_commit_callbacks
):
    with time_machine.travel(MONDAY, tick=False) as traveller:
        ticket = signed_help_ticket(city)
        assert handling(ticket).due_at == datetime(2026, 11, 23, 23, 59, 59, tzinfo=SHANGHAI)

        def at(moment: datetime) -> dict[str, int]:
            traveller.move_to(moment)
            with django_capture_on_commit_callbacks(execute=True):  # the units are told after commit
                first = sweep().as_dict()
            assert sweep().changed == 0  # idempotent
            return first

        # ceil(5 × 0.7) = 4: Friday the 20th is the first yellow day.
        assert at(datetime(2026, 11, 19, 23, 0, tzinfo=SHANGHAI))["yellow"] == 0
        assert at(datetime(2026, 11, 20, 8, 0, tzinfo=SHANGHAI))["yellow"] == 1
        assert handling(ticket).light == Light.YELLOW
        due_soon = Notification.objects.get(ticket=ticket, dedupe_key__startswith="due_soon:")
        assert ticket.number in due_soon.message and due_soon.recipient_unit == city.units["x_east"]

        # Overdue from Tuesday 00:00: the automatic 催办, to the handling unit.
        result = at(datetime(2026, 11, 24, 0, 0, 1, tzinfo=SHANGHAI))
        assert result["red"] == 1 and result["notices"] == 2  # 催办, and already one working day late: rung 1
        assert levels(ticket) == [0, 1]
        reminder = Notice.objects.get(ticket=ticket, level=0)
        assert reminder.title == "催办通知" and reminder.unit == city.units["x_east"]
        assert ticket.number in reminder.text and reminder.explanation_due_at is None
        assert Notification.objects.filter(ticket=ticket, dedupe_key=f"notice:{reminder.pk}").exists()
        rung1 = Notice.objects.get(ticket=ticket, level=1)
        assert rung1.title == "工作提醒函"
        assert rung1.explanation_due_at == datetime(2026, 11, 27, 23, 59, 59, tzinfo=SHANGHAI)  # 3 working days

        # Tai'an's ladder: rung 2 after 3 overdue working days, rung 3 after 5, rung 4 after 10; 5 by hand.
        assert at(datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI))["notices"] == 0  # 2 working days
        assert at(datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI))["notices"] == 1
        assert levels(ticket) == [0, 1, 2]
        assert at(datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI))["notices"] == 1  # Monday: 5 working days
        assert at(datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI))["notices"] == 1
        assert levels(ticket) == [0, 1, 2, 3, 4]
        assert at(datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI))["notices"] == 0  # rung 5 is never automatic
        assert handling(ticket).ladder_level == 4


def test_a_sweep_that_missed_days_issues_every_level_reached_at_once(city):
    with time_machine.travel(MONDAY, tick=False) as traveller:
        ticket = signed_help_ticket(city)
        traveller.move_to(datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI))  # 7 working days overdue
        assert sweep().as_dict() == {"yellow": 0, "red": 1, "notices": 4, "cards": 0}
    assert levels(ticket) == [0, 1, 2, 3]


def test_a_rehandled_ticket_can_be_reminded_again(city):
    with time_machine.travel(MONDAY, tick=False) as traveller:
        ticket = signed_help_ticket(city)
        traveller.move_to(datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI))
        sweep()
        ticket = actions.reply(actor=city.users["h_east"], ticket_id=ticket.pk, version=ticket.version,
                               result="已处理", citizen_contacted=True)
        ticket = actions.approve_reply(actor=city.users["reviewer"], ticket_id=ticket.pk, version=ticket.version)
        ticket = actions.callback(actor=city.users["callback"], ticket_id=ticket.pk, version=ticket.version,
                                  reached=True, satisfaction="unsatisfied", resolved=False)
        assert handling(ticket).light == Light.GREEN and handling(ticket).cycle == 2  # 重办: a fresh clock
        traveller.move_to(datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI))
        sweep()
    assert Notice.objects.filter(ticket=ticket, level=0).count() == 2  # one 催办 per cycle


def test_an_extension_turns_a_yellow_light_green_again(city):
    with time_machine.travel(MONDAY, tick=False) as traveller:
        ticket = signed_help_ticket(city)
        traveller.move_to(datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI))
        sweep()
        assert handling(ticket).light == Light.YELLOW
        ticket = actions.request_extension(actor=city.users["h_east"], ticket_id=ticket.pk, version=ticket.version,
                                           days=5, reason="需现场勘查")
        actions.approve_extension(actor=city.users["reviewer"], ticket_id=ticket.pk, version=ticket.version)
        assert handling(ticket).light == Light.GREEN
        assert sweep().changed == 0


def test_units_earn_cards_by_their_overdue_tickets_this_month(city, settings):
    settings.REXIAN = {**settings.REXIAN, "CARD_THRESHOLDS": [2, 3, 4]}
    with time_machine.travel(MONDAY, tick=False) as traveller:
        east = [signed_help_ticket(city) for _ in range(3)]
        signed_help_ticket(city, unit="d_hrss", user="h_hrss")
        traveller.move_to(datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI))
        assert sweep().cards == 1  # east has 3 overdue tickets (orange); the bureau 1 (none)
        card = UnitCard.objects.get()
        assert (card.unit, card.period, card.card_enum, card.overdue_tickets) == (
            city.units["x_east"], "2026-11", Card.ORANGE, 3
        )
        assert sweep().cards == 0
        # A fourth overdue ticket this month raises the card to red; closing tickets never lowers it.
        traveller.move_to(MONDAY + timedelta(days=1))
        late = signed_help_ticket(city)
        traveller.move_to(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))
        sweep()
    card.refresh_from_db()
    assert card.card_enum is Card.RED and card.overdue_tickets == 4
    assert late.pk not in {t.pk for t in east}


def test_the_sweep_command_prints_what_it_did(city, capsys):
    with time_machine.travel(MONDAY, tick=False) as traveller:
        signed_help_ticket(city)
        traveller.move_to(datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI))
        call_command("sweep")
    assert '"red": 1' in capsys.readouterr().out


# ---- supervision by hand ----------------------------------------------------------------------------------

def test_a_shift_lead_issues_a_notice_and_the_unit_explains_it_once(city):
    with time_machine.travel(MONDAY, tick=False):
        ticket = signed_help_ticket(city)
        notice = supervision.issue_notice(actor=city.users["shift_lead"], ticket_id=ticket.pk, level=2)
        assert notice.title == "热线督办单" and notice.unit == city.units["x_east"]
        assert notice.number == f"热督〔2026〕{notice.pk}号" and ticket.number in notice.text
        assert notice.explanation_due_at == datetime(2026, 11, 19, 23, 59, 59, tzinfo=SHANGHAI)
        with pytest.raises(PermissionDenied):  # 提级督办 is the centre admin's
            supervision.issue_notice(actor=city.users["shift_lead"], ticket_id=ticket.pk, level=3)
        with pytest.raises(PermissionDenied):
            supervision.issue_notice(actor=city.users["dispatcher"], ticket_id=ticket.pk, level=1)
        with pytest.raises(ValidationError):
            supervision.issue_notice(actor=city.users["centre_admin"], ticket_id=ticket.pk, level=9)
        with pytest.raises(NotFound):  # another unit's notice is not even there for h_hrss
            supervision.explain_notice(actor=city.users["h_hrss"], notice_id=notice.pk, explanation="不是我们的")
        with pytest.raises(ValidationError):
            supervision.explain_notice(actor=city.users["h_east"], notice_id=notice.pk, explanation="  ")
        explained = supervision.explain_notice(actor=city.users["h_east"], notice_id=notice.pk,
                                               explanation="因需协调供水公司，已于今日完成。")
        assert explained.explained_at is not None and explained.explained_by_name == "h_east"
        with pytest.raises(InvalidTransition):
            supervision.explain_notice(actor=city.users["h_east"], notice_id=notice.pk, explanation="再说一次")


def test_the_top_rung_is_issued_by_hand_by_the_centre_admin(city):
    LadderLevel.objects.filter(level=5).update(issuer_roles=["centre_admin"])
    with time_machine.travel(MONDAY, tick=False):
        ticket = signed_help_ticket(city)
        notice = supervision.issue_notice(actor=city.users["centre_admin"], ticket_id=ticket.pk, level=5,
                                          text="多次督办仍未办理，推送纪检监察机关。")
    assert notice.title == "推送纪检监察" and notice.issued_by == city.users["centre_admin"]


def test_listing_and_difficult_cases(city):
    with time_machine.travel(MONDAY, tick=False):
        ticket = signed_help_ticket(city)
        listed = supervision.watch_ticket(actor=city.users["shift_lead"], ticket_id=ticket.pk,
                                          kind=WatchKind.LISTED, reason="群众反映强烈，久拖未决")
        supervision.watch_ticket(actor=city.users["shift_lead"], ticket_id=ticket.pk, kind=WatchKind.DIFFICULT,
                                 reason="涉及多部门")
        with pytest.raises(Exception, match="已在挂牌督办中"):
            supervision.watch_ticket(actor=city.users["centre_admin"], ticket_id=ticket.pk,
                                     kind=WatchKind.LISTED, reason="重复")
        with pytest.raises(PermissionDenied):
            supervision.watch_ticket(actor=city.users["h_east"], ticket_id=ticket.pk, kind=WatchKind.LISTED,
                                     reason="自己挂牌")
        lifted = supervision.lift_watch(actor=city.users["centre_admin"], watch_id=listed.pk, note="已办结")
        assert lifted.lifted_at is not None
        with pytest.raises(NotFound):
            supervision.lift_watch(actor=city.users["centre_admin"], watch_id=listed.pk)
        # Lifted, it may be listed again.
        supervision.watch_ticket(actor=city.users["shift_lead"], ticket_id=ticket.pk, kind=WatchKind.LISTED,
                                 reason="再次反映")


@pytest.mark.django_db(transaction=True)
def test_the_minute_s_work_sweeps_and_retries_messages(seeded_rules, city):
    from rexian.supervision.periodic import every_minute

    with time_machine.travel(MONDAY, tick=False) as traveller:
        signed_help_ticket(city)
        traveller.move_to(datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI))
        result = every_minute()
    assert result["red"] == 1 and result["notices"] == 2 and result["retried"] == 0
