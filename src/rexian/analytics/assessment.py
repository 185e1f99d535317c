"""Unit assessment (考核): a weighted score per unit per period from the figures, a ranking and its trend.

Pure Python. A scheme is a list of items: a rate metric earns up to its points (a rate where lower is better
earns them for 1 − rate), a card or a notice deducts its points each time. A unit without a figure (no
callbacks this month, say) is scored on the others, scaled to the same full marks, so that it is neither
rewarded nor punished for what did not happen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rexian.analytics.metrics import METRIC_BY_CODE, Kind


@dataclass(frozen=True)
class Item:
    code: str  # a rate metric's code, "card:N" (N = 1 yellow … 3 red) or "notice:N" (supervision level N)
    points: float

    @property
    def is_deduction(self) -> bool:
        return ":" in self.code

    @property
    def label(self) -> str:
        if not self.is_deduction:
            return METRIC_BY_CODE[self.code].label
        kind, level = self.code.split(":")
        return f"{('', '黄牌', '橙牌', '红牌')[int(level)]}" if kind == "card" else f"{level} 级督办文书"


DEFAULT_SCHEME: tuple[Item, ...] = (
    Item("sign_on_time_rate", 10),
    Item("reply_on_time_rate", 25),
    Item("satisfaction_rate", 25),
    Item("resolution_rate", 20),
    Item("return_rate", 10),
    Item("rehandle_rate", 10),
    Item("card:1", 2),
    Item("card:2", 4),
    Item("card:3", 6),
    Item("notice:1", 0.5),
    Item("notice:2", 1),
    Item("notice:3", 2),
    Item("notice:4", 3),
)


def check_item(code: str) -> str | None:
    """Why a scheme item cannot be used, in Chinese, or None when it can."""
    if ":" in code:
        kind, _, level = code.partition(":")
        if kind == "card" and level in ("1", "2", "3"):
            return None
        if kind == "notice" and level.isdigit() and int(level) >= 1:
            return None
        return "扣分项应为 card:1～3（黄、橙、红牌）或 notice:N（N 级督办文书）。"
    metric = METRIC_BY_CODE.get(code)
    if metric is None or metric.kind is not Kind.RATE:
        return "得分项应为一个比率指标，如 satisfaction_rate。"
    return None


@dataclass(frozen=True)
class Score:
    total: float
    earned: dict[str, float]  # points per rate item that had a figure, before scaling
    deducted: float
    missing: tuple[str, ...]  # rate items without a figure


def score(figures: Mapping[str, Any], scheme: Sequence[Item]) -> Score:
    rates = [item for item in scheme if not item.is_deduction]
    full = sum(item.points for item in rates)
    earned: dict[str, float] = {}
    for item in rates:
        value = figures.get(item.code)
        if value is not None:
            good = value if METRIC_BY_CODE[item.code].better != "low" else 1 - value
            earned[item.code] = item.points * good
    available = sum(item.points for item in rates if item.code in earned)
    base = sum(earned.values()) * full / available if available else 0.0
    deducted = sum(item.points * _occurrences(figures, item.code) for item in scheme if item.is_deduction)
    missing = tuple(item.code for item in rates if item.code not in earned)
    return Score(max(0.0, base - deducted), earned, deducted, missing)


def _occurrences(figures: Mapping[str, Any], code: str) -> int:
    kind, level = code.split(":")
    table = figures.get("cards_by_colour" if kind == "card" else "notices_by_level") or {}
    return int(table.get(int(level), 0))


@dataclass(frozen=True)
class Ranked:
    key: Any
    score: Score
    rank: int
    previous_rank: int | None
    change: float | None  # points against the previous period


def ranking(current: Mapping[Any, Score], previous: Mapping[Any, Score]) -> list[Ranked]:
    """Highest score first; equal scores share a rank (1, 2, 2, 4)."""
    before = _ranks(previous)
    ranks = _ranks(current)
    ordered = sorted(current.items(), key=lambda pair: (-round(pair[1].total, 6), str(pair[0])))
    return [
        Ranked(key, s, ranks[key], before.get(key), s.total - previous[key].total if key in previous else None)
        for key, s in ordered
    ]


def _ranks(scores: Mapping[Any, Score]) -> dict[Any, int]:
    totals = sorted((round(s.total, 6) for s in scores.values()), reverse=True)
    first = {}
    for index, value in enumerate(totals):
        first.setdefault(value, index + 1)
    return {key: first[round(s.total, 6)] for key, s in scores.items()}
