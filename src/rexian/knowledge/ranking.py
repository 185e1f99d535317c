"""How well an entry answers a question (pure Python with jieba, no Django import): BM25F over the entry's fields.

A term's evidence is its count in each field, weighted by the field (a word in the title or in a citizen's way
of asking says more than one in a long answer) and normalised by the field's length; the sum is saturated
(k1) and weighted by the term's rarity (idf). Synonyms a query gained count a little less than its own words,
and bigrams less than words (they are there to catch words cut differently, not to count twice).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rexian.knowledge.analysis import index_terms, query_parts

FIELDS = ("title", "variants", "answer", "tags")
FIELD_WEIGHTS = {"title": 3.0, "variants": 2.5, "answer": 1.0, "tags": 1.5}
LENGTH_NORMALISATION = {"title": 0.5, "variants": 0.6, "answer": 0.75, "tags": 0.3}
K1 = 1.2
SYNONYM_WEIGHT = 0.8
BIGRAM_WEIGHT = 0.5


@dataclass(frozen=True)
class Query:
    terms: tuple[str, ...]
    weights: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str, synonyms: Iterable[str] = ()) -> Query:
        """The question's words and bigrams, and the terms of the synonyms it gained."""
        words, grams = query_parts(text)
        weights: dict[str, float] = dict.fromkeys(words, 1.0)
        for gram in grams:
            weights.setdefault(gram, BIGRAM_WEIGHT)
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
        held = self.frequencies.get(term, 0)
        return math.log(1 + (self.entries - held + 0.5) / (held + 0.5))


def score(query: Query, fields: Mapping[str, str], stats: Statistics) -> float:
    """The BM25F score of an entry whose fields hold these space-separated terms."""
    padded = {f: f" {fields.get(f, '')} " for f in FIELDS}
    lengths = {f: padded[f].count(" ") - 1 for f in FIELDS}
    total = 0.0
    for term in query.terms:
        needle = f" {term} "
        evidence = 0.0
        for f in FIELDS:
            count = padded[f].count(needle)
            if count:
                norm = 1 - LENGTH_NORMALISATION[f] + LENGTH_NORMALISATION[f] * lengths[f] / stats.average_lengths[f]
                evidence += FIELD_WEIGHTS[f] * count / norm
        if evidence:
            total += query.weights.get(term, 1.0) * stats.idf(term) * evidence / (K1 + evidence)
    return total


def coverage(query: Query, fields: Mapping[str, str], stats: Statistics) -> float:
    """The share of the question's own words (weighted by rarity) that the entry holds: 1.0 when every word the
    caller used is in it. Synonyms stand in for the word they came from; bigrams do not count."""
    held = " ".join(f" {fields.get(f, '')} " for f in FIELDS)
    own = [t for t in query.terms if query.weights.get(t) == 1.0]
    total = sum(stats.idf(t) for t in own)
    if not total:
        return 0.0
    found = sum(stats.idf(t) for t in own if f" {t} " in held)
    return found / total
