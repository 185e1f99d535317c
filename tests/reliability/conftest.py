"""A city committed to the test database and a real `rexian serve` child process on that very database.

The tests here talk HTTP to the child (never Django's test client) so that a SIGKILL really kills the
process that holds the connections, the locks and the half-finished requests.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.db import connection

from rexian.core.liveserver import ServerProcess, database_url
from tests.conftest import PASSWORD, City

# The users the tests act as: an intake agent, the centre's dispatcher, shift lead and reviewer, the callback
# agent, and the district's handler.
ACTORS = ("intake", "dispatcher", "shift_lead", "reviewer", "callback", "h_east")


class NoResponse(Exception):
    """The request got no HTTP response: refused, reset, timed out or cut off by a killed server."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # names lower-cased
    body: Any


def call(base_url: str, method: str, path: str, body: Any = None, *, token: str | None = None,
         headers: dict[str, str] | None = None, timeout: float = 10.0) -> Reply:
    """One request on its own connection (a killed server leaves no half-open keep-alive behind)."""
    target = urlsplit(base_url)
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    conn = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        raw = response.read()
        received = {name.lower(): value for name, value in response.getheaders()}
    except (OSError, http.client.HTTPException) as error:
        raise NoResponse(repr(error)) from error
    finally:
        conn.close()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return Reply(response.status, received, parsed)


@dataclass
class LiveCity:
    city: City
    env: dict[str, str]
    servers: list[ServerProcess]
    tmp: Path
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def server(self) -> ServerProcess:
        return self.servers[0]

    def add_server(self) -> ServerProcess:
        """Another `rexian serve` on the same database, as behind a load balancer."""
        server = ServerProcess(env=self.env, threads=8, log=self.tmp / f"server-{len(self.servers)}.log")
        self.servers.append(server)
        server.start()
        return server

    def call(self, actor: str, method: str, path: str, body: Any = None, *, server: int = 0,
             timeout: float = 10.0, **headers: str) -> Reply:
        return call(self.servers[server].url, method, f"/api/v1{path}", body, token=self.tokens[actor],
                    headers=headers, timeout=timeout)

    def rexian(self, *args: str) -> subprocess.CompletedProcess[str]:
        return rexian(self.env, *args)


def rexian(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """A `rexian` command in its own process, with a server's environment (hence its database)."""
    return subprocess.run([sys.executable, "-m", "rexian.cli", *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120, check=False)


def _passwords_the_server_accepts(city: City) -> None:
    # The tests hash with MD5 for speed (tests/conftest.py); the child has the real hashers only.
    hashed = make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    for name in ACTORS:
        city.users[name].password = hashed
        city.users[name].save(update_fields=["password"])


def _token(server: ServerProcess, username: str) -> str:
    reply = call(server.url, "POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD})
    assert reply.status == 200, reply
    return str(reply.body["token"])


def server_env(tmp: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url(connection.settings_dict),
        "REXIAN_VAR_DIR": str(tmp / "var"),  # media and static of the child, not the project's var/
        "REXIAN_DEBUG": "0",  # as in production: no query log growing in memory, plain 500 pages
        "REXIAN_TASKS": "immediate",  # the in-process scheduler and after-commit notifications, as shipped
    }


@pytest.fixture
def live(city: City, seeded_rules: None, seeded_screening: None, tmp_path: Path) -> Iterator[LiveCity]:
    """A started server on the test database (the test must be transactional: the child sees commits only)."""
    _passwords_the_server_accepts(city)
    env = server_env(tmp_path)
    server = ServerProcess(env=env, threads=8, log=tmp_path / "server-0.log")
    live = LiveCity(city=city, env=env, servers=[server], tmp=tmp_path)
    try:
        server.start()
        live.tokens = {name: _token(server, name) for name in ACTORS}
        yield live
    finally:
        for running in live.servers:
            running.stop()  # before the test database is flushed or dropped
