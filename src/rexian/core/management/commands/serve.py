from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import sys
import traceback
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

PR_SET_PDEATHSIG = 1  # linux/prctl.h
LISTEN_BACKLOG = 1024


class Command(BaseCommand):
    help = (
        "Serve Rexian with waitress (static files by WhiteNoise). --workers N runs N processes on the same port "
        "(SO_REUSEPORT, Linux): one Python process uses one core at most, whatever its threads."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--workers", type=int, default=1, help="processes sharing the port (default 1)")

    def handle(self, *args, host: str, port: int, threads: int, workers: int, **options) -> None:
        from rexian.wsgi import application

        if workers < 1:
            raise CommandError("--workers 应为正整数。")
        if settings.TASK_MODE != "database":  # no worker runs: this process does the minute's work itself
            if workers > 1:
                raise CommandError("--workers 大于 1 时需要 REXIAN_TASKS=database 并运行 rexian worker。")
            from rexian.supervision.periodic import start_scheduler

            start_scheduler()
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(
            f"Rexian 热线 serving on http://{host}:{port}/ (database: {engine}, {workers} × {threads} threads)"
        )
        if workers == 1:
            _serve(application, host, port, threads, reuse_port=False)
        else:
            _serve_workers(application, host, port, threads, workers)


def _serve(application: Any, host: str, port: int, threads: int, *, reuse_port: bool) -> None:
    from waitress import serve

    if not reuse_port:
        serve(application, host=host, port=port, threads=threads, ident="rexian")
        return
    # Each worker listens on its own socket; the kernel shares the new connections out among them.
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind((host, port))
    listener.listen(LISTEN_BACKLOG)
    serve(application, sockets=[listener], threads=threads, ident="rexian")


def _serve_workers(application: Any, host: str, port: int, threads: int, workers: int) -> None:
    """Fork the workers (no database connection is open to share), pass SIGTERM/SIGINT on, and stop when one ends:
    the service manager then restarts the whole."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise CommandError("--workers 需要 SO_REUSEPORT（Linux）。")
    connections.close_all()
    children = [_fork_worker(application, host, port, threads) for _ in range(workers)]

    def stop(signum: int, frame: Any) -> None:
        for pid in children:
            _signal(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    os.wait()  # the first worker to end
    stop(signal.SIGTERM, None)
    for _ in children[1:]:
        os.wait()


def _fork_worker(application: Any, host: str, port: int, threads: int) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        _die_with_parent()
        _serve(application, host, port, threads, reuse_port=True)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        os._exit(code)  # never return into the parent's code


def _die_with_parent() -> None:
    """A worker must not outlive its parent (killed with SIGKILL, it cannot pass the signal on)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it has ended already
        os.kill(pid, signum)
