"""Reads kept per process for a while: tables that change rarely (time limits, screening rules, the active
models, the gazetteer) and are read on every request. A change forgets them at once in the process that made
it; other processes read the change within `seconds`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model

T = TypeVar("T")
M = TypeVar("M", bound=Model)


class TimedCache:
    def __init__(self, seconds: float = 60) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._values: dict[str, tuple[float, Any]] = {}

    def get(self, key: str, load: Callable[[], T]) -> T:
        with self._lock:
            hit = self._values.get(key)
            if hit is not None and time.monotonic() - hit[0] < self.seconds:
                return hit[1]
        value = load()  # outside the lock: a slow load must not block readers of other keys
        with self._lock:
            self._values[key] = (time.monotonic(), value)
        return value

    def forget(self, *keys: str) -> None:
        """Drop the given keys, or everything when none is given."""
        with self._lock:
            for key in keys or list(self._values):
                self._values.pop(key, None)


@dataclass(frozen=True)
class Tree(Generic[M]):
    """The rows of a tree table (a `code` and a `parent`) by primary key and by code, each row's parent the row in
    hand, so that walking up reads nothing. Shared by every request of a process: read them, assign them to
    relations, never change and save them (an edit loads its own)."""

    by_pk: dict[int, M]
    by_code: dict[str, M]

    @classmethod
    def of(cls, rows: list[M]) -> Tree[M]:
        by_pk = {row.pk: row for row in rows}
        for row in rows:
            row.parent = by_pk.get(row.parent_id)  # type: ignore[attr-defined]
        return cls(by_pk, {row.code: row for row in rows})  # type: ignore[attr-defined]
