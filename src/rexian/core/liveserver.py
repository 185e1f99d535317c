"""A real `rexian serve` in a child process, for the crash and load tests and `rexian bench intake`.

The child gets its own environment (database URL, var directory) and is started, waited for (GET /healthz),
killed with SIGKILL part-way through a test, and started again on the same port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

READY_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url(settings_dict: Mapping[str, object]) -> str:
    """The URL of the database Django is connected to (the test database during a test)."""
    engine = str(settings_dict["ENGINE"])
    name = str(settings_dict["NAME"])
    if engine.endswith("sqlite3"):
        return f"sqlite:///{Path(name).resolve()}"
    user, password = settings_dict.get("USER") or "", settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = settings_dict.get("HOST") or "127.0.0.1", settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{name}"


class ServerProcess:
    """One `rexian serve` child; `kill()` is SIGKILL (no clean shutdown), `start()` starts it again."""

    def __init__(
        self, *, env: Mapping[str, str], threads: int = 8, port: int | None = None, log: Path, workers: int = 1
    ) -> None:
        self.env = {**os.environ, **env}
        self.threads = threads
        self.workers = workers
        self.port = port or free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "rexian.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                   "--threads", str(self.threads), "--workers", str(self.workers)]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"rexian serve exited with {self.process.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise RuntimeError(f"rexian serve did not answer /healthz within {READY_TIMEOUT:.0f} s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish requests or commit anything more."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def running_server(*, env: Mapping[str, str], log: Path, threads: int = 8) -> Iterator[ServerProcess]:
    """A started server, stopped on the way out whatever happens."""
    server = ServerProcess(env=env, threads=threads, log=log)
    server.start()
    try:
        yield server
    finally:
        server.stop()
