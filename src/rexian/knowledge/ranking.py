"""How well an entry answers a question (pure Python with jieba, no Django import).

An entry's score is the sum of three parts, all in idf units so that they add up without tuned weights:

- BM25F over its fields: a term's count in each field, weighted by the field (a word in the title or in a
  citizen's way of asking says more than one in a long answer) and normalised by the field's length, saturated
  (k1) and weighted by the term's rarity (idf) and by how often the question says it, shared among the pieces of
  its word (a long word votes about once, not once per piece: analysis.word_families);
- the best window: the rarity of the question's distinct terms found together within one stretch of
  WINDOW characters of the entry — a long answer answers a question in one place, whereas whole-entry BM25
  rewards words scattered over pages;
- for short entries, the share of the entry's own terms the question holds, times the question's weight —
  when an agent pastes a citizen's long text, the short entry it restates should win.

The questions agents answered with the entry (knowledge.actions.learn_question) are a field of their own in
BM25F; they do not count in the restated share, which is about what the entry itself says. Synonyms a question
gained count a little less than its own words. Figures, and what was tried and dropped,
in docs/search.md.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rexian.knowledge.analysis import index_terms, query_parts, word_families

OWN_FIELDS = ("title", "variants", "answer", "tags")  # what the entry's editors wrote
FIELDS = (*OWN_FIELDS, "asked")  # and how callers asked for it when agents answered with it (AskedQuestion)
# The callers' own words count less than the editors' ways of asking: an agent may pick a near neighbour (0.8–2.5
# measure the same on the public sets, docs/search.md).
FIELD_WEIGHTS = {"title": 3.0, "variants": 2.5, "answer": 1.0, "tags": 1.5, "asked": 1.5}
LENGTH_NORMALISATION = {"title": 0.5, "variants": 0.6, "answer": 0.75, "tags": 0.3, "asked": 0.6}
K1 = 1.2
# A long word's pieces share its vote: each weighs (family size)^-0.5 (analysis.word_families). 0.5–0.7 measure the
# same on the public sets; 1.0 takes the policy set down (docs/search.md).
FAMILY_DILUTION = 0.5
SYNONYM_WEIGHT = 0.8
WINDOW = 200  # characters: 100–400 all work within a point or two
SHORT_ENTRY = 300  # characters: entries up to this long also score by how much of them the question holds


@dataclass(frozen=True)
class Query:
    terms: tuple[str, ...]
    weights: Mapping[str, float] = field(default_factory=dict)  # how often the question says it, shared (or 0.8)

    @classmethod
    def of(cls, text: str, synonyms: Iterable[str] = ()) -> Query:
        """The question's words and bigrams, each weighted by the number of times it says it over its word's
        family (a long word votes once, not once per piece), and its synonyms' terms."""
        own, grams = query_parts(text)
        families = word_families(text)
        weights: dict[str, float] = {
            term: said * families.get(term, 1) ** -FAMILY_DILUTION for term, said in Counter(own + grams).items()
        }
        for phrase in synonyms:
            for term in index_terms(phrase):
                weights.setdefault(term, SYNONYM_WEIGHT)
        return cls(tuple(weights), weights)


@dataclass(frozen=True)
class Statistics:
    entries: int
    frequencies: Mapping[str, int]  # term -> how many entries hold it
    average_lengths: Mapping[str, float]  # field -> average number of terms

    def idf(self, term: str) -> float:
        """Lucene's BM25 idf, never negative: a word most entries hold still counts a little."""
        held = self.frequencies.get(term, 0)
        return math.log(1 + (self.entries - held + 0.5) / (held + 0.5))


@dataclass(frozen=True)
class Candidate:
    fields: Mapping[str, str]  # field -> its terms, space-separated (SearchDoc)
    text: str  # the entry's text, normalised (analysis.normalise), for the window


def score(query: Query, candidate: Candidate, stats: Statistics) -> float:
    rarity = {t: stats.idf(t) for t in query.terms if stats.frequencies.get(t)}
    total = bm25f(query, candidate.fields, stats, rarity) + best_window(candidate.text, rarity)
    if len(candidate.text) <= SHORT_ENTRY:
        total += sum(rarity.values()) * restated_share(query, candidate.fields)
    return total


def bm25f(query: Query, fields: Mapping[str, str], stats: Statistics, rarity: Mapping[str, float]) -> float:
    padded = {f: f" {fields[f]} " for f in FIELDS if fields.get(f)}  # an empty field holds no term: skipped
    # Each field's weight over its length normalisation, once per entry rather than once per term.
    scale = {
        f: FIELD_WEIGHTS[f] / (1 - share + share * (text.count(" ") - 1) / stats.average_lengths.get(f, 1.0))
        for f, text in padded.items()
        for share in [LENGTH_NORMALISATION[f]]
    }
    total = 0.0
    for term, weight in rarity.items():
        needle = f" {term} "
        evidence = sum(scale[f] * text.count(needle) for f, text in padded.items())
        if evidence:
            total += query.weights[term] * weight * evidence * (K1 + 1) / (K1 + evidence)
    return total


def best_window(text: str, rarity: Mapping[str, float], window: int = WINDOW) -> float:
    """The largest rarity of distinct question terms found together within one window of the text. Windows
    start every half window, so a passage is never cut in two; str.find keeps it fast."""
    half = window // 2
    seen: dict[int, set[str]] = {}
    for term in rarity:
        at = text.find(term)
        while at >= 0:
            slot = at // half
            seen.setdefault(slot, set()).add(term)
            if slot:
                seen.setdefault(slot - 1, set()).add(term)
            at = text.find(term, at + 1)
    return max((sum(rarity[t] for t in found) for found in seen.values()), default=0.0)


def restated_share(query: Query, fields: Mapping[str, str]) -> float:
    """The share of a short entry's distinct terms that the question holds: 1.0 when it restates all of it."""
    held = {t for f in OWN_FIELDS for t in fields.get(f, "").split()}
    return len(held & query.weights.keys()) / len(held) if held else 0.0


def question_match(query: Query, questions: Iterable[str]) -> float:
    """How fully the question holds one of the entry's own questions (its title or a way citizens ask it): the
    best share of such a question's words and bigrams that the question says. 1.0: the caller asked exactly
    what the entry answers, in whatever longer words around it."""
    best = 0.0
    for question in questions:
        words, grams = query_parts(question)
        terms = set(words + grams)
        if terms:
            best = max(best, len(terms & query.weights.keys()) / len(terms))
    return best
