"""`rexian bench intake --clients 32 --seconds 30`: appeals registered through the API by concurrent clients, against
a real `rexian serve` (core/liveserver.py), beside the raw insert rate of the same database in the same run.

In the scratch database (core/management/commands/bench.py makes and drops it) the demo city is loaded, a history
of `history` tickets generated (the duplicate check compares with its open ones, and the bench's own appeals join
them as it runs), and the routing models the suggestion reads trained and activated on it. Each client then
registers appeals as the intake workbench does: its panels (classification and dispatch suggestion, duplicate
check) in one request, then the ticket (loadclient.py): one appeal is two requests, timed together. The raw rate
is plain single-row INSERT + COMMIT of ticket-sized rows into a scratch table of the same database from as many
clients, for as long.

With --url the clients go to a server already running (no raw rate: its database is not ours to write in), and
the appeals are composed from this installation's database, which should be the server's.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from rexian.core.liveserver import ServerProcess, database_url
from rexian.demo import cityspec, load, texts
from rexian.demo.generate import generate
from rexian.directory.models import Unit, UnitKind, User
from rexian.intake.loadclient import STEPS
from rexian.routing import actions as routing_actions
from rexian.routing.models import ModelStatus, Task
from rexian.supervision.periodic import every_minute
from rexian.tickets.models import Ticket

APPEALS = 2000  # distinct appeals the clients take turns with
PHONES = 1500  # callers among them: some call twice, as callers do
CLIENT_PROCESSES = 4  # at most; the threads are shared out among them
START_DELAY = 0.2  # seconds from "go" to the start: every client process has read it by then
CATCH_UP_ROUNDS = 20  # of the worker's periodic work: each rolls up about a month of figures
MIN_HISTORY = 100  # fewer tickets train no useful model: the suggestion then has only the catalogue
USERNAME = "intake1"  # the demo city's 受理员
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"


def scratch_command(options: dict[str, Any]) -> list[str]:
    """The child process that measures inside the scratch database."""
    return [
        sys.executable, "-m", "rexian.cli", "bench", "intake",
        "--clients", str(options["clients"]), "--seconds", str(options["seconds"]),
        "--history", str(options["history"]), "--threads", str(options["threads"]),
        "--workers", str(options["workers"]),
    ]  # fmt: skip


def run(options: dict[str, Any]) -> dict[str, Any]:
    """Measure; the figures as one dict. In the scratch database, or against --url."""
    clients, seconds = options["clients"], options["seconds"]
    if clients < 1 or seconds <= 0:
        raise ValueError("--clients 与 --seconds 应为正数。")
    if options.get("url"):
        return _against(options["url"], options["username"], options["password"], clients, seconds)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    models = _prepare(options["history"])
    figures: dict[str, Any] = {"models": models, "setup_s": round(time.perf_counter() - started, 1)}
    with tempfile.TemporaryDirectory(prefix="rexian-bench-intake-") as folder:
        log = Path(folder) / "serve.log"
        # As deployed (docs/operations.md): notifications and machine dispatch queued in the database and run by
        # a worker beside the server, on the same cores; what it has not caught up with is reported. DEBUG off, as
        # in production: with it on, Django keeps every query's text in memory.
        env = {"REXIAN_TASKS": "database", "REXIAN_DEBUG": "0"}
        server = ServerProcess(env=env, threads=options["threads"], workers=options["workers"], log=log)
        server.start()
        worker = _start_worker(env, log)
        try:
            token = _token(server.url, USERNAME, settings.REXIAN["DEMO_PASSWORD"])
            figures |= _appeal_figures(server.url, token, clients, seconds)
            figures["tasks_behind"] = DBTaskResult.objects.filter(status="READY").count()
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            server.stop()
    figures |= _raw_figures(clients, seconds)
    head = _head(clients, seconds, options["history"], options["workers"], options["threads"])
    return {**head, **figures}


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "rexian.cli", "worker"], env={**os.environ, **env}, stdout=out, stderr=out
        )


def _against(url: str, username: str, password: str, clients: int, seconds: float) -> dict[str, Any]:
    if not username or not password:
        raise ValueError("--url 需要同时给出 --username 和 --password。")
    figures = _appeal_figures(url.rstrip("/"), _token(url.rstrip("/"), username, password), clients, seconds)
    figures["tickets_created"] = None  # the server's database may not be ours to count in
    return {**_head(clients, seconds), "url": url, **figures, "raw_inserts_per_s": None}


def _head(
    clients: int, seconds: float, history: int | None = None, workers: int | None = None, threads: int | None = None
) -> dict[str, Any]:
    return {
        "clients": clients,
        "seconds": seconds,
        "database": connection.vendor,
        "history": history,
        "server_workers": workers,
        "server_threads": threads,
        "requests_per_appeal": len(STEPS),
    }


# ---- the city ---------------------------------------------------------------------------------------------------


def _prepare(history: int) -> int:
    """The demo city with its users, `history` generated tickets, and the routing models trained on them; how many
    models are active (0: the suggestion has only the dispatch catalogue)."""
    load.load(tickets=0, log=lambda line: None)  # no history yet, so it trains no model
    if history < MIN_HISTORY:
        return 0
    generate(history, months=3)
    _as_on_a_running_centre()
    admin = User.objects.get(username="admin")
    active = 0
    for task in (Task.CATEGORY, Task.APPEAL_TYPE, Task.UNIT):  # what the suggestion reads (not the scope model)
        model = routing_actions.start_training(actor=admin, task=task, background=False)
        if model.status == ModelStatus.READY:
            routing_actions.activate(actor=admin, model_id=model.pk)
            active += 1
    return active


def _as_on_a_running_centre() -> None:
    """What a running centre has done before the window opens: its worker has rolled up the history's figures,
    swept its clocks and refreshed its hotspots (otherwise the bench's worker spends the window catching up on three
    generated months), and PostgreSQL's autovacuum has gathered the planner's statistics."""
    for _ in range(CATCH_UP_ROUNDS):
        done = every_minute()
        if not (done["days_rolled_up"] or done["notices_caught_up"]):
            break
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def compose_appeals(count: int, seed: int = 8) -> list[dict[str, Any]]:
    """Appeals as an agent types them (POST /tickets bodies), at the city's streets, of the demo's categories."""
    rng = random.Random(seed)
    streets = list(Unit.objects.filter(kind=UnitKind.STREET, is_active=True).select_related("parent"))
    if not streets:
        raise ValueError("数据库中没有街道：请先加载演示城市（rexian demo）。")
    leaves = [c.code for c in cityspec.leaf_categories()]
    phones = [f"1{rng.choice('3578')}{rng.randrange(10**9):09d}" for _ in range(PHONES)]
    return [_appeal(rng, rng.choice(leaves), rng.choice(streets), rng.choice(phones)) for _ in range(count)]


def _appeal(rng: random.Random, category: str, street: Unit, phone: str) -> dict[str, Any]:
    district = street.parent
    assert district is not None
    text = texts.compose_appeal(rng, category, district.name, street.name, "")
    return {
        "citizen_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "citizen_phone": phone,
        "address": text.address[:200],
        "district": district.code,
        "street": street.code,
        "subject": text.subject[:100],
        "description": text.description,
        "appeal_type": text.appeal_type,
        "category": category,
        "urgency": "normal",
        "channel": "phone",
    }


# ---- the clients ------------------------------------------------------------------------------------------------


def _token(url: str, username: str, password: str) -> str:
    body = json.dumps({"username": username, "password": password}).encode()
    request = urllib.request.Request(
        f"{url}/api/v1/auth/token", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.load(response)["token"])


def _appeal_figures(url: str, token: str, clients: int, seconds: float) -> dict[str, Any]:
    before = Ticket.objects.count()
    config = {"mode": "appeals", "url": url, "token": token, "appeals": compose_appeals(APPEALS)}
    merged = _run_clients(config, clients, seconds)
    appeals = merged["times"].get("appeal", [])
    figures: dict[str, Any] = {
        "appeals": len(appeals),
        "appeals_per_s": round(len(appeals) / seconds, 1),
        "p50_ms": _percentile(appeals, 0.50),
        "p99_ms": _percentile(appeals, 0.99),
        "errors": len(merged["errors"]),
        "tickets_created": Ticket.objects.count() - before,  # the warm-up's appeals included
        "client_processes": merged["processes"],
    }
    for step in STEPS:
        values = merged["times"].get(step, [])
        figures |= {f"{step}_p50_ms": _percentile(values, 0.50), f"{step}_p99_ms": _percentile(values, 0.99)}
    if merged["errors"]:
        figures["first_error"] = merged["errors"][0]
    return figures


def _raw_figures(clients: int, seconds: float) -> dict[str, Any]:
    rows = [_raw_row(n, appeal) for n, appeal in enumerate(compose_appeals(APPEALS, seed=9))]
    with connection.cursor() as cursor:
        cursor.execute(_RAW_TABLE[connection.vendor])
    try:
        config = {"mode": "raw", "database_url": database_url(settings.DATABASES["default"]), "rows": rows}
        merged = _run_clients(config, clients, seconds)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_raw_insert")
    inserts = merged["times"].get("insert", [])
    return {
        "raw_inserts": len(inserts),
        "raw_inserts_per_s": round(len(inserts) / seconds, 1),
        "raw_p50_ms": _percentile(inserts, 0.50),
        "raw_p99_ms": _percentile(inserts, 0.99),
        "raw_errors": len(merged["errors"]),
    }


_RAW_COLUMNS = (
    "number varchar(20) NOT NULL, subject varchar(100) NOT NULL, description text NOT NULL, "
    "citizen_name varchar(50) NOT NULL, citizen_phone varchar(40) NOT NULL, address varchar(200) NOT NULL, "
    "state varchar(20) NOT NULL, created_at {moment} NOT NULL"
)
_RAW_TABLE = {
    "postgresql": "CREATE TABLE bench_raw_insert (id bigserial PRIMARY KEY, "
    + _RAW_COLUMNS.format(moment="timestamptz")
    + ")",
    "sqlite": "CREATE TABLE bench_raw_insert (id integer PRIMARY KEY AUTOINCREMENT, "
    + _RAW_COLUMNS.format(moment="datetime")
    + ")",
}


def _raw_row(n: int, appeal: dict[str, Any]) -> list[Any]:
    fields = ("subject", "description", "citizen_name", "citizen_phone", "address")
    return [f"B{n:08d}", *(appeal[f] for f in fields), "registered", "2026-01-01T08:00:00+08:00"]


def _run_clients(config: dict[str, Any], clients: int, seconds: float) -> dict[str, Any]:
    """`clients` threads shared out among a few client processes; started together once all have warmed up (the
    server's first appeals load its models); their results merged."""
    processes = min(clients, CLIENT_PROCESSES)
    merged: dict[str, Any] = {"times": {}, "errors": [], "processes": processes}
    with tempfile.TemporaryDirectory(prefix="rexian-bench-clients-") as folder:
        children = [_client(Path(folder), n, config | share) for n, share in _shares(clients, processes, seconds)]
        for child in children:
            assert child.stdout is not None
            if child.stdout.readline().strip() != "ready":
                raise RuntimeError(f"负载客户端进程未能启动：{_stderr(Path(folder), children.index(child))}")
        start_at = f"{time.time() + START_DELAY}\n"
        for child in children:
            assert child.stdin is not None and child.stdout is not None
            child.stdin.write(start_at)
            child.stdin.close()
        for n, child in enumerate(children):
            assert child.stdout is not None
            out = child.stdout.read()
            if child.wait() != 0:
                raise RuntimeError(f"负载客户端进程失败：{_stderr(Path(folder), n)}")
            result = json.loads(out)
            for step, values in result["times"].items():
                merged["times"].setdefault(step, []).extend(values)
            merged["errors"] += result["errors"]
    return merged


def _shares(clients: int, processes: int, seconds: float) -> list[tuple[int, dict[str, Any]]]:
    """Each process's threads, numbered on from the previous process's (thread n takes appeals n, n + clients…)."""
    shares, first = [], 0
    for n in range(processes):
        threads = clients // processes + (1 if n < clients % processes else 0)
        shares.append((n, {"threads": threads, "first": first, "stride": clients, "seconds": seconds}))
        first += threads
    return shares


def _client(folder: Path, n: int, config: dict[str, Any]) -> subprocess.Popen[str]:
    (folder / f"{n}.json").write_text(json.dumps(config), encoding="utf-8")
    command = [sys.executable, "-m", "rexian.intake.loadclient", str(folder / f"{n}.json")]
    with (folder / f"{n}.err").open("w") as errors:
        return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True)


def _stderr(folder: Path, n: int) -> str:
    return (folder / f"{n}.err").read_text(errors="replace")[-2000:]


def _percentile(seconds: list[float], share: float) -> float | None:
    """Nearest rank, in milliseconds."""
    if not seconds:
        return None
    ordered = sorted(seconds)
    return round(ordered[max(0, math.ceil(share * len(ordered)) - 1)] * 1000, 1)
