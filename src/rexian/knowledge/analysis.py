"""How Chinese text becomes search terms (pure Python with jieba; no Django import).

An entry's fields and a caller's question are cut into the same terms: jieba's words in search mode (a long
word and the shorter words inside it: 住房公积金 → 住房, 公积, 公积金, 住房公积金) plus the character
bigrams of every run of Chinese characters, so that a word jieba cuts differently in the question and in the
entry still meets its entry (2-character words are most Chinese words). Text is NFKC-normalised and
lower-cased first (full-width letters and digits, Ａ → a). Question words and particles (如何, 怎么, 吗 …) are
left out of a query: every question has them.

Highlighting is here too: the parts of a text that a query's words match, as (text, matched) pieces that a
template renders with <mark> without trusting any of it as HTML.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable

import jieba

jieba.setLogLevel(logging.WARNING)

# A term is a run of letters, digits or Chinese characters (what FTS5's and PostgreSQL's parsers keep whole).
_TERM = re.compile(r"[^\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
TERM_LIMIT = 60  # longer "words" are URLs or noise; the full-text indexes refuse very long terms anyway

# Words in nearly every question and in no answer's point.
_QUESTION_WORDS = (
    "如何 怎么 怎样 怎么办 咋 咋办 什么 哪些 哪里 哪儿 哪个 多少 多久 几 是否 能否 可否 可以 能不能 能 会 要 需要"
    " 请问 请 问 问一下 咨询 一下 吗 呢 吧 啊 呀 了 的 地 得 是 有 没有 在 和 与 及 或 我 我们 你 你们 他 她"
    " 这 那 这个 那个 还 就 都 也 又 想 办 一个 现在 目前 关于 对于 以及 为什么 啥"
)
QUESTION_WORDS = frozenset(_QUESTION_WORDS.split())


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def words(text: str) -> list[str]:
    """jieba's search-mode words of the text, without punctuation and spaces."""
    found = []
    for token in jieba.cut_for_search(normalise(text), HMM=False):
        found.extend(_TERM.findall(token))
    return [t for t in found if len(t) <= TERM_LIMIT]


def bigrams(text: str) -> list[str]:
    """The character bigrams of each run of Chinese characters (a single character alone stands for itself)."""
    grams: list[str] = []
    for run in _HAN.findall(normalise(text)):
        if len(run) == 1:
            grams.append(run)
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def index_terms(text: str) -> list[str]:
    """The terms a field's text is indexed under: its words, and its bigrams that are not already words."""
    found = words(text)
    seen = set(found)
    return found + [g for g in bigrams(text) if g not in seen]


def query_parts(text: str) -> tuple[list[str], list[str]]:
    """The distinct words of a question and its bigrams that are not words, question words left out."""
    found = [w for w in dict.fromkeys(words(text)) if w not in QUESTION_WORDS]
    seen = set(found)
    grams = [g for g in dict.fromkeys(bigrams(text)) if g not in seen and g not in QUESTION_WORDS]
    return found, grams


def query_terms(text: str) -> list[str]:
    """The distinct terms of a question: its words, then its other bigrams."""
    found, grams = query_parts(text)
    return found + grams


def expand(text: str, groups: Iterable[Iterable[str]]) -> list[str]:
    """The other words of every synonym group one of whose words the text contains (医保 → 医疗保障)."""
    said = normalise(text)
    extra: list[str] = []
    for group in groups:
        members = [normalise(term) for term in group]
        if any(term and term in said for term in members):
            extra.extend(term for term in members if term and term not in said)
    return list(dict.fromkeys(extra))


def highlight(text: str, terms: Iterable[str]) -> list[tuple[str, bool]]:
    """The text cut into (piece, matched) where the query's words of two or more characters occur, longest
    first (case-insensitively for Latin letters)."""
    wanted = sorted({t for t in terms if len(t) >= 2}, key=len, reverse=True)  # lone characters: noise
    if not text or not wanted:
        return [(text, False)] if text else []
    pattern = re.compile("|".join(re.escape(t) for t in wanted), re.IGNORECASE)
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in pattern.finditer(text):
        if match.start() > at:
            pieces.append((text[at : match.start()], False))
        pieces.append((text[match.start() : match.end()], True))
        at = match.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def snippet(text: str, terms: Iterable[str], width: int = 120) -> list[tuple[str, bool]]:
    """A window of about `width` characters of the text around its first matched word, highlighted."""
    pieces = highlight(text, terms)
    first = next((sum(len(p) for p, _ in pieces[:i]) for i, (_, hit) in enumerate(pieces) if hit), 0)
    start = max(0, first - width // 4)
    window = text[start : start + width]
    shown = highlight(window, terms)
    if start > 0:
        shown.insert(0, ("…", False))
    if start + width < len(text):
        shown.append(("…", False))
    return shown
