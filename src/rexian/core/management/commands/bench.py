"""`rexian bench NAME …`: benchmarks that print one JSON line of figures.

`classify` and `hotspots` read CSV files and need no database. `sweep` runs in a scratch database: a
temporary SQLite file, or a temporary database on the PostgreSQL server the settings point at; it is migrated,
filled, measured and dropped, so the real database is never touched. `report` needs a million tickets, which
take minutes to generate: its scratch database is kept for the next run (var/bench/report-N.sqlite3, or the
database rexian_bench_report_N beside the settings' one) and made anew with --fresh. `intake` registers appeals
through the API of a real server on a scratch database (intake/bench.py). `kb` and `kb-scale` measure the
knowledge search in a scratch database (knowledge/bench.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection


class Command(BaseCommand):
    help = (
        "Benchmarks, one JSON line: `rexian bench sweep --tickets 200000` (in a scratch database), "
        "`rexian bench classify --train CSV (--test CSV | --cv K) --text-col C --label-col C`, "
        "`rexian bench hotspots --messages CSV --text-col C [--title-col C] [--time-col C] [--weight-col C]`."
    )
    requires_system_checks: list[str] = []  # a benchmark needs no URL or admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        benches = parser.add_subparsers(dest="bench", required=True)
        sweep = benches.add_parser("sweep", help="the supervision sweep over N open tickets")
        sweep.add_argument("--tickets", type=int, default=200_000)
        sweep.add_argument(
            "--database",
            choices=["sqlite", "postgresql"],
            help="the scratch database's kind (default: the kind the settings use)",
        )
        sweep.add_argument("--in-scratch", action="store_true", help=argparse.SUPPRESS)
        _add_report(benches)
        _add_intake(benches)
        _add_classify(benches)
        _add_hotspots(benches)
        _add_knowledge(benches)

    def handle(self, *args: Any, bench: str, **options: Any) -> None:
        if bench == "classify":
            self._classify(options)
            return
        if bench == "hotspots":
            self._hotspots(options)
            return
        if bench == "intake":
            self._intake(options)
            return
        if bench in ("kb", "kb-scale"):
            self._knowledge(bench, options)
            return
        in_scratch = options["in_scratch"]
        if options["tickets"] < 1:
            raise CommandError("--tickets 应为正整数。")
        if in_scratch:
            self._measure(bench, options["tickets"], options)
            return
        kind = options["database"] or connection.vendor
        command = [sys.executable, "-m", "rexian.cli", "bench", bench, "--tickets", str(options["tickets"])]
        if bench == "report":
            command += ["--runs", str(options["runs"])]
            with _kept_database(kind, options["tickets"], fresh=options["fresh"]) as url:
                self.stdout.write(_in_scratch(command, url))
            return
        with _scratch_database(kind) as url:
            self.stdout.write(_in_scratch(command, url))

    def _classify(self, options: dict[str, Any]) -> None:
        from rexian.routing.bench import classify

        labels = [label.strip() for label in (options["labels"] or "").split(",") if label.strip()] or None
        try:
            figures = classify(
                options["train"],
                options["test"],
                options["text_col"],
                options["label_col"],
                labels,
                options["cv"],
                title_col=options["title_col"],
                top_labels=options["top_labels"],
                group_col=options["group_col"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(figures, ensure_ascii=False))

    def _hotspots(self, options: dict[str, Any]) -> None:
        from rexian.analytics.bench import hotspots_from_csv

        try:
            rows = hotspots_from_csv(
                options["messages"],
                text_col=options["text_col"],
                title_col=options["title_col"],
                time_col=options["time_col"],
                weight_col=options["weight_col"],
                top=options["top"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        for row in rows:
            self.stdout.write(json.dumps(row, ensure_ascii=False))

    def _intake(self, options: dict[str, Any]) -> None:
        from rexian.intake import bench as intake_bench

        if options["in_scratch"] or options["url"]:
            try:
                figures = intake_bench.run(options)
            except ValueError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        with _scratch_database(options["database"] or connection.vendor) as url:
            self.stdout.write(_in_scratch(intake_bench.scratch_command(options), url))

    def _knowledge(self, bench: str, options: dict[str, Any]) -> None:
        from rexian.knowledge import bench as kb_bench

        if not options["in_scratch"]:
            command = [sys.executable, "-m", "rexian.cli", "bench", bench, *_knowledge_arguments(bench, options)]
            with _scratch_database(options["database"] or connection.vendor) as url:
                self.stdout.write(_in_scratch(command, url))
            return
        call_command("migrate", verbosity=0, interactive=False)
        try:
            if bench == "kb":
                figures = kb_bench.quality(options)
            else:
                figures = kb_bench.scale(options["entries"], options["queries"], options["seed"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        figures["database"] = connection.vendor
        self.stdout.write(json.dumps(figures, ensure_ascii=False))

    def _measure(self, bench: str, tickets: int, options: dict[str, Any]) -> None:
        from rexian.analytics import bench_report
        from rexian.supervision import bench as bench_sweep

        # Notifications are queued for the worker (REXIAN_TASKS=database), as in production.
        call_command("migrate", verbosity=0, interactive=False)
        try:
            figures = bench_report.run(tickets, options["runs"]) if bench == "report" else bench_sweep.run(tickets)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(figures, ensure_ascii=False))


def _in_scratch(command: list[str], url: str) -> str:
    """Run the benchmark in a child process on the scratch database; its last line (the JSON figures)."""
    env = {**os.environ, "DATABASE_URL": url, "REXIAN_TASKS": "database"}
    done = subprocess.run([*command, "--in-scratch"], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CommandError(f"基准测试失败：\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


def _add_report(benches: Any) -> None:
    report = benches.add_parser("report", help="the monthly report and the statistics pages over N tickets")
    report.add_argument("--tickets", type=int, default=1_000_000)
    report.add_argument("--database", choices=["sqlite", "postgresql"], help="the kept database's kind")
    report.add_argument("--runs", type=int, default=3, help="runs of each timing; the median is printed")
    report.add_argument("--fresh", action="store_true", help="generate the tickets anew even when kept")
    report.add_argument("--in-scratch", action="store_true", help=argparse.SUPPRESS)


def _add_intake(benches: Any) -> None:
    intake = benches.add_parser("intake", help="appeals registered through the API by concurrent clients")
    intake.add_argument("--clients", type=int, default=32)
    intake.add_argument("--seconds", type=float, default=30.0)
    intake.add_argument("--history", type=int, default=5000, help="generated tickets in the scratch database")
    intake.add_argument("--threads", type=int, default=16, help="the started server's threads per worker")
    intake.add_argument("--workers", type=int, default=1, help="the started server's processes (rexian serve)")
    intake.add_argument("--database", choices=["sqlite", "postgresql"], help="the scratch database's kind")
    intake.add_argument("--url", help="a running server instead of one started on a scratch database")
    intake.add_argument("--username", help="with --url: a user who may register appeals")
    intake.add_argument("--password")
    intake.add_argument("--in-scratch", action="store_true", help=argparse.SUPPRESS)


def _add_knowledge(benches: Any) -> None:
    kb = benches.add_parser("kb", help="knowledge search quality and speed on a CSV of documents and one of queries")
    kb.add_argument("--docs", type=Path, required=True, help="CSV file of documents (UTF-8)")
    kb.add_argument("--id-col", required=True)
    kb.add_argument("--text-col", required=True)
    kb.add_argument("--title-col", help="a title column, indexed as the entries' title")
    kb.add_argument("--queries", type=Path, required=True, help="CSV file of questions (UTF-8)")
    kb.add_argument("--query-col", required=True)
    kb.add_argument("--gold-col", required=True, help="the id of the document that answers each question")
    kb.add_argument(
        "--learn", type=float, help="take this share of the questions as agents' picks; measure on the others"
    )
    scale = benches.add_parser("kb-scale", help="knowledge search speed over N generated entries")
    scale.add_argument("--entries", type=int, default=100_000)
    scale.add_argument("--queries", type=int, default=1000)
    scale.add_argument("--seed", type=int, default=12345)
    for parser in (kb, scale):
        parser.add_argument("--database", choices=["sqlite", "postgresql"], help="the scratch database's kind")
        parser.add_argument("--in-scratch", action="store_true", help=argparse.SUPPRESS)


KNOWLEDGE_ARGUMENTS = {
    "kb": ("docs", "id_col", "text_col", "title_col", "queries", "query_col", "gold_col", "learn"),
    "kb-scale": ("entries", "queries", "seed"),
}


def _knowledge_arguments(bench: str, options: dict[str, Any]) -> list[str]:
    """The options again, for the child process on the scratch database (paths made absolute)."""
    arguments = []
    for name in KNOWLEDGE_ARGUMENTS[bench]:
        value = options[name]
        if value is not None:
            arguments += [f"--{name.replace('_', '-')}", str(value.resolve() if isinstance(value, Path) else value)]
    return arguments


def _add_classify(benches: Any) -> None:
    classify = benches.add_parser("classify", help="the text classifier on labelled CSV files (no database)")
    classify.add_argument("--train", type=Path, required=True, help="CSV file to train on (UTF-8)")
    classify.add_argument("--test", type=Path, help="CSV file to measure on; without it, --cv")
    classify.add_argument("--cv", type=int, help="stratified K-fold cross-validation on --train instead")
    classify.add_argument("--text-col", required=True)
    classify.add_argument("--label-col", required=True)
    classify.add_argument("--title-col", help="a title column put before the text")
    classify.add_argument("--labels", help="keep only these labels, comma-separated")
    classify.add_argument("--top-labels", type=int, help="keep only the N most frequent labels of --train")
    classify.add_argument(
        "--group-col", help="each label's group (e.g. its level-1 category): two stages beyond 30 labels"
    )


def _add_hotspots(benches: Any) -> None:
    hotspots = benches.add_parser("hotspots", help="the top hotspots of a CSV file of messages, as JSON lines")
    hotspots.add_argument("--messages", type=Path, required=True, help="CSV file of messages (UTF-8)")
    hotspots.add_argument("--text-col", required=True)
    hotspots.add_argument("--title-col", help="a title column put before the text")
    hotspots.add_argument("--time-col", help="when each message was written")
    hotspots.add_argument("--weight-col", help="citizens' weight of a message, e.g. 点赞数")
    hotspots.add_argument("--top", type=int, default=5)


@contextmanager
def _scratch_database(kind: str) -> Iterator[str]:
    """A throw-away database URL of the given kind, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="rexian-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        return
    name = f"rexian_bench_{os.getpid()}"
    _postgresql_database(name, fresh=True)
    try:
        yield _postgresql_url(name)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


@contextmanager
def _kept_database(kind: str, tickets: int, *, fresh: bool) -> Iterator[str]:
    """A scratch database kept between runs. A marker file says it was filled completely; without it (a run
    cut short while generating) or with --fresh, it is made anew. The marker is written after a good run."""
    folder = settings.VAR_DIR / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / f"report-{kind}-{tickets}.ready"
    fresh = fresh or not marker.exists()
    marker.unlink(missing_ok=True)
    if kind == "sqlite":
        path = folder / f"report-{tickets}.sqlite3"
        if fresh:
            for stale in folder.glob(f"{path.name}*"):  # the file and its -wal and -shm companions
                stale.unlink()
        yield f"sqlite:///{path}"
    else:
        name = f"rexian_bench_report_{tickets}"
        _postgresql_database(name, fresh=fresh)
        yield _postgresql_url(name)
    marker.touch()


def _postgresql_database(name: str, *, fresh: bool) -> None:
    if connection.vendor != "postgresql":
        raise CommandError("--database postgresql 需要把 DATABASE_URL 指向一个 PostgreSQL 服务器。")
    with connection.cursor() as cursor:
        if fresh:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')


def _postgresql_url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"
