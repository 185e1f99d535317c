"""`rexian bench kb` and `rexian bench kb-scale`: the knowledge search measured in a scratch database, through the
same index and ranking agents use (knowledge.search.rank), on SQLite or PostgreSQL.

`kb` indexes the documents of a CSV file as published entries and asks every query of another CSV file, whose
gold column names the document that answers it: recall@1, recall@5, MRR and the time per query. `kb-scale`
generates N entries from the demo city's knowledge (its words recombined, at the lengths real entries have),
then times queries written the way callers ask (the demo entries' variants).
"""

from __future__ import annotations

import csv
import random
import statistics
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from rexian.core import clock
from rexian.directory.models import Unit, UnitKind
from rexian.knowledge import index
from rexian.knowledge.actions import learn_question
from rexian.knowledge.analysis import words
from rexian.knowledge.models import Entry
from rexian.knowledge.rules import EntryStatus
from rexian.knowledge.search import rank, synonym_groups

BATCH = 2000
AGREEMENT_SAMPLE = 200
LEARNING_SEED = 7


def read_rows(path: Path, columns: Sequence[str | None]) -> list[dict[str, str]]:
    """The rows of a CSV file (UTF-8, with or without BOM), checked to hold the named columns."""
    if not path.is_file():
        raise ValueError(f"找不到文件：{path}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        present = reader.fieldnames or []
        for column in columns:
            if column is not None and column not in present:
                raise ValueError(f"{path.name} 中没有“{column}”列（现有列：{'、'.join(present)}）。")
        return list(reader)


def quality(options: dict[str, Any]) -> dict[str, Any]:
    docs = read_rows(options["docs"], [options["id_col"], options["text_col"], options["title_col"]])
    queries = read_rows(options["queries"], [options["query_col"], options["gold_col"]])
    started = time.perf_counter()
    ids = _index_documents(
        (row[options["id_col"]], (row.get(options["title_col"] or "") or "").strip(), row[options["text_col"]])
        for row in docs
    )
    built = time.perf_counter() - started
    asked = [
        (row[options["query_col"]], ids[row[options["gold_col"]].strip()])
        for row in queries
        if row[options["gold_col"]].strip() in ids
    ]
    if not asked:
        raise ValueError("没有一条查询的标准答案出现在文档中：请检查 --gold-col 与 --id-col。")
    head = {"documents": len(ids), "index_seconds": round(built, 1)}
    share = options.get("learn")
    if not share:
        return {**_asked_figures(asked), **head}
    if not 0 < share < 1:
        raise ValueError("--learn 应在 0 与 1 之间（作为坐席采用记录的问题比例）。")
    return {**_learning_figures(asked, share), **head}


def _asked_figures(asked: Sequence[tuple[str, int]]) -> dict[str, Any]:
    groups = synonym_groups()
    ranks, times = [], []
    for text, gold in asked:
        began = time.perf_counter()
        found = [r.entry_id for r in rank(text, limit=10, groups=groups)]
        times.append((time.perf_counter() - began) * 1000)
        ranks.append(found.index(gold) + 1 if gold in found else None)
    return _figures(ranks, times)


def _learning_figures(asked: Sequence[tuple[str, int]], share: float) -> dict[str, Any]:
    """Learning from agents' picks, measured: a random `share` of the questions are taken as appeals an agent
    answered with their gold entry (knowledge.actions.learn_question); the others are asked before and after."""
    shuffled = list(asked)
    random.Random(LEARNING_SEED).shuffle(shuffled)
    cut = round(len(shuffled) * share)
    picked, held_out = shuffled[:cut], shuffled[cut:]
    if not held_out:
        raise ValueError("--learn 太大：没有留作测试的问题。")
    before = _asked_figures(held_out)
    for text, gold in picked:
        learn_question(entry_id=gold, question=text)
    return {**_asked_figures(held_out), "learned": len(picked), "without_learning": before}


def scale(entries: int, queries: int, seed: int) -> dict[str, Any]:
    """N generated entries, then `queries` timed searches in the words callers use. Each generated entry is a
    variation of one demo entry, and each question one of a demo entry's ways of asking: the answer is right when
    it is a variation of that entry (recall_at_1), with the posting budget and, on a sample, without it."""
    from rexian.demo.knowledgespec import entries as demo_entries

    rng = random.Random(seed)
    specs = demo_entries()
    vocabulary = [w for spec in specs for w in words(f"{spec.title} {spec.answer}") if len(w) >= 2]
    started = time.perf_counter()
    ids = _index_documents(_generated(specs, vocabulary, entries, rng))
    built = time.perf_counter() - started
    source = {entry_id: int(key[1:]) % len(specs) for key, entry_id in ids.items()}
    asked = [(n, rng.choice(specs[n].variants)) for n in (rng.randrange(len(specs)) for _ in range(queries))]
    asked = [(n, text) for n, text in asked if text]
    groups = synonym_groups()
    times, right = [], []
    for n, text in asked:
        began = time.perf_counter()
        found = rank(text, limit=10, groups=groups)
        times.append((time.perf_counter() - began) * 1000)
        right.append(bool(found) and source.get(found[0].entry_id) == n)
    sample = asked[:AGREEMENT_SAMPLE]
    exhaustive = [
        bool(found) and source.get(found[0].entry_id) == n
        for n, text in sample
        for found in [rank(text, limit=1, groups=groups, budget=10**9)]
    ]
    return {
        "entries": entries,
        "queries": len(times),
        "recall_at_1": round(sum(right) / len(right), 3),
        "recall_at_1_sample": round(sum(right[: len(sample)]) / len(sample), 3),
        "recall_at_1_sample_exhaustive": round(sum(exhaustive) / len(sample), 3),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(_percentile(times, 0.95), 2),
        "max_ms": round(max(times), 2),
        "index_seconds": round(built, 1),
    }


def _generated(specs: list[Any], vocabulary: list[str], n: int, rng: random.Random) -> Iterable[tuple[str, ...]]:
    """Entries like real ones: a demo entry's title and answer with words swapped for others of the base, so
    that the index holds N distinct entries with the vocabulary and lengths of a centre's knowledge."""
    for number in range(n):
        spec = specs[number % len(specs)]
        title = _mutated(words(spec.title), vocabulary, rng, share=0.5)
        answer = _mutated(words(spec.answer), vocabulary, rng, share=0.3)
        yield f"G{number}", title, answer


def _mutated(tokens: list[str], vocabulary: list[str], rng: random.Random, share: float) -> str:
    return "".join(rng.choice(vocabulary) if rng.random() < share else t for t in tokens)


def _index_documents(documents: Iterable[tuple[str, str, str]]) -> dict[str, int]:
    """Each (id, title, text) as a published entry of a bench unit: its id → the entry's id."""
    unit, _ = Unit.objects.get_or_create(code="bench", defaults={"name": "基准测试单位", "kind": UnitKind.DEPARTMENT})
    now = clock.now()
    ids: dict[str, int] = {}
    batch: list[tuple[str, Entry]] = []
    for key, title, text in documents:
        entry = Entry(title=title.strip()[:200], answer=text, unit=unit,  # no title: none made up
                      status=EntryStatus.PUBLISHED, created_at=now, updated_at=now, published_at=now)  # fmt: skip
        batch.append((key, entry))
        if len(batch) >= BATCH:
            ids.update(_save(batch))
            batch = []
    if batch:
        ids.update(_save(batch))
    _settle()
    return ids


def _settle() -> None:
    """What the database does by itself soon after a bulk load (autovacuum, or SQLite's optimize), done now so
    that the timings are of the database as it will run: PostgreSQL plans a text query from fresh statistics
    and reads no rows the load left dead."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE knowledge_searchdoc, knowledge_indexedterm, knowledge_entry")
        else:
            cursor.execute("ANALYZE")


def _save(batch: list[tuple[str, Entry]]) -> dict[str, int]:
    with transaction.atomic():
        saved = Entry.objects.bulk_create([entry for _, entry in batch])  # both databases return the ids
        index.index_entries(saved)
    return {key: entry.pk for (key, _), entry in zip(batch, saved, strict=True)}


def _figures(ranks: list[int | None], times: list[float]) -> dict[str, Any]:
    n = len(ranks)
    return {
        "recall_at_1": round(sum(1 for r in ranks if r == 1) / n, 4),
        "recall_at_5": round(sum(1 for r in ranks if r is not None and r <= 5) / n, 4),
        "mrr": round(sum(1 / r for r in ranks if r is not None) / n, 4),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(_percentile(times, 0.95), 2),
        "n": n,
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
