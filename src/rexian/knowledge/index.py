"""The search index: an entry's terms per field (SearchDoc), and the statistics a search weighs words by (how
many entries hold each term, the index's size and field lengths). Written in the same transaction as the entry,
so a search never sees an entry without its terms or terms without their entry.

The database's full-text index over SearchDoc (FTS5 on SQLite, tsvector + GIN on PostgreSQL) is kept by the
database itself: triggers on SQLite, a generated column on PostgreSQL (migration 0002).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction
from django.db.models import prefetch_related_objects

from rexian.knowledge.analysis import index_terms
from rexian.knowledge.models import Entry, IndexedTerm, IndexTotals, SearchDoc

FIELDS = ("title", "variants", "answer", "tags")
BATCH = 500

Terms = dict[str, list[str]]


def terms_of(entry: Entry, category_names: Sequence[str] = ()) -> Terms:
    """The index terms of each field. The plain-language answer is indexed with the answer (it uses the
    callers' own words), and the category names with the tags."""
    return {
        "title": index_terms(entry.title),
        "variants": index_terms(entry.variants),
        "answer": index_terms(f"{entry.answer}\n{entry.plain_answer}"),
        "tags": index_terms(" ".join([*entry.tag_list, *category_names])),
    }


def _category_names(entry: Entry) -> list[str]:
    return [c.name for c in entry.categories.all()]


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
    prefetch_related_objects([e for e in entries if e.pk], "categories")  # one query, not one per entry
    with transaction.atomic():
        old = {d.pk: _doc_terms(d) for d in SearchDoc.objects.filter(pk__in=[e.pk for e in entries])}
        new = {e.pk: terms_of(e, _category_names(e)) for e in entries}
        docs = [SearchDoc(entry_id=pk, **{f: " ".join(t[f]) for f in FIELDS}) for pk, t in new.items()]
        SearchDoc.objects.filter(pk__in=list(old)).delete()
        SearchDoc.objects.bulk_create(docs)
        _count([*old.values()], -1)
        _count([*new.values()], +1)
    return len(entries)


def forget_entry(entry_id: int) -> None:
    with transaction.atomic():
        doc = SearchDoc.objects.filter(pk=entry_id).first()
        if doc is not None:
            _count([_doc_terms(doc)], -1)
            doc.delete()


def _doc_terms(doc: SearchDoc) -> Terms:
    return {f: getattr(doc, f).split() for f in FIELDS}


def _count(documents: Sequence[Terms], sign: int) -> None:
    """Add (or take away) these documents to the statistics, under row locks taken in one order (no deadlock
    between two editors)."""
    if not documents:
        return
    per_term: Counter[str] = Counter()
    lengths: Counter[str] = Counter()
    for terms in documents:
        per_term.update({t for field in FIELDS for t in terms[field]})
        lengths.update({f: len(terms[f]) for f in FIELDS})
    _adjust_terms({t: n * sign for t, n in per_term.items()})
    _adjust_totals(len(documents) * sign, {f: n * sign for f, n in lengths.items()})


def _adjust_terms(delta: Mapping[str, int]) -> None:
    keys = sorted(delta)
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        IndexedTerm.objects.bulk_create([IndexedTerm(term=t, entries=0) for t in chunk], ignore_conflicts=True)
        rows = list(IndexedTerm.objects.select_for_update().filter(term__in=chunk).order_by("term"))
        for row in rows:
            row.entries = max(0, row.entries + delta[row.term])
        IndexedTerm.objects.bulk_update(rows, ["entries"])
    IndexedTerm.objects.filter(term__in=[t for t, n in delta.items() if n < 0], entries=0).delete()


def _adjust_totals(entries: int, lengths: Mapping[str, int]) -> None:
    IndexTotals.objects.get_or_create(pk=1)
    totals = IndexTotals.objects.select_for_update().get(pk=1)
    totals.entries = max(0, totals.entries + entries)
    for field in FIELDS:
        setattr(totals, field, max(0, getattr(totals, field) + lengths.get(field, 0)))
    totals.save()


def rebuild() -> int:
    """Index every entry afresh (after an upgrade of the analysis, or a restore)."""
    with transaction.atomic():
        SearchDoc.objects.all().delete()
        IndexedTerm.objects.all().delete()
        IndexTotals.objects.all().delete()
        entries = Entry.objects.prefetch_related("categories").order_by("pk")
        return index_entries(entries.iterator(chunk_size=BATCH))
