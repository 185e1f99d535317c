"""How alike two appeals read (pure Python, no Django import).

Two callers reporting the same broken street lamp rarely share words, let alone phrases: one says "路灯坏了一个
星期", the other "路灯不亮已经七八天". They do share characters: the place, the thing, the trouble. So an appeal is
reduced to the set of its content characters (the hotline's own formulas such as 来电人反映、诉求、希望相关部门处理
and the commonest function characters removed), and two sets are compared with the Dice coefficient, which
rapidfuzz computes in C: on sorted lists of distinct characters, its Indel `ratio` is exactly 2|A∩B| / (|A|+|B|).
Measured on hand-written pairs, the same complaint reworded shares 0.3–0.8 of its characters and unrelated
complaints under 0.15; word and bigram measures separated them less well (reworded pairs share few words).

The raw coefficient is mapped to a score that reads as a percentage: 1 - (1 - dice)³, so that a third of the
characters in common (a reworded complaint) reads about 70%, and the tenth that unrelated appeals share by chance
about 27%.

Among many candidates (`best_matches`), what they have in common is left out as well: clauses that several of
them repeat word for word (the clerks' stock sentences, "来电人此前曾拨打过热线") and characters that a tenth of
them contain (in one district's recent appeals, its place names are everywhere and say nothing). On the demo
city's formulaic texts, leaving out the stock clauses cut the unrelated appeals (of another top-level category)
scoring 0.6 or more from 2.6 to 0.75 per lookup among 300.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

# The hotline's formulas: what the clerk writes around every appeal, not what it is about.
FORMULAS = re.compile(
    "来电人|市民|来电|反映|表示|诉求|要求|希望|请求|相关部门|有关部门|尽快|处理|解决|回复|答复|核实|调查|依法|给予"
    "|问题|情况|其系|居住在|住在|家住|业主|居民|咨询|举报|投诉|建议"
)
NOT_TEXT = re.compile(r"[\s\W_]+")
STOP_CHARACTERS = frozenset(
    "的了在是有也都就很还被把让给对向从到与及其我们他她它该此这那个些着过吗呢吧啊呀嘛要说能会可以为而但并或等一不没称"
)
IGNORED = STOP_CHARACTERS | {" "}  # NOT_TEXT has turned every other space into " "
# Fewer distinct content characters than this (an agent who has typed a few words) compares with nothing.
MIN_CHARACTERS = 6
# Only the start of a long description is read: the gist comes first, and the lookup runs as the agent types.
READ_CHARACTERS = 400
# Among candidates, a character that at least this share of them contains is common, and ignored.
COMMON_SHARE = 0.1
# Below this many candidates, no character is treated as common: too few to tell.
COMMON_MIN_CANDIDATES = 20
# A clause that this many candidates repeat word for word is a stock sentence ("来电人此前曾拨打过热线").
STOCK_MIN = 3
CLAUSE = re.compile(r"[，,。.；;！!？?：:\n]+")
CURVE = 3  # score = 1 - (1 - dice) ** CURVE


@lru_cache(maxsize=16384)
def characters(text: str) -> tuple[str, ...]:
    """The distinct content characters of an appeal, sorted (what is compared). Cached: every duplicate check
    reads the same few hundred recent appeals."""
    plain = NOT_TEXT.sub(" ", text[:READ_CHARACTERS].lower())
    plain = FORMULAS.sub(" ", plain)
    return tuple(sorted(set(plain) - IGNORED))


@lru_cache(maxsize=16384)
def clauses(text: str) -> tuple[str, ...]:
    return tuple(c for c in (part.strip() for part in CLAUSE.split(text[:READ_CHARACTERS])) if c)


def _kept(parts: Sequence[str], stock: frozenset[str]) -> str:
    return " ".join(c for c in parts if c not in stock)


def score_of(dice: float) -> float:
    return 1 - (1 - dice) ** CURVE


def dice_for(score: float) -> float:
    """The raw coefficient that maps to `score` (the inverse of `score_of`)."""
    return 1 - (1 - score) ** (1 / CURVE)


def _compare(a: Sequence[str], b: Sequence[str]) -> float:
    if len(a) < MIN_CHARACTERS or len(b) < MIN_CHARACTERS:
        return 0.0
    return score_of(fuzz.ratio(a, b) / 100)


def similarity(a: str, b: str) -> float:
    """How alike two appeal texts read, in [0, 1]: the same complaint reworded ≥ 0.6, unrelated ones < 0.4."""
    return _compare(characters(a), characters(b))


def common_characters(texts: Iterable[Sequence[str]], share: float = COMMON_SHARE) -> frozenset[str]:
    """Characters that at least `share` of the texts contain."""
    counts: Counter[str] = Counter()
    total = 0
    for chars in texts:
        counts.update(chars)
        total += 1
    if total < COMMON_MIN_CANDIDATES:
        return frozenset()
    return frozenset(c for c, n in counts.items() if n >= share * total)


def stock_clauses(texts: Iterable[Sequence[str]]) -> frozenset[str]:
    """Clauses that at least `STOCK_MIN` of the texts (given as their clauses) contain word for word."""
    counts: Counter[str] = Counter()
    for parts in texts:
        counts.update(set(parts))
    return frozenset(c for c, n in counts.items() if n >= STOCK_MIN)


def best_matches(
    text: str, candidates: Sequence[tuple[int, str]], threshold: float, limit: int
) -> list[tuple[int, float]]:
    """(candidate id, score) of the candidates scoring at least `threshold`, best first, at most `limit`.

    What the candidates have in common says nothing about any of them: clauses several of them repeat word for
    word (the clerks' stock sentences) and characters a tenth of them contain (the district's place names) are
    left out of every comparison.
    """
    if limit <= 0:
        return []
    pool = _pool(tuple(candidates))
    query = [c for c in characters(_kept(clauses(text), pool.stock)) if c not in pool.common]
    if len(query) < MIN_CHARACTERS:
        return []
    cutoff = dice_for(threshold) * 100 - 1e-9  # the float inverse may land a hair above an exact match
    found = process.extract(query, pool.choices, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff)
    return [(key, round(score_of(raw / 100), 4)) for _, raw, key in found]


@dataclass(frozen=True)
class Pool:
    """Candidates as they are compared, whatever the question: their stock clauses and common characters, and each
    one's characters without them (only those with enough left). Shared between threads: read, never changed."""

    stock: frozenset[str]
    common: frozenset[str]
    choices: Mapping[int, list[str]]


@lru_cache(maxsize=32)
def _pool(candidates: tuple[tuple[int, str], ...]) -> Pool:
    """Kept for the last few sets of candidates: while agents type, every check of a district reads the same recent
    appeals until the next one arrives, and this is nine tenths of a check's work."""
    split = {key: clauses(body) for key, body in candidates}
    stock = stock_clauses(split.values()) if len(split) >= COMMON_MIN_CANDIDATES else frozenset()
    parsed = {key: characters(_kept(parts, stock)) for key, parts in split.items()}
    common = common_characters(parsed.values())
    choices = {
        key: kept
        for key, chars in parsed.items()
        if len(kept := [c for c in chars if c not in common]) >= MIN_CHARACTERS
    }
    return Pool(stock, common, choices)
