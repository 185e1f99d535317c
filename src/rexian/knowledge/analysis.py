"""How Chinese text becomes search terms (pure Python with jieba; no Django import).

An entry's fields and a caller's question are cut into the same terms: jieba's words in search mode (a long
word and the shorter words inside it: 中华人民共和国 → 中华, 人民, 共和国, 中华人民共和国 …) plus the character
bigrams of every run of Chinese characters, so that a word jieba cuts differently in the question and in the
entry still meets its entry (2-character words are most Chinese words; the bigrams were the largest single
gain on both public benchmark sets, docs/search.md). Text is NFKC-normalised and lower-cased first
(full-width letters and digits, Ａ → a). Asking words and particles (如何, 怎么, 吗 …) are left out of a query.

Highlighting is here too: the parts of a text that a query's words match, as (text, matched) pieces that a
template renders with <mark> without trusting any of it as HTML.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

# A term is a run of letters, digits or Chinese characters (what FTS5's and PostgreSQL's parsers keep whole).
_TERM = re.compile(r"[^\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
TERM_LIMIT = 60  # longer "words" are URLs or noise; the full-text indexes refuse very long terms anyway

# Asking and function words: they say how a question is asked, not what it is about, and they pull in entries
# that are questions themselves. Left out of queries, never out of the index.
_STOP_WORDS = (
    "如何 怎么 怎样 怎么样 怎么办 咋 咋办 吗 呢 吧 啊 呀 嘛 么 什么 啥 哪些 哪个 哪里 哪儿 哪 多少 多久 几 是否 能否"
    " 可否 可以 能 能不能 可不可以 会 会不会 需要 要 应该 应当 的 地 得 了 是 在 和 与 及 或 或者 等 对 对于 关于"
    " 有 有没有 没有 有何 有哪些 为什么 为何 何时 何 请问 问 问一下 咨询 您好 你好 我 我们 你 您 他 她 它 这 那"
    " 这个 那个 一下 一个 还 也 都 就 把 被 给 让 到 从 向 又 并 而 则 之 其 该 此 所 以 为 于 上 中 下 时 后 前"
    " 想 办 现在 目前 以及"
)
STOP_WORDS = frozenset(_STOP_WORDS.split())


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def words(text: str) -> list[str]:
    """jieba's search-mode words of the text, without punctuation and spaces."""
    found = []
    for token in jieba.cut_for_search(normalise(text), HMM=False):
        found.extend(_TERM.findall(token))
    return [t for t in found if len(t) <= TERM_LIMIT]


def bigrams(text: str) -> list[str]:
    """Every pair of adjacent Chinese characters (never across punctuation or Latin letters)."""
    return [run[i : i + 2] for run in _HAN.findall(normalise(text)) for i in range(len(run) - 1)]


def index_terms(text: str) -> list[str]:
    """The terms a field's text is indexed under: its words, then all its bigrams (a two-character word is
    both: it counts twice, as it should — it is the commonest kind of Chinese word)."""
    return words(text) + bigrams(text)


def query_parts(text: str) -> tuple[list[str], list[str]]:
    """A question's words and bigrams, asking words left out, repeats kept (a word said twice matters more).
    Bigrams are taken within runs of content words, so that 如何查看 gives 查看 and not 何查."""
    found = [w for w in words(text) if w not in STOP_WORDS]
    grams: list[str] = []
    run: list[str] = []
    for token in [*_precise(normalise(text)), "。"]:
        if _TERM.fullmatch(token) and token not in STOP_WORDS:
            run.append(token)
        else:
            grams += bigrams("".join(run))
            run = []
    return found, grams


def word_families(text: str) -> dict[str, int]:
    """For a question's terms, the size of the family each belongs to: a content word with the shorter words and the
    bigrams inside it (实习期: 实习, 习期, 实习期). Without it a long word would vote once per piece (多长时间 five
    times, 实习期 three). A term found in several words takes its largest family; a term of no longer word (a
    two-character word, a bigram across two words) is missing: a family of one."""
    sizes: dict[str, int] = {}
    for token in _precise(normalise(text)):
        if not _TERM.fullmatch(token) or token in STOP_WORDS:
            continue
        family = {token, *words(token), *bigrams(token)}
        if len(family) > 1:
            for term in family:
                sizes[term] = max(sizes.get(term, 1), len(family))
    return sizes


@lru_cache(maxsize=512)
def _precise(normalised: str) -> tuple[str, ...]:
    """jieba's precise cut of a question: its bigram runs and its word families both read it."""
    return tuple(jieba.lcut(normalised, HMM=False))


def query_terms(text: str) -> list[str]:
    """The distinct terms of a question: its words, then its bigrams."""
    found, grams = query_parts(text)
    return list(dict.fromkeys(found + grams))


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
