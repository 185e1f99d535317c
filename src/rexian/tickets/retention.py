"""Retention (保存期限): what anonymising a citizen's personal data replaces, as pure rules.

A ticket finished more than `REXIAN_RETENTION_YEARS` years ago loses the citizen's name, phone, e-mail and
address detail, and every copy of them the centre kept (event payloads, channel messages, calls, the delivery
log); what the statistics count (category, units, district, dates, states, satisfaction) stays. Free text keeps
its words: only the citizen's name and what looks like a phone number, an e-mail address or an ID card number
are replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

MARKER = "（已匿名）"
# Mobile numbers (optionally +86), landlines with an area code and a hyphen, 18-digit ID cards, e-mail addresses;
# never inside a longer run of digits (ticket numbers, timestamps).
PERSONAL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
    r"|(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"
    r"|(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"
    r"|(?<!\d)\d{17}[\dXx](?![\dXx])"
)
SHORTEST_NAME = 2  # a one-character "name" would wipe ordinary words


def cutoff(now: datetime, years: int) -> datetime | None:
    """Tickets finished before this moment are due; None when retention is off (0 years)."""
    if years <= 0:
        return None
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def scrub_text(text: str, names: Iterable[str] = ()) -> str:
    """The text with the citizen's names and anything that looks like a contact or an ID replaced."""
    for name in names:
        if len(name.strip()) >= SHORTEST_NAME and name.strip() != MARKER:
            text = text.replace(name.strip(), MARKER)
    return PERSONAL.sub(MARKER, text)


def scrub(value: Any, names: Iterable[str] = ()) -> Any:
    """Every string inside a JSON value scrubbed (dict keys are left: they are field names)."""
    names = tuple(names)
    if isinstance(value, str):
        return scrub_text(value, names)
    if isinstance(value, list):
        return [scrub(v, names) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, names) for k, v in value.items()}
    return value


# Ticket fields that name or reach the citizen, and what they become.
IDENTITY_REPLACEMENTS: dict[str, str] = {"citizen_name": MARKER, "citizen_phone": "", "address": MARKER}


def scrub_changed(changed: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """An `amend` event's `changed`: identity fields' old and new values replaced whole, the rest scrubbed."""
    out: dict[str, Any] = {}
    for field, change in changed.items():
        if field in IDENTITY_REPLACEMENTS and isinstance(change, dict):
            out[field] = {k: (IDENTITY_REPLACEMENTS[field] if v else v) for k, v in change.items()}
        else:
            out[field] = scrub(change, names)
    return out


def scrub_payload(payload: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    names = tuple(names)
    scrubbed = {k: scrub(v, names) for k, v in payload.items() if k != "changed"}
    if isinstance(payload.get("changed"), dict):
        scrubbed["changed"] = scrub_changed(payload["changed"], names)
    return scrubbed
