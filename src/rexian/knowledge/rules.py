"""Knowledge-entry rules (pure Python, no Django import): the review workflow as a table, who may take each
step, and the dates that make an entry due for expiry or for review.

Units write their own entries and send them for review; the centre's knowledge editors publish, send back,
withdraw and restore. The machine expires a published entry once its expiry date has passed. An owning unit's
edit of a published entry sends it back through review (改后重审): what agents read aloud has been checked.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class EntryStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


STATUS_LABELS: dict[EntryStatus, str] = {
    EntryStatus.DRAFT: "草稿",
    EntryStatus.IN_REVIEW: "待审核",
    EntryStatus.PUBLISHED: "已发布",
    EntryStatus.EXPIRED: "已过期",
    EntryStatus.WITHDRAWN: "已撤回",
}


class Step(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    PUBLISH = "publish"
    SEND_BACK = "send_back"
    WITHDRAW = "withdraw"
    EXPIRE = "expire"
    RESTORE = "restore"  # an expired or withdrawn entry back to draft, to be revised and reviewed again
    IMPORT = "import"


STEP_LABELS: dict[Step, str] = {
    Step.CREATE: "新建",
    Step.EDIT: "修改",
    Step.SUBMIT: "提交审核",
    Step.PUBLISH: "审核发布",
    Step.SEND_BACK: "退回修改",
    Step.WITHDRAW: "撤回",
    Step.EXPIRE: "到期失效",
    Step.RESTORE: "恢复为草稿",
    Step.IMPORT: "导入",
}


class Party(StrEnum):
    """Who takes a step: the owning unit's members, the centre's knowledge editors, or the machine."""

    OWNER = "owner"
    EDITOR = "editor"
    SYSTEM = "system"


@dataclass(frozen=True)
class Move:
    target: EntryStatus
    parties: frozenset[Party]


S, P = EntryStatus, Party
OWNER_OR_EDITOR = frozenset({P.OWNER, P.EDITOR})
EDITOR = frozenset({P.EDITOR})

# (status, step) -> where the entry goes and who may take the step. Editing keeps the status, except an
# owner's edit of a published entry (see edit_target).
MOVES: dict[tuple[EntryStatus, Step], Move] = {
    (S.DRAFT, Step.EDIT): Move(S.DRAFT, OWNER_OR_EDITOR),
    (S.DRAFT, Step.SUBMIT): Move(S.IN_REVIEW, OWNER_OR_EDITOR),
    (S.DRAFT, Step.PUBLISH): Move(S.PUBLISHED, EDITOR),  # the centre's own entries need no second review
    (S.IN_REVIEW, Step.EDIT): Move(S.IN_REVIEW, EDITOR),
    (S.IN_REVIEW, Step.PUBLISH): Move(S.PUBLISHED, EDITOR),
    (S.IN_REVIEW, Step.SEND_BACK): Move(S.DRAFT, EDITOR),
    (S.PUBLISHED, Step.EDIT): Move(S.PUBLISHED, OWNER_OR_EDITOR),
    (S.PUBLISHED, Step.WITHDRAW): Move(S.WITHDRAWN, EDITOR),
    (S.PUBLISHED, Step.EXPIRE): Move(S.EXPIRED, frozenset({P.SYSTEM})),
    (S.EXPIRED, Step.RESTORE): Move(S.DRAFT, OWNER_OR_EDITOR),
    (S.WITHDRAWN, Step.RESTORE): Move(S.DRAFT, OWNER_OR_EDITOR),
}


def move(status: EntryStatus, step: Step, parties: frozenset[Party]) -> EntryStatus | None:
    """Where the step takes an entry in this status when taken by someone acting as these parties; None when
    the step is not open to them here."""
    found = MOVES.get((status, step))
    if found is None or not (found.parties & parties):
        return None
    if step is Step.EDIT and status is S.PUBLISHED and P.EDITOR not in parties:
        return S.IN_REVIEW  # 改后重审: the unit's change is checked before agents read it out
    return found.target


def steps_open(status: EntryStatus, parties: frozenset[Party]) -> list[Step]:
    """The steps these parties may take on an entry in this status (the buttons they see)."""
    return [step for (at, step), found in MOVES.items() if at is status and found.parties & parties]


def is_expired(expires_on: date | None, today: date) -> bool:
    """An entry stops being valid on its expiry date (the date is the first day it no longer applies)."""
    return expires_on is not None and expires_on <= today


def expiry_notice_until(today: date, notice_days: int) -> date:
    """Entries expiring after today and up to this date are announced (到期提醒)."""
    return today + timedelta(days=notice_days)


def review_due_before(today: date, months: int) -> date:
    """Entries last reviewed (or, never reviewed, created) before this date are due for review (久未复核)."""
    return add_months(today, -months)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer days (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
