"""Search over knowledge entries in two stages.

1. Candidates: the database's full-text index (FTS5 with bm25() on SQLite; tsvectors with GIN indexes and
   ts_rank() on PostgreSQL) finds the entries holding the question's rarest terms (within a posting budget)
   or pairs of its commonest ones, best first, at most CANDIDATES of them, filtered by status, unit and
   category in the same query.
2. Ranking: knowledge.ranking scores those candidates in Python from their terms and the index's statistics,
   the same way on both databases.

A query's terms are its words and bigrams (knowledge.analysis) plus the words of every synonym group it
touches (Synonym, edited in the admin). Terms left out of the candidate query still count in the ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from django.db import connection, transaction

from rexian.knowledge import ranking
from rexian.knowledge.analysis import expand, query_terms, snippet
from rexian.knowledge.analysis import highlight as highlighted
from rexian.knowledge.models import Entry, IndexedTerm, IndexTotals, SearchDoc, Statuses, Synonym
from rexian.knowledge.rules import EntryStatus

CANDIDATES = 40  # 40, 60 and 100 find the same answers on both public sets (docs/search.md)
# A match is strong (the knowledge base answers this) when the appeal holds this share of the words of one of
# the best entry's own questions: its title or a way citizens ask it (ranking.question_match).
STRONG_MATCH = 0.8
# The candidate query reads at most this many postings (entries × terms) for the question's rarer terms; the
# commonest terms are only looked for in pairs (both in one entry), which the index answers without ranking
# thousands of entries. A knowledge base of a few thousand entries reads all its question's terms. SQLite's FTS5
# reads 2,000 postings as fast as PostgreSQL reads 400 (PostgreSQL fetches each matched row's vector from the
# table to rank it); at 100,000 entries the larger budget is worth several points of recall (docs/search.md).
POSTING_BUDGETS = {"sqlite": 2000, "postgresql": 400}
PAIRED_TERMS = 3
MAX_CANDIDATE_TERMS = 24
# An appeal's start says what it is about; the rest of a long description only slows the search.
APPEAL_TEXT_LIMIT = 500

Pieces = list[tuple[str, bool]]


@dataclass
class Hit:
    entry: Entry
    score: float
    title: Pieces
    snippet: Pieces
    match: float = 0.0  # ranking.question_match

    @property
    def is_strong(self) -> bool:
        return self.match >= STRONG_MATCH


@dataclass(frozen=True)
class Filters:
    statuses: tuple[str, ...] = (EntryStatus.PUBLISHED.value,)
    unit_id: int | None = None
    category_ids: tuple[int, ...] = ()


def search(text: str, filters: Filters = Filters(), *, limit: int = 10) -> list[Hit]:
    synonyms = expand(text, synonym_groups())
    query = ranking.Query.of(text, synonyms)
    scored = _ranked(query, filters, limit, posting_budget())
    entries = Entry.objects.select_related("unit").in_bulk([r.entry_id for r in scored])
    words = query_terms(text) + synonyms  # 医保 is marked where the entry says 医疗保障
    return [_hit(entries[r.entry_id], r.score, query, words) for r in scored if r.entry_id in entries]


def appeal_text(subject: str, description: str) -> str:
    """What to search for an appeal: its subject and the start of its description."""
    return f"{subject} {description}".strip()[:APPEAL_TEXT_LIMIT]


def _hit(entry: Entry, score: float, query: ranking.Query, words: list[str]) -> Hit:
    match = ranking.question_match(query, [entry.title, *entry.variant_list])
    return Hit(entry, score, highlighted(entry.title, words), snippet(entry.answer, words), match)


def strong_match(text: str) -> Hit | None:
    """The published entry that answers this appeal, when one clearly does (see STRONG_MATCH)."""
    hits = search(text, limit=1)
    return hits[0] if hits and hits[0].is_strong else None


@dataclass(frozen=True)
class Ranked:
    entry_id: int
    score: float


def rank(
    text: str,
    filters: Filters = Filters(),
    *,
    limit: int = 10,
    groups: list[list[str]] | None = None,
    budget: int | None = None,
) -> list[Ranked]:
    """The best entries for a question, best first, with their scores."""
    query = ranking.Query.of(text, expand(text, synonym_groups() if groups is None else groups))
    return _ranked(query, filters, limit, posting_budget() if budget is None else budget)


def posting_budget() -> int:
    return POSTING_BUDGETS.get(connection.vendor, min(POSTING_BUDGETS.values()))


def _ranked(query: ranking.Query, filters: Filters, limit: int, posting_budget: int) -> list[Ranked]:
    if not query.terms:
        return []
    stats = _statistics(query.terms)
    ids = _candidates(_wanted(query.terms, stats, posting_budget), filters)
    if not ids:
        return []
    rows = SearchDoc.objects.filter(pk__in=ids).values_list("pk", "text", *ranking.FIELDS)  # tuples: no models
    docs = {pk: ranking.Candidate(dict(zip(ranking.FIELDS, fields, strict=True)), text) for pk, text, *fields in rows}
    scored = sorted(((ranking.score(query, doc, stats), pk) for pk, doc in docs.items()), key=_best_first)
    return [Ranked(pk, score) for score, pk in scored[:limit] if score > 0]


def _best_first(pair: tuple[float, int]) -> tuple[float, int]:
    return -pair[0], pair[1]


def synonym_groups() -> list[list[str]]:
    return [s.term_list for s in Synonym.objects.filter(is_active=True).only("terms")]


def _statistics(terms: Sequence[str]) -> ranking.Statistics:
    totals = IndexTotals.objects.filter(pk=1).first() or IndexTotals()
    frequencies = dict(IndexedTerm.objects.filter(term__in=list(terms)).values_list("term", "entries"))
    n = max(totals.entries, 1)
    average = {f: max(getattr(totals, f) / n, 1.0) for f in ranking.FIELDS}
    return ranking.Statistics(entries=totals.entries, frequencies=frequencies, average_lengths=average)


@dataclass(frozen=True)
class Wanted:
    """What the candidate query looks for: entries holding any of `rare`, both terms of any of `pairs`, or
    `heading` in their title or ways of asking."""

    rare: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    heading: str = ""


def _wanted(terms: Sequence[str], stats: ranking.Statistics, budget: int) -> Wanted:
    """The question's rarest terms, as many as the posting budget allows, and the pairs of its few rarest terms
    (a pair of common words is rare together: 社保 and 灵活就业 in one entry). A word and a piece of it (二手房,
    手房) make no pair: they are nearly always found together. When even the rarest term is too common and
    there is no pair, it is looked for in titles and ways of asking only."""
    present = sorted((t for t in terms if stats.frequencies.get(t)), key=lambda t: (stats.frequencies[t], t))
    rare: list[str] = []
    postings = 0
    for term in present[:MAX_CANDIDATE_TERMS]:
        postings += stats.frequencies[term]
        if postings > budget:
            break
        rare.append(term)
    leading = present[:PAIRED_TERMS] if len(rare) < len(present) else []
    pairs = tuple((a, b) for a, b in combinations(leading, 2) if a not in b and b not in a)
    heading = present[0] if present and not rare and not pairs else ""
    return Wanted(tuple(rare), pairs, heading)


def _candidates(wanted: Wanted, filters: Filters) -> list[int]:
    if not (wanted.rare or wanted.pairs or wanted.heading):
        return []
    if connection.vendor == "postgresql":
        return _postgresql_candidates(wanted, filters)
    where, params = _filter_sql(filters, "f.rowid")
    sql = (
        f"SELECT f.rowid FROM knowledge_fts f WHERE knowledge_fts MATCH %s {where}"
        " ORDER BY bm25(knowledge_fts, 8.0, 5.0, 1.0, 3.0), f.rowid LIMIT %s"
    )
    expression = _expression(wanted, '"', " OR ", " AND ", '{{title variants}} : "{}"')
    with connection.cursor() as cursor:
        cursor.execute(sql, [expression, *params, CANDIDATES])
        return [row[0] for row in cursor.fetchall()]


def _postgresql_candidates(wanted: Wanted, filters: Filters) -> list[int]:
    """The same on PostgreSQL. Parallel workers are kept out: starting them costs more than ranking the few
    hundred rows the posting budget lets through."""
    column = "heading" if wanted.heading and not (wanted.rare or wanted.pairs) else "document"
    where, params = _filter_sql(filters, "d.entry_id")
    sql = (
        f"SELECT d.entry_id FROM knowledge_searchdoc d, to_tsquery('simple', %s) q WHERE d.{column} @@ q {where}"
        f" ORDER BY ts_rank('{{0.1, 0.4, 0.6, 1.0}}', d.{column}, q) DESC, d.entry_id LIMIT %s"
    )
    expression = _expression(wanted, "'", " | ", " & ", "'{}'")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(sql, [expression, *params, CANDIDATES])
        return [row[0] for row in cursor.fetchall()]


def _expression(wanted: Wanted, quote: str, any_of: str, all_of: str, heading: str) -> str:
    """The full-text query in the database's syntax: rare terms or'ed, pairs and'ed inside. Terms are runs of
    letters, digits and Chinese characters only (analysis._TERM): quoting them needs no escaping."""
    parts = [f"{quote}{t}{quote}" for t in wanted.rare]
    parts += [f"({quote}{a}{quote}{all_of}{quote}{b}{quote})" for a, b in wanted.pairs]
    if wanted.heading:
        parts.append(heading.format(wanted.heading))
    return any_of.join(parts)


def _filter_sql(filters: Filters, entry_id: str) -> tuple[str, list[object]]:
    """The filters as conditions on each matched entry. They are per-row look-ups by primary key (scalar
    subqueries), not a join: a join lets PostgreSQL, which cannot tell how few rows a text query matches, scan
    the whole entry table to hash it."""
    clauses, params = [], []
    entry = f"FROM knowledge_entry e WHERE e.id = {entry_id}"
    statuses = [s for s in filters.statuses if s in Statuses.values]
    if statuses:
        clauses.append(f"(SELECT e.status {entry}) IN ({', '.join(['%s'] * len(statuses))})")
        params += statuses
    if filters.unit_id is not None:
        clauses.append(f"(SELECT e.unit_id {entry}) = %s")
        params.append(filters.unit_id)
    if filters.category_ids:
        marks = ", ".join(["%s"] * len(filters.category_ids))
        clauses.append(
            "EXISTS (SELECT 1 FROM knowledge_entry_categories c"
            f" WHERE c.entry_id = {entry_id} AND c.category_id IN ({marks}))"
        )
        params += list(filters.category_ids)
    return "".join(f" AND {c}" for c in clauses), params
