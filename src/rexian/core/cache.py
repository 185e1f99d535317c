"""Reads kept per process for a while: tables that change rarely (time limits, screening rules, the active
models, the gazetteer) and are read on every request. A change forgets them at once in the process that made
it; other processes read the change within `seconds`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


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
