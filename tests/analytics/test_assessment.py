"""The unit assessment's arithmetic (pure) and the ranking of member units on a real history."""

from __future__ import annotations

from datetime import date

import pytest

from rexian.analytics.assessment import DEFAULT_SCHEME, Item, Score, check_item, ranking, score
from rexian.analytics.metrics import Counts, figures
from rexian.analytics.queries import Scope
from rexian.analytics.selectors import assessment, last_complete, period_of
from rexian.supervision.models import UnitCard
from tests.analytics.test_metrics import OCTOBER, at
from tests.analytics.test_metrics import history as history
from tests.conftest import City

SCHEME = (Item("reply_on_time_rate", 50), Item("return_rate", 50), Item("card:3", 10), Item("notice:2", 1))


def test_rates_earn_their_points_and_low_is_good_where_it_should_be() -> None:
    s = score({"reply_on_time_rate": 0.8, "return_rate": 0.1}, SCHEME)
    assert s.total == pytest.approx(50 * 0.8 + 50 * 0.9)
    assert s.missing == () and s.deducted == 0


def test_a_missing_figure_is_scaled_out_not_counted_as_zero() -> None:
    s = score({"reply_on_time_rate": 0.8, "return_rate": None}, SCHEME)
    assert s.total == pytest.approx(80.0) and s.missing == ("return_rate",)
    assert score({}, SCHEME).total == 0.0


def test_cards_and_notices_deduct_per_occurrence_never_below_zero() -> None:
    f = {"reply_on_time_rate": 1.0, "return_rate": 0.0, "cards_by_colour": {3: 2}, "notices_by_level": {2: 3, 1: 9}}
    assert score(f, SCHEME).total == pytest.approx(100 - 20 - 3)
    assert score({**f, "cards_by_colour": {3: 20}}, SCHEME).total == 0.0


def test_the_default_scheme_scores_a_perfect_unit_100() -> None:
    perfect = figures(Counts(signed=5, signed_on_time=5, replied=5, replied_on_time=5, satisfied=5, reached=5,
                             callbacks=5, resolved_yes=5, resolved_asked=5, dispatched=5))  # fmt: skip
    assert score(perfect, DEFAULT_SCHEME).total == pytest.approx(100.0)


def test_ranking_shares_ranks_on_ties_and_gives_the_trend() -> None:
    def s(total: float) -> Score:
        return Score(total, {}, 0.0, ())

    ranked = ranking({"a": s(90), "b": s(95), "c": s(90), "d": s(70)}, {"a": s(80), "b": s(99)})
    assert [(r.key, r.rank) for r in ranked] == [("b", 1), ("a", 2), ("c", 2), ("d", 4)]
    assert ranked[1].previous_rank == 2 and ranked[1].change == pytest.approx(10)
    assert ranked[2].previous_rank is None and ranked[2].change is None


@pytest.mark.parametrize(
    ("code", "ok"),
    [("satisfaction_rate", True), ("card:3", True), ("notice:4", True), ("received", False), ("card:4", False),
     ("nonsense", False)],
)  # fmt: skip
def test_scheme_items_are_checked(code: str, ok: bool) -> None:
    assert (check_item(code) is None) == ok


def test_periods() -> None:
    assert period_of("weekly", date(2026, 11, 21)) == (date(2026, 11, 16), date(2026, 11, 22))
    assert period_of("quarterly", date(2026, 11, 21)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_of("annual", date(2026, 11, 21)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert last_complete("monthly", date(2026, 11, 21)) == (date(2026, 10, 1), date(2026, 10, 31))
    assert last_complete("weekly", date(2026, 11, 21)) == (date(2026, 11, 9), date(2026, 11, 15))


@pytest.mark.django_db
def test_member_units_ranked_with_their_cards(history: City) -> None:
    u = history.units
    UnitCard.objects.create(unit=u["d_hrss"], period="2026-10", card=3, overdue_tickets=5, updated_at=at(10, 31))
    ranked = assessment(OCTOBER)
    assert [a.unit.code for a in ranked] == ["d_urban", "x_east", "d_hrss"]
    urban, east, hrss = ranked
    # 城管局 only signed (on time) and returned nothing yet: scored on those two items, scaled to 100.
    assert urban.ranked.score.total == pytest.approx(100.0) and "satisfaction_rate" in urban.ranked.score.missing
    # East: on time, satisfied and solved, but its one October dispatch came back (return rate 1): 90.
    assert east.ranked.score.total == pytest.approx(90.0)
    # 人社局: late, unsatisfied, re-handled; only "no returns" earns its 10 points, and the red card costs 6.
    assert hrss.ranked.score.total == pytest.approx(4.0) and hrss.worst_card == 3
    # T1 was dispatched to the east district in September, and nothing came back: 100 then, 10 points lost.
    assert east.ranked.previous_rank == 1 and east.ranked.change == pytest.approx(-10.0)
    assert urban.ranked.previous_rank is None
    assert assessment(Scope(date(2026, 12, 1), date(2026, 12, 31))) == []
