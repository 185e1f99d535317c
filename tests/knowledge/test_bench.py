"""The knowledge benchmarks run end to end in their own scratch database (SQLite here) and leave the test
database alone; their figures are right on files whose answers are known."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rexian.knowledge.models import Entry

DOCS = [
    ("d1", "失业保险金申领需携带身份证到人社窗口办理，满足缴费满一年等条件。"),
    ("d2", "住房公积金提取可在网上办理，购房、租房均可申请提取。"),
    ("d3", "占道经营由城管部门负责查处，可拨打热线反映具体位置。"),
]
QUERIES = [("失业金怎么领", "d1"), ("公积金租房能提取吗", "d2"), ("门口有人占道经营", "d3"), ("不相干的问题", "d9")]


def write(path: Path, header: tuple[str, str], rows: list[tuple[str, str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.mark.django_db
def test_bench_kb_measures_recall_on_known_answers(tmp_path: Path) -> None:
    docs = write(tmp_path / "docs.csv", ("id", "text"), DOCS)
    queries = write(tmp_path / "queries.csv", ("question", "gold"), QUERIES)
    out = StringIO()
    arguments = ["--docs", str(docs), "--id-col", "id", "--text-col", "text", "--queries", str(queries),
                 "--query-col", "question", "--gold-col", "gold", "--database", "sqlite"]  # fmt: skip
    call_command("bench", "kb", *arguments, stdout=out)
    figures = json.loads(out.getvalue())
    assert (figures["n"], figures["documents"], figures["database"]) == (3, 3, "sqlite")  # d9 is in no document
    assert figures["recall_at_1"] == figures["recall_at_5"] == figures["mrr"] == 1.0
    assert figures["p95_ms"] >= figures["p50_ms"] > 0
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_bench_kb_names_a_missing_column(tmp_path: Path) -> None:
    docs = write(tmp_path / "docs.csv", ("id", "text"), DOCS)
    with pytest.raises(CommandError, match="没有“正文”列"):
        call_command("bench", "kb", "--docs", str(docs), "--id-col", "id", "--text-col", "正文", "--queries",
                     str(docs), "--query-col", "text", "--gold-col", "id", "--database", "sqlite")  # fmt: skip


@pytest.mark.django_db
def test_bench_kb_scale_times_generated_entries() -> None:
    out = StringIO()
    call_command("bench", "kb-scale", "--entries", "700", "--queries", "40", "--database", "sqlite", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["entries"] == 700 and figures["queries"] == 40
    assert figures["recall_at_1"] > 0.3  # the variations of the entry a question was asked of come first
    assert figures["max_ms"] >= figures["p95_ms"] >= figures["p50_ms"] > 0
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_bench_kb_measures_learning_from_picks_on_held_out_questions(tmp_path: Path) -> None:
    docs = write(tmp_path / "docs.csv", ("id", "text"), [
        ("e1", "城乡居民医疗保险参保登记：未参加职工医保的城乡居民，可持身份证到街道社保所办理参保登记，按年缴费。"),
        ("e2", "异地就医备案办理：参保人员到外地就医，应先通过国家医保服务平台办理备案，再到定点医院持卡结算。"),
    ])  # fmt: skip
    asked = "老家的医保卡在这边看病能用吗"  # one caller's words, picked once and asked again
    queries = write(tmp_path / "queries.csv", ("question", "gold"), [(asked, "e2"), (asked, "e2")])
    out = StringIO()
    arguments = ["--docs", str(docs), "--id-col", "id", "--text-col", "text", "--queries", str(queries),
                 "--query-col", "question", "--gold-col", "gold", "--database", "sqlite"]  # fmt: skip
    call_command("bench", "kb", *arguments, "--learn", "0.5", stdout=out)
    figures = json.loads(out.getvalue())
    assert (figures["learned"], figures["n"]) == (1, 1)
    assert (figures["without_learning"]["recall_at_1"], figures["recall_at_1"]) == (0.0, 1.0)
    with pytest.raises(CommandError, match="--learn 应在 0 与 1 之间"):
        call_command("bench", "kb", *arguments, "--learn", "1.5")
