"""The demo's texts name dates that agree with the ticket's own history: a citizen in November speaks of last
week, and a unit's reply names the day it took the case."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

from rexian.demo import cityspec, texts

DAY = re.compile(r"(\d{1,2})月(\d{1,2})日")
ON = date(2026, 11, 18)
WEEK_BEFORE = {f"{d.month}月{d.day}日" for d in (ON - timedelta(days=n) for n in range(7))}


def _leaves() -> list[str]:
    return [leaf.code for leaf in cityspec.leaf_categories()]


def test_an_appeal_of_a_known_day_names_a_day_of_the_week_before():
    named = []
    for seed, leaf in enumerate(_leaves() * 4):
        appeal = texts.compose_appeal(random.Random(seed), leaf, "青山区", "湖滨街道", "翠湖社区", on=ON)
        named += ["{}月{}日".format(*m) for m in DAY.findall(appeal.subject + appeal.description)]
    assert len(named) >= 5  # the banks do name days
    assert set(named) <= WEEK_BEFORE


def test_a_reply_names_the_day_the_unit_handled_the_case():
    named = []
    for seed, leaf in enumerate(_leaves()):
        reply = texts.compose_reply(random.Random(seed), leaf, handled_on=ON)
        named += ["{}月{}日".format(*m) for m in DAY.findall(reply)]
    assert len(named) >= 20
    assert set(named) == {"11月18日"}


def test_the_same_seed_gives_the_same_texts_with_or_without_a_day():
    """The day replaces what was drawn and draws nothing more: the demo city stays the same city."""
    for seed, leaf in enumerate(_leaves()[:40]):
        dated, undated = random.Random(seed), random.Random(seed)
        with_day = texts.compose_appeal(dated, leaf, "青山区", "湖滨街道", "翠湖社区", on=ON)
        without = texts.compose_appeal(undated, leaf, "青山区", "湖滨街道", "翠湖社区")
        assert DAY.sub("", with_day.description) == DAY.sub("", without.description)
        assert DAY.sub("", texts.compose_reply(dated, leaf, handled_on=ON)) == DAY.sub(
            "", texts.compose_reply(undated, leaf)
        )
        assert dated.random() == undated.random()

