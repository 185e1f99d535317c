"""Charts drawn on the server as inline SVG: no script, no CDN, printable, and every bar is a link to the
tickets behind it. This module computes the geometry; templates/web/stats/chart.html draws it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Datum:
    label: str
    value: float
    shown: str  # the value as printed
    url: str = ""


@dataclass(frozen=True)
class Bar:
    datum: Datum
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float

    @property
    def end_x(self) -> float:
        return self.x + self.width


@dataclass(frozen=True)
class Chart:
    title: str
    kind: str  # "columns" (values over time) or "rows" (a ranking)
    width: int
    height: int
    bars: list[Bar]
    empty: bool


ROW_HEIGHT = 22
LABEL_WIDTH = 150
VALUE_WIDTH = 60


def rows_chart(title: str, data: Sequence[Datum], width: int = 520) -> Chart:
    """Horizontal bars, one row per datum, longest first as given."""
    top = max((d.value for d in data), default=0) or 1
    room = width - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for i, d in enumerate(data):
        length = max(1.0, room * d.value / top) if d.value else 0
        middle = i * ROW_HEIGHT + ROW_HEIGHT / 2
        bars.append(Bar(d, LABEL_WIDTH, i * ROW_HEIGHT + 3, length, ROW_HEIGHT - 6, LABEL_WIDTH - 6, middle))
    return Chart(title, "rows", width, max(ROW_HEIGHT, len(data) * ROW_HEIGHT), bars, not data)


def columns_chart(title: str, data: Sequence[Datum], width: int = 720, height: int = 180) -> Chart:
    """Vertical columns in the order given (days, months), the value above each, the label below."""
    top = max((d.value for d in data), default=0) or 1
    plot = height - 36  # room for the value above and the label below
    step = width / max(1, len(data))
    bars = []
    for i, d in enumerate(data):
        h = plot * d.value / top
        bars.append(Bar(d, i * step + step * 0.15, 14 + plot - h, step * 0.7, h, i * step + step / 2, height - 6))
    return Chart(title, "columns", width, height, bars, not data)
