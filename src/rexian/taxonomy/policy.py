"""Time limits from the seed documents, in working days (pure Python, no Django import).

Dispatch within one working day; a unit may return a misrouted ticket within two working days;
emergencies the same day; consultations and help requests within 5 working days; complaints, reports
and suggestions within 15 working days, counted from the day after receipt; callbacks within 3
working days (emergencies 1).
"""

from __future__ import annotations

from dataclasses import dataclass

DISPATCH_DAYS = 1
RETURN_WINDOW_DAYS = 2
CALLBACK_DAYS = 3
URGENT_CALLBACK_DAYS = 1
URGENT_HANDLING_DAYS = 0  # the same day

HANDLING_DAYS_BY_TYPE: dict[str, int] = {
    "consult": 5,
    "help": 5,
    "complaint": 15,
    "report": 15,
    "suggestion": 15,
    "praise": 5,
    "other": 5,
}


@dataclass(frozen=True)
class Limits:
    handling_days: int
    return_window_days: int
    callback_days: int


def limits_for(appeal_type: str, urgent: bool) -> Limits:
    if urgent:
        return Limits(URGENT_HANDLING_DAYS, RETURN_WINDOW_DAYS, URGENT_CALLBACK_DAYS)
    return Limits(HANDLING_DAYS_BY_TYPE.get(appeal_type, 15), RETURN_WINDOW_DAYS, CALLBACK_DAYS)
