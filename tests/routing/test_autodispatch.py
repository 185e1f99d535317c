"""人机双审 as rules: which threshold applies, and when the machine may dispatch."""

from __future__ import annotations

from rexian.routing.autodispatch import Threshold, decide, threshold_for

RULES = {
    None: Threshold(None, 0.95),
    10: Threshold(10, 0.9),  # a pilot category: trusted a little more
    20: Threshold(20, 0.9, enabled=False),  # a branch kept for people
}


def test_the_nearest_row_in_the_lineage_wins_then_the_global_row() -> None:
    assert threshold_for([11, 10, 1], RULES).value == 0.9
    assert threshold_for([21, 20, 2], RULES).enabled is False
    assert threshold_for([31, 3], RULES).value == 0.95
    assert threshold_for([31, 3], {}) is None


def test_the_machine_dispatches_only_above_the_threshold_and_with_the_catalogue() -> None:
    pilot = RULES[10]
    assert decide(pilot, "d_hrss", 0.93, "d_hrss").dispatch
    assert decide(pilot, "d_hrss", 0.93, None).dispatch  # no catalogue row: the model alone
    assert not decide(pilot, "d_hrss", 0.89, "d_hrss").dispatch
    below = decide(pilot, "d_hrss", 0.89, "d_hrss")
    assert "低于阈值" in below.why and below.unit_code is None
    disagree = decide(pilot, "d_hrss", 0.99, "x_qingshan")
    assert not disagree.dispatch and "不一致" in disagree.why


def test_no_rule_a_disabled_rule_or_no_model_means_people_dispatch() -> None:
    assert not decide(None, "d_hrss", 1.0, "d_hrss").dispatch
    assert not decide(RULES[20], "d_hrss", 1.0, "d_hrss").dispatch
    assert not decide(RULES[None], None, 0.0, "d_hrss").dispatch
