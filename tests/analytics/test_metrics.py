"""Every figure of docs/metrics.md on a small fixed history, against values worked out by hand.

The history runs through October 2026: National Day 10-01..07 are holidays and Saturday 10-10 is a
make-up working day, so the on-time figures depend on counting working days across the holiday.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from rexian.analytics.metrics import Counts, figures, percentile
from rexian.analytics.queries import Group, Scope, counts
from rexian.supervision.models import Notice, UnitCard
from rexian.tickets import actions
from rexian.tickets.models import Ticket
from rexian.workdays.calendar import SHANGHAI
from tests.conftest import APPEAL, City

pytestmark = pytest.mark.django_db

OCTOBER = Scope(date(2026, 10, 1), date(2026, 10, 31))


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


class Story:
    """Acts on tickets as the city's users, each step at a given moment."""

    def __init__(self, city: City) -> None:
        self.city = city

    def do(self, moment: datetime, user: str, action: str, ticket: Ticket | None = None, **kwargs) -> Ticket:
        with time_machine.travel(moment, tick=False):
            if action == "create":
                return actions.create_ticket(actor=self.city.users[user], data={**APPEAL, **kwargs})[0]
            assert ticket is not None
            ticket.refresh_from_db()
            act = getattr(actions, action)
            return act(actor=self.city.users[user], ticket_id=ticket.pk, version=ticket.version, **kwargs)

    def dispatch(self, moment: datetime, ticket: Ticket, unit: str) -> Ticket:
        return self.do(moment, "dispatcher", "dispatch", ticket, lead_unit=unit)

    def reply(self, moment: datetime, ticket: Ticket, user: str) -> Ticket:
        return self.do(moment, user, "reply", ticket, result="已处理完毕。", citizen_contacted=True)

    def callback(self, moment: datetime, ticket: Ticket, satisfaction: str, resolved: bool) -> Ticket:
        answers = {"reached": True, "satisfaction": satisfaction, "resolved": resolved}
        return self.do(moment, "callback", "callback", ticket, **answers)


@pytest.fixture
def history(city: City) -> City:
    s = Story(city)
    # T1, registered in September: a complaint (15 working days to handle, 1 to sign) dispatched on the eve
    # of the holiday. Signed on 10-08, the first working day after it (on time); replied on 10-27, its 15th
    # working day (on time, 15 working days of handling); satisfied and solved: closed.
    t1 = s.do(at(9, 30, 16), "intake", "create")
    t1 = s.dispatch(at(9, 30, 17), t1, "x_east")
    s.do(at(10, 8, 9), "h_east", "sign", t1)
    s.reply(at(10, 27, 16), t1, "h_east")
    s.do(at(10, 28), "reviewer", "approve_reply", t1)
    s.callback(at(10, 29), t1, "satisfied", True)
    # T2: a consultation (5 working days to handle) dispatched on 10-09. Its sign deadline is the make-up
    # Saturday 10-10, so signing on Monday 10-12 is late; due 10-15 (10, 12, 13, 14, 15), replied 10-16:
    # late, after 6 working days. Unsatisfied and unsolved: back to the unit (重办).
    t2 = s.do(at(10, 9, 9), "intake", "create", appeal_type="consult")
    t2 = s.dispatch(at(10, 9, 10), t2, "d_hrss")
    s.do(at(10, 12, 9), "h_hrss", "sign", t2)
    s.reply(at(10, 16, 15), t2, "h_hrss")
    s.do(at(10, 16, 17), "reviewer", "approve_reply", t2)
    s.callback(at(10, 19), t2, "unsatisfied", False)
    # T3 answered at once, T4 out of scope.
    t3 = s.do(at(10, 12), "intake", "create", appeal_type="consult")
    s.do(at(10, 12, 11), "intake", "answer_directly", t3, answer="按政策规定办理即可。")
    t4 = s.do(at(10, 13), "intake", "create")
    s.do(at(10, 13, 11), "intake", "reject_out_of_scope", t4, reason="已进入诉讼程序。", redirect_to="法院")
    # T5: misrouted to the east district, which returns it; re-dispatched to 城管局, signed the same day,
    # extended.
    t5 = s.do(at(10, 14), "intake", "create")
    t5 = s.dispatch(at(10, 14, 11), t5, "x_east")
    s.do(at(10, 14, 15), "h_east", "request_return", t5, reason="不属于本单位职责。")
    s.do(at(10, 15, 9), "dispatcher", "approve_return", t5)
    t5 = s.dispatch(at(10, 15, 10), t5, "d_urban")
    s.do(at(10, 15, 11), "h_urban", "sign", t5)
    s.do(at(10, 20), "h_urban", "request_extension", t5, days=5, reason="需协调多个部门。")
    s.do(at(10, 20, 15), "reviewer", "approve_extension", t5)
    # T6 on the last evening of the month, T7 just after midnight: only T6 is October's.
    s.do(at(10, 31, 23, 30), "intake", "create")
    s.do(at(11, 1, 0, 10), "intake", "create")
    return city


def test_every_figure_of_the_month(history: City) -> None:
    f = figures(counts(OCTOBER)[None])
    assert f == {
        "received": 5,  # T2–T6
        "answered_directly": 1,
        "direct_rate": 1 / 5,
        "rejected": 1,
        "merged": 0,
        "dispatched": 3,  # T2, T5 twice (T1's dispatch was in September)
        "signed": 3,
        "sign_on_time_rate": 2 / 3,  # T2 late
        "returned": 1,
        "return_rate": 1 / 3,
        "extended": 1,
        "extension_rate": 1 / 3,
        "replied": 2,
        "overdue": 1,
        "reply_on_time_rate": 1 / 2,
        "callbacks": 2,
        "callback_rate": 1.0,
        "rated": 2,
        "satisfaction_rate": 1 / 2,
        "resolution_rate": 1 / 2,
        "rehandled": 1,
        "rehandle_rate": 1 / 2,
        "closed": 1,
        "notices": 0,
        "cards": 0,
        "handling_days_avg": (15 + 6) / 2,
        "handling_days_p90": 15.0,
        "notices_by_level": {},
        "cards_by_colour": {},
    }


def test_figures_per_unit_follow_the_accountable_unit(history: City) -> None:
    u = history.units
    by_unit = {key: figures(c) for key, c in counts(OCTOBER, Group.UNIT).items()}
    east, hrss, urban = by_unit[u["x_east"].pk], by_unit[u["d_hrss"].pk], by_unit[u["d_urban"].pk]
    # The east district: T5 dispatched to it and returned by it; T1 signed, replied and rated in October.
    assert (east["dispatched"], east["returned"], east["signed"], east["replied"]) == (1, 1, 1, 1)
    assert (east["sign_on_time_rate"], east["reply_on_time_rate"], east["satisfaction_rate"]) == (1.0, 1.0, 1.0)
    assert east["received"] == 0  # T1 was registered in September; T5 is now led by 城管局
    assert (hrss["received"], hrss["signed"], hrss["overdue"], hrss["rehandled"]) == (1, 1, 1, 1)
    assert (hrss["sign_on_time_rate"], hrss["satisfaction_rate"], hrss["handling_days_avg"]) == (0.0, 0.0, 6.0)
    assert (urban["received"], urban["dispatched"], urban["signed"], urban["extended"]) == (1, 1, 1, 1)
    assert by_unit[None]["received"] == 3  # T3, T4, T6 never reached a unit


def test_slices_by_unit_subtree_channel_type_category_and_district(history: City) -> None:
    u, c = history.units, history.categories
    east = counts(Scope(OCTOBER.start, OCTOBER.end, unit=u["x_east"]))[None]
    assert (east.dispatched, east.returned, east.replied) == (1, 1, 1)
    consults = figures(counts(Scope(OCTOBER.start, OCTOBER.end, appeal_type="consult"))[None])
    assert (consults["received"], consults["answered_directly"], consults["overdue"]) == (2, 1, 1)
    assert counts(Scope(OCTOBER.start, OCTOBER.end, category=c["01"])) == {}  # every appeal is 占道经营 (02…)
    assert counts(Scope(OCTOBER.start, OCTOBER.end, category=c["02"]))[None].received == 5
    assert counts(Scope(OCTOBER.start, OCTOBER.end, district=u["x_east"]))[None].received == 5
    assert counts(Scope(OCTOBER.start, OCTOBER.end, channel="web")) == {}


def test_groupings_roll_up(history: City) -> None:
    u, c = history.units, history.categories
    by_day = counts(OCTOBER, Group.DAY)
    assert by_day[date(2026, 10, 31)].received == 1 and date(2026, 11, 1) not in by_day
    assert sum(x.received for x in by_day.values()) == 5
    assert set(counts(OCTOBER, Group.MONTH)) == {"2026-10"}
    assert set(counts(OCTOBER, Group.CATEGORY)) == {c["02"].pk}
    members = counts(OCTOBER, Group.MEMBER)
    assert members[u["x_east"].pk].dispatched == 1
    three_months = counts(Scope(date(2026, 9, 1), date(2026, 11, 30)), Group.MONTH)
    assert {k: v.received for k, v in three_months.items()} == {"2026-09": 1, "2026-10": 5, "2026-11": 1}


def test_the_previous_period() -> None:
    assert OCTOBER.previous() == Scope(date(2026, 9, 1), date(2026, 9, 30))
    quarter = Scope(date(2026, 7, 1), date(2026, 9, 30))
    assert quarter.previous() == Scope(date(2026, 4, 1), date(2026, 6, 30))
    week = Scope(date(2026, 11, 16), date(2026, 11, 22))
    assert week.previous() == Scope(date(2026, 11, 9), date(2026, 11, 15))


def test_rates_without_a_denominator_are_missing_not_zero() -> None:
    f = figures(Counts())
    assert f["direct_rate"] is None and f["satisfaction_rate"] is None and f["handling_days_p90"] is None
    assert f["received"] == 0


def test_nearest_rank_percentile() -> None:
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9
    assert percentile([5], 0.9) == 5
    assert percentile([], 0.9) is None


def test_supervision_notices_by_level_and_cards(history: City) -> None:
    u = history.units
    hrss = u["d_hrss"]
    t2 = Ticket.objects.get(lead_unit=hrss)
    for level, moment in ((1, at(10, 15)), (2, at(10, 20)), (2, at(11, 2))):
        Notice.objects.create(level=level, title="督办", unit=hrss, ticket=t2, text="请尽快办理。", issued_at=moment)
    UnitCard.objects.create(unit=hrss, period="2026-10", card=3, overdue_tickets=5, updated_at=at(10, 31))
    UnitCard.objects.create(unit=u["x_east"], period="2026-09", card=1, overdue_tickets=2, updated_at=at(9, 30))
    whole = figures(counts(OCTOBER)[None])
    assert (whole["notices"], whole["notices_by_level"], whole["cards_by_colour"]) == (2, {1: 1, 2: 1}, {3: 1})
    assert counts(OCTOBER, Group.UNIT)[hrss.pk].cards == {3: 1}
    # A card belongs to a unit and a month, not to a channel or a category: a sliced figure leaves it out.
    consults = counts(Scope(OCTOBER.start, OCTOBER.end, appeal_type="consult"))[None]
    assert consults.cards == {} and consults.notices == {1: 1, 2: 1}
