"""The search index: an entry's terms per field (SearchDoc), and the statistics a search weighs words by (how
many entries hold each term, the index's size and field lengths). Written in the same transaction as the entry,
so a search never sees an entry without its terms or terms without their entry.

The database's full-text index over SearchDoc (FTS5 on SQLite, tsvector + GIN on PostgreSQL) is kept by the
database itself: triggers on SQLite, a generated column on PostgreSQL (migration 0002).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import F, prefetch_related_objects
from django.db.models.functions import Greatest

from rexian.knowledge.analysis import index_terms, normalise
from rexian.knowledge.models import Entry, IndexedTerm, IndexTotals, SearchDoc
from rexian.knowledge.ranking import FIELDS  # the fields of SearchDoc and IndexTotals that ranking weighs

BATCH = 500

Terms = dict[str, list[str]]
T = TypeVar("T")


def terms_of(entry: Entry, category_names: Sequence[str] = (), asked: Sequence[str] = ()) -> Terms:
    """The index terms of each field. The plain-language answer is indexed with the answer (it uses the
    callers' own words), and the category names with the tags. The questions agents answered with the entry
    (AskedQuestion) are a field of their own: ranked (knowledge.ranking), not in the full-text index."""
    return {
        "title": index_terms(entry.title),
        "variants": index_terms(entry.variants),
        "answer": index_terms(f"{entry.answer}\n{entry.plain_answer}"),
        "tags": index_terms(" ".join([*entry.tag_list, *category_names])),
        "asked": index_terms("\n".join(asked)),
    }


def normalised_text(entry: Entry) -> str:
    return normalise(f"{entry.title}\n{entry.variants}\n{entry.answer}\n{entry.plain_answer}".strip())


def _category_names(entry: Entry) -> list[str]:
    return [c.name for c in entry.categories.all()]


def _asked(entry: Entry) -> list[str]:
    return [q.question for q in entry.asked_questions.all()]


def index_entry(entry: Entry) -> None:
    """(Re)index one entry after it was saved (its categories set)."""
    index_entries([entry])


def index_entries(entries: Iterable[Entry]) -> int:
    """(Re)index entries in batches: their SearchDoc rows and the term statistics, old terms taken away."""
    count = 0
    batch: list[Entry] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) >= BATCH:
            count += _index_batch(batch)
            batch = []
    if batch:
        count += _index_batch(batch)
    return count


def _index_batch(entries: Sequence[Entry]) -> int:
    prefetch_related_objects([e for e in entries if e.pk], "categories", "asked_questions")  # not per entry
    with transaction.atomic():
        old = {d.pk: _doc_terms(d) for d in SearchDoc.objects.filter(pk__in=[e.pk for e in entries])}
        new = {e.pk: terms_of(e, _category_names(e), _asked(e)) for e in entries}
        docs = [
            SearchDoc(entry_id=e.pk, text=normalised_text(e), **{f: " ".join(new[e.pk][f]) for f in FIELDS})
            for e in entries
        ]
        SearchDoc.objects.filter(pk__in=list(old)).delete()
        SearchDoc.objects.bulk_create(docs)
        _count(list(new.values()), list(old.values()))
    return len(entries)


def _doc_terms(doc: SearchDoc) -> Terms:
    return {f: getattr(doc, f).split() for f in FIELDS}


def _count(added: Sequence[Terms], removed: Sequence[Terms]) -> None:
    """Change the statistics by the documents added and removed, as one net change per term."""
    per_term: Counter[str] = Counter()
    lengths: Counter[str] = Counter()
    for terms, sign in [(t, 1) for t in added] + [(t, -1) for t in removed]:
        for term in {t for field in FIELDS for t in terms[field]}:
            per_term[term] += sign
        for field in FIELDS:
            lengths[field] += sign * len(terms[field])
    _adjust_terms(per_term)
    _adjust_totals(len(added) - len(removed), lengths)


def _adjust_terms(delta: Mapping[str, int]) -> None:
    """Add each term's change to its count: new and growing terms in one upsert per chunk, shrinking ones in one
    update per chunk and size of change. Both are atomic on both databases, so two editors saving at once both
    count; terms go in sorted order, so that two writers never wait on each other in a circle."""
    growing = sorted((t, n) for t, n in delta.items() if n > 0)
    shrinking: dict[int, list[str]] = {}
    for term, n in sorted(delta.items()):
        if n < 0:
            shrinking.setdefault(-n, []).append(term)
    table = IndexedTerm._meta.db_table
    with connection.cursor() as cursor:
        for chunk in _chunks(growing):
            cursor.execute(
                f"INSERT INTO {table} (term, entries) VALUES {', '.join(['(%s, %s)'] * len(chunk))}"
                f" ON CONFLICT (term) DO UPDATE SET entries = {table}.entries + excluded.entries",
                [value for row in chunk for value in row],
            )
    for less, terms in shrinking.items():
        for chunk in _chunks(terms):
            IndexedTerm.objects.filter(term__in=chunk).update(entries=Greatest(F("entries") - less, 0))
            IndexedTerm.objects.filter(term__in=chunk, entries=0).delete()


def _chunks(items: Sequence[T]) -> list[Sequence[T]]:
    return [items[start : start + BATCH] for start in range(0, len(items), BATCH)]


def _adjust_totals(entries: int, lengths: Mapping[str, int]) -> None:
    IndexTotals.objects.get_or_create(pk=1)
    changes = {field: F(field) + lengths.get(field, 0) for field in FIELDS}
    IndexTotals.objects.filter(pk=1).update(entries=F("entries") + entries, **changes)


def rebuild() -> int:
    """Index every entry afresh (after an upgrade of the analysis, or a restore)."""
    with transaction.atomic():
        SearchDoc.objects.all().delete()
        IndexedTerm.objects.all().delete()
        IndexTotals.objects.all().delete()
        entries = Entry.objects.prefetch_related("categories").order_by("pk")
        return index_entries(entries.iterator(chunk_size=BATCH))
