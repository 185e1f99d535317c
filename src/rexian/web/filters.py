"""Filters of the list pages read from the query string. A bad value becomes a Chinese message beside its
field (the page answers 422 and lists without that filter), never a 500."""

from __future__ import annotations

import re
from datetime import date

from django.http import QueryDict
from django.utils.translation import gettext

from rexian.directory.models import Unit

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class QueryFilters:
    def __init__(self, query: QueryDict) -> None:
        self.query = query
        self.errors: dict[str, list[str]] = {}

    def text(self, name: str) -> str:
        return self.query.get(name, "").strip()[:100]

    def _fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def unit(self, name: str = "unit") -> Unit | None:
        code = self.text(name)
        if not code:
            return None
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            self._fail(name, gettext("没有编码为“%(code)s”的单位。") % {"code": code})
        return unit

    def day(self, name: str) -> date | None:
        raw = self.text(name)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self._fail(name, gettext("日期格式应为 年-月-日，如 2026-11-01。"))
            return None

    def month(self, name: str) -> str | None:
        """A month as YYYY-MM (what <input type=month> sends)."""
        raw = self.text(name)
        if not raw:
            return None
        match = MONTH.match(raw)
        if match is None or not 1 <= int(match.group(2)) <= 12:
            self._fail(name, gettext("月份格式应为 年-月，如 2026-11。"))
            return None
        return raw

    def choice(self, name: str, allowed: dict[str, str]) -> str | None:
        """One of `allowed`'s keys (its values are what the page shows); blank gives None."""
        raw = self.text(name)
        if not raw:
            return None
        if raw not in allowed:
            self._fail(name, gettext("请从列表中选择。"))
            return None
        return raw
