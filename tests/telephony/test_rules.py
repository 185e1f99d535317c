"""The pure rules: reading an event, a call from its events in any order, the figures' arithmetic. No database."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from rexian.telephony.rules import (
    CallState,
    EventFact,
    EventKind,
    Figures,
    derive,
    duration,
    figures_from,
    parse_kind,
    parse_time,
    percent,
    shown,
    url_problem,
)

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# ---- reading an event --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-02T09:00:05+08:00", datetime(2026, 3, 2, 1, 0, 5, tzinfo=UTC)),
        ("2026-03-02T01:00:05Z", datetime(2026, 3, 2, 1, 0, 5, tzinfo=UTC)),
        (1772413205, datetime(2026, 3, 2, 1, 0, 5, tzinfo=UTC)),
        ("1772413205", datetime(2026, 3, 2, 1, 0, 5, tzinfo=UTC)),
        (1772413205.5, datetime(2026, 3, 2, 1, 0, 5, 500000, tzinfo=UTC)),
    ],
)
def test_times_with_an_offset_or_unix_seconds_are_read(raw, expected):
    moment, problem = parse_time(raw)
    assert problem == "" and moment == expected


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (None, "必填"),
        ("", "必填"),
        ("2026-03-02T09:00:05", "时区"),
        ("yesterday", "ISO 8601"),
        (True, "ISO 8601"),
        ([1], "ISO 8601"),
        (10**20, "超出范围"),
    ],
)
def test_bad_times_are_refused_with_a_reason(raw, says):
    moment, problem = parse_time(raw)
    assert moment is None and says in problem


def test_kinds_are_the_five_events():
    assert [parse_kind(k)[0] for k in ("ringing", "answered", "ended", "abandoned", "transferred")] == list(EventKind)
    assert parse_kind("hold") == (None, "未知的事件：hold。可选：ringing、answered、ended、abandoned、transferred。")
    assert parse_kind(None) == (None, "必填。")
    assert EventKind.ABANDONED.label == "放弃" and CallState.ANSWERED.label == "通话中"


def test_a_recording_must_be_an_http_address():
    assert url_problem("https://rec.example/1.wav") == "" and url_problem("") == ""
    assert "http" in url_problem("javascript:alert(1)")


# ---- a call from its events --------------------------------------------------------------------------------

ANSWERED_CALL = [
    EventFact(EventKind.RINGING, at(0), agent="a1", caller="13800001111", dialled="12345"),
    EventFact(EventKind.ANSWERED, at(12), agent="a1"),
    EventFact(EventKind.TRANSFERRED, at(40), agent="a1", transferred_to="a2"),
    EventFact(EventKind.ENDED, at(100), agent="a2", recording_url="https://rec.example/c1.wav"),
]


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_any_arrival_order_gives_the_same_call(order):
    facts = derive([ANSWERED_CALL[i] for i in order])
    assert facts.state is CallState.ENDED and not facts.abandoned
    assert (facts.rang_at, facts.answered_at, facts.ended_at) == (at(0), at(12), at(100))
    assert facts.wait_seconds == 12 and facts.handling_seconds == 88
    assert facts.agent == "a1"  # the agent who answered
    assert facts.transferred_to == "a2" and facts.recording_url == "https://rec.example/c1.wav"
    assert (facts.caller, facts.dialled) == ("13800001111", "12345")


def test_states_follow_the_events_so_far():
    ring = EventFact(EventKind.RINGING, at(0), agent="a1")
    answer = EventFact(EventKind.ANSWERED, at(5), agent="a1")
    assert derive([ring]).state is CallState.RINGING
    assert derive([ring, answer]).state is CallState.ANSWERED
    transfer = EventFact(EventKind.TRANSFERRED, at(9), transferred_to="0917-12333")
    assert derive([ring, answer, transfer]).state is CallState.TRANSFERRED
    assert derive([ring, EventFact(EventKind.ABANDONED, at(30))]).state is CallState.ABANDONED


def test_a_call_that_ends_unanswered_is_abandoned_until_an_answer_arrives():
    ring, end = EventFact(EventKind.RINGING, at(0)), EventFact(EventKind.ENDED, at(60))
    alone = derive([ring, end])
    assert alone.abandoned and alone.state is CallState.ABANDONED and alone.wait_seconds is None
    late = derive([ring, end, EventFact(EventKind.ANSWERED, at(20))])  # the answer arrived last
    assert not late.abandoned and late.state is CallState.ENDED and late.handling_seconds == 40


def test_without_a_ringing_event_the_first_event_is_the_ring():
    facts = derive([EventFact(EventKind.ENDED, at(90)), EventFact(EventKind.ANSWERED, at(10), agent="a1")])
    assert facts.rang_at == at(10) and facts.wait_seconds == 0 and facts.handling_seconds == 80


def test_clock_skew_never_gives_negative_seconds():
    facts = derive([EventFact(EventKind.RINGING, at(10)), EventFact(EventKind.ANSWERED, at(9))])
    assert facts.wait_seconds == 0.0


def test_the_agent_is_the_one_who_answered_else_the_last_rung():
    rings = [EventFact(EventKind.RINGING, at(0), agent="a1"), EventFact(EventKind.RINGING, at(15), agent="a2")]
    assert derive(rings).agent == "a2"
    assert derive([*rings, EventFact(EventKind.ANSWERED, at(20), agent="a2")]).agent == "a2"
    assert derive([EventFact(EventKind.ABANDONED, at(3))]).agent == ""


def test_no_events_no_call():
    with pytest.raises(ValueError):
        derive([])


# ---- the figures -------------------------------------------------------------------------------------------


def test_figures_arithmetic():
    f = Figures(offered=10, answered=8, answered_within=7, abandoned=2, callbacks_open=1, handled=8,
                handling_total=1220.0, wait_total=79.0)  # fmt: skip
    assert f.connection_rate == 0.8 and f.within_rate == 0.7
    assert f.average_handling == 152.5 and f.average_wait == 9.875
    assert f.meets_standard is False
    good = Figures(offered=100, answered=98, answered_within=95, handled=98, handling_total=9800.0)
    assert good.meets_standard is True
    slow = Figures(offered=100, answered=98, answered_within=90)
    assert slow.meets_standard is False  # connected, but not within 15 s


def test_figures_without_calls_have_no_rates():
    f = figures_from({"offered": 0, "handling_total": None, "wait_total": None})
    assert f == Figures()
    assert f.connection_rate is None and f.average_handling is None and f.meets_standard is None
    assert shown(f)["connection_rate"] == "—" and shown(f)["offered"] == "0"


def test_figures_as_printed():
    assert percent(0.95) == "95.0%" and percent(None) == "—"
    assert duration(45) == "45秒" and duration(152.5) == "2分32秒" and duration(3723) == "1时02分03秒"
    assert duration(None) == "—" and duration(0) == "0秒"
    f = Figures(offered=1234, answered=1000, answered_within=900, handled=1000, handling_total=120000.0)
    assert shown(f) == {
        "offered": "1,234",
        "answered": "1,000",
        "connection_rate": "81.0%",
        "within_rate": "72.9%",
        "average_wait": "0秒",
        "average_handling": "2分00秒",
        "abandoned": "0",
        "callbacks_open": "0",
    }


def test_the_rules_import_nothing_from_django():
    import ast
    from pathlib import Path

    import rexian.telephony.rules as rules

    tree = ast.parse(Path(rules.__file__).read_text(encoding="utf-8"))
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [name for name in imported if name.startswith(("django", "rexian"))]
