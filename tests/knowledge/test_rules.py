"""The knowledge review workflow and dates as pure rules (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from rexian.knowledge.rules import (
    MOVES,
    EntryStatus,
    Party,
    Step,
    add_months,
    expiry_notice_until,
    is_expired,
    move,
    review_due_before,
    steps_open,
)

S, P = EntryStatus, Party
OWNER, EDITOR, SYSTEM = frozenset({P.OWNER}), frozenset({P.EDITOR}), frozenset({P.SYSTEM})


def test_a_unit_drafts_and_submits_the_centre_publishes() -> None:
    assert move(S.DRAFT, Step.SUBMIT, OWNER) is S.IN_REVIEW
    assert move(S.IN_REVIEW, Step.PUBLISH, OWNER) is None
    assert move(S.IN_REVIEW, Step.PUBLISH, EDITOR) is S.PUBLISHED
    assert move(S.IN_REVIEW, Step.SEND_BACK, EDITOR) is S.DRAFT


def test_an_owners_edit_of_a_published_entry_goes_back_to_review() -> None:
    assert move(S.PUBLISHED, Step.EDIT, OWNER) is S.IN_REVIEW
    assert move(S.PUBLISHED, Step.EDIT, EDITOR) is S.PUBLISHED
    assert move(S.PUBLISHED, Step.EDIT, OWNER | EDITOR) is S.PUBLISHED


def test_only_the_machine_expires_and_nobody_edits_a_dead_entry() -> None:
    assert move(S.PUBLISHED, Step.EXPIRE, EDITOR) is None
    assert move(S.PUBLISHED, Step.EXPIRE, SYSTEM) is S.EXPIRED
    for status in (S.EXPIRED, S.WITHDRAWN):
        assert move(status, Step.EDIT, EDITOR | OWNER) is None
        assert move(status, Step.RESTORE, OWNER) is S.DRAFT


def test_nobody_without_a_party_moves_anything() -> None:
    assert all(move(status, step, frozenset()) is None for status, step in MOVES)
    assert steps_open(S.PUBLISHED, frozenset()) == []


def test_the_buttons_follow_the_table() -> None:
    assert steps_open(S.DRAFT, OWNER) == [Step.EDIT, Step.SUBMIT]
    assert set(steps_open(S.IN_REVIEW, EDITOR)) == {Step.EDIT, Step.PUBLISH, Step.SEND_BACK}


@pytest.mark.parametrize(
    ("expires_on", "today", "expired", "soon"),
    [
        (None, date(2026, 1, 1), False, False),
        (date(2026, 3, 1), date(2026, 3, 1), True, False),  # the date is the first day it no longer applies
        (date(2026, 3, 1), date(2026, 2, 28), False, True),
        (date(2026, 3, 31), date(2026, 3, 1), False, True),  # 30 days ahead: in the notice period
        (date(2026, 4, 1), date(2026, 3, 1), False, False),
    ],
)
def test_expiry_dates(expires_on, today, expired, soon) -> None:
    assert is_expired(expires_on, today) is expired
    assert (expires_on is not None and today < expires_on <= expiry_notice_until(today, 30)) is soon


def test_review_is_due_after_the_months_and_months_end_on_their_last_day() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2026, 3, 15), -6) == date(2025, 9, 15)
    assert review_due_before(date(2026, 11, 22), 12) == date(2025, 11, 22)
    assert review_due_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
