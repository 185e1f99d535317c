"""The client side of `rexian bench intake`, run as `python -m rexian.intake.loadclient` (a JSON file in, JSON out
on stdout) in several processes so that one interpreter's GIL does not cap the figures. Standard library only
(psycopg for the PostgreSQL raw inserts): no Django, so a client process starts in a fraction of a second.

Mode "appeals": each thread keeps one HTTP connection open and registers appeals as the intake workbench does —
its panels in one request (POST /intake/assist: screening, the classification and dispatch suggestion, the
duplicate check in the suggested category and place), then the ticket (POST /tickets with an Idempotency-Key) —
and times each appeal from its first request to its last answer.

Mode "raw": each thread keeps one database connection open and INSERTs one ticket-sized row per transaction.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

TIMEOUT = 30.0
STEPS = ("assist", "create")


class Failed(Exception):
    """An answer other than the one expected."""


class Api:
    """One keep-alive connection to the server, with the bearer token."""

    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)

    def post(self, path: str, body: dict[str, Any], expected: int, **headers: str) -> Any:
        try:
            self.connection.request("POST", path, json.dumps(body), {**self.headers, **headers})
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()  # a fresh connection for the next appeal
            self.connection = self._connect()
            raise Failed(f"{path}: {error!r}") from error
        if response.status != expected:
            raise Failed(f"{path}: HTTP {response.status} {data[:300].decode(errors='replace')}")
        return json.loads(data)


def register(api: Api, appeal: dict[str, Any], times: dict[str, list[float]]) -> None:
    """One appeal as the workbench makes it: its panels (suggestion and duplicate check), then the ticket."""
    started = time.perf_counter()
    typed = ("citizen_phone", "subject", "description", "address", "district", "street")
    api.post("/api/v1/intake/assist", {k: appeal[k] for k in typed}, 200)
    assisted = time.perf_counter()
    api.post("/api/v1/tickets", appeal, 201, **{"Idempotency-Key": uuid.uuid4().hex})
    done = time.perf_counter()
    for step, seconds in zip(("appeal", *STEPS), (done - started, assisted - started, done - assisted), strict=True):
        times[step].append(seconds)


class Start:
    """The threads' common start: each is ready after its warm-up, and all begin at the moment the bench sends."""

    def __init__(self, threads: int) -> None:
        self.ready = threading.Barrier(threads + 1, timeout=READY_TIMEOUT)
        self.go = threading.Event()
        self.at = 0.0

    def wait(self) -> tuple[float, float]:
        """Ready; then the window (start, deadline) once the bench has said when."""
        self.ready.wait()
        self.go.wait()
        time.sleep(max(0.0, self.at - time.time()))
        return self.at, self.at + SECONDS[0]


SECONDS = [0.0]  # the window's length, from the config
READY_TIMEOUT = 300.0  # a server loading its models under load can take a while to answer the first appeal


def appeals_thread(config: dict[str, Any], first: int, out: dict[str, Any], start: Start) -> None:
    appeals = config["appeals"]
    times: dict[str, list[float]] = {step: [] for step in ("appeal", *STEPS)}
    errors: list[str] = []
    index = first
    try:
        api = Api(config["url"], config["token"])
        register(api, appeals[index % len(appeals)], {step: [] for step in times})  # warm-up, not counted
    except Exception as error:  # the barrier must be reached whatever happens
        errors.append(f"warm-up: {error!r}")
        start.ready.wait()
        out.update(times=times, errors=errors)
        return
    _, deadline = start.wait()
    while time.time() < deadline:
        index += config["stride"]
        try:
            register(api, appeals[index % len(appeals)], times)
        except Failed as error:
            errors.append(str(error))
    out.update(times=times, errors=errors)


def raw_thread(config: dict[str, Any], first: int, out: dict[str, Any], start: Start) -> None:
    rows = config["rows"]
    times: list[float] = []
    errors: list[str] = []
    index = first
    try:
        insert, close = _raw_writer(config["database_url"])
    except Exception as error:  # the barrier must be reached whatever happens
        start.ready.wait()
        out.update(times={"insert": times}, errors=[f"connect: {error!r}"])
        return
    _, deadline = start.wait()
    try:
        while time.time() < deadline:
            index += config["stride"]
            started = time.perf_counter()
            try:
                insert(rows[index % len(rows)])
            except Exception as error:  # any driver's error counts as one failed insert
                errors.append(repr(error)[:300])
                continue
            times.append(time.perf_counter() - started)
    finally:
        close()
    out.update(times={"insert": times}, errors=errors)


RAW_COLUMNS = ("number", "subject", "description", "citizen_name", "citizen_phone", "address", "state", "created_at")


def _raw_writer(url: str) -> tuple[Callable[[list[Any]], None], Callable[[], None]]:
    """An insert function committing one row per call on its own connection, and its closer."""
    names = ", ".join(RAW_COLUMNS)
    if url.startswith("sqlite"):
        import sqlite3

        # The app's own settings (settings.py): WAL, synchronous=NORMAL, BEGIN IMMEDIATE, a 20 s busy timeout.
        db = sqlite3.connect(urlsplit(url).path, timeout=20, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        sql = f"INSERT INTO bench_raw_insert ({names}) VALUES ({', '.join('?' for _ in RAW_COLUMNS)})"

        def insert_sqlite(row: list[Any]) -> None:
            db.execute("BEGIN IMMEDIATE")
            db.execute(sql, row)
            db.execute("COMMIT")

        return insert_sqlite, db.close
    import psycopg

    pg = psycopg.connect(url, autocommit=True)  # autocommit: each INSERT is its own transaction and commit
    sql = f"INSERT INTO bench_raw_insert ({names}) VALUES ({', '.join('%s' for _ in RAW_COLUMNS)})"

    def insert_postgresql(row: list[Any]) -> None:
        pg.execute(sql, row)

    return insert_postgresql, pg.close


def _wait_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


def run(config: dict[str, Any]) -> dict[str, Any]:
    """This process's threads, numbered from config["first"]: warmed up, "ready" on stdout, started at the moment
    read from stdin; their times and errors put together."""
    SECONDS[0] = config["seconds"]
    work = raw_thread if config["mode"] == "raw" else appeals_thread
    start = Start(config["threads"])
    results: list[dict[str, Any]] = [{} for _ in range(config["threads"])]
    threads = [
        threading.Thread(target=work, args=(config, config["first"] + n, results[n], start), daemon=True)
        for n in range(config["threads"])
    ]
    for thread in threads:
        thread.start()
    start.ready.wait()
    print("ready", flush=True)
    start.at = float(sys.stdin.readline())
    start.go.set()
    for thread in threads:
        thread.join()
    merged: dict[str, Any] = {"times": {}, "errors": []}
    for result in results:
        for step, values in result.get("times", {}).items():
            merged["times"].setdefault(step, []).extend(values)
        merged["errors"] += result.get("errors", ["a client thread stopped before the start"])
    return merged


if __name__ == "__main__":
    json.dump(run(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))), sys.stdout)
