"""Dates and times accepted from clients (API query strings and bodies), within years the system can count.

Python dates run from year 1 to 9999, but a day at either end cannot be turned into a UTC moment, a day after or
a month after (OverflowError, ValueError), which would surface as a server error. No appeal is that old or
that far ahead: outside MIN_YEAR–MAX_YEAR a date is refused with a 422 naming the field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

MIN_YEAR, MAX_YEAR = 1900, 2999
OUT_OF_RANGE = f"日期应在 {MIN_YEAR} 年至 {MAX_YEAR} 年之间。"
# YYYY-MM within the same years, for month parameters written as text.
MONTH_PATTERN = r"^((19|2\d)\d{2}-(0[1-9]|1[0-2]))?$"


def _within_years(value: date) -> date:  # a datetime is a date too
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise PydanticCustomError("date_out_of_range", OUT_OF_RANGE)
    return value


ApiDate = Annotated[date, AfterValidator(_within_years)]
ApiDateTime = Annotated[datetime, AfterValidator(_within_years)]

NUL_MESSAGE = "不能包含 NUL 字符或无效的 Unicode 字符。"


def unsafe_text(value: str) -> bool:
    """A NUL (PostgreSQL cannot store it) or a lone surrogate (not UTF-8: neither database can store it)."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def unsafe_fields(data: object, prefix: str = "") -> list[str]:
    """The dotted names of the fields (in nested dicts and lists) whose text or key is unsafe."""
    if isinstance(data, str):
        return [prefix or "__all__"] if unsafe_text(data) else []
    if isinstance(data, dict):
        found = []
        for key, value in data.items():
            name = _join(prefix, key)
            found += [name] if isinstance(key, str) and unsafe_text(key) else unsafe_fields(value, name)
        return found
    if isinstance(data, list):
        return [name for i, item in enumerate(data) for name in unsafe_fields(item, _join(prefix, i))]
    return []


def _join(prefix: str, key: object) -> str:
    return f"{prefix}.{key}" if prefix else str(key)
