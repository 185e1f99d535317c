"""Is this installation fit to serve? The worker's heartbeat, the database and its migrations: read by
`rexian doctor` and by the readiness probe `/readyz` (core/views.py)."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from rexian.core import clock
from rexian.core.models import Heartbeat

# A worker beats every minute; three minutes of silence means it is gone or stuck.
HEARTBEAT_STALE_AFTER = timedelta(minutes=3)
# Rows of workers stopped long ago are forgotten, so that the table holds the workers of today.
HEARTBEAT_FORGET_AFTER = timedelta(days=1)
_migrations_applied = False  # once true in a process it stays true: nothing un-applies a migration


def beat(now: datetime | None = None) -> None:
    """This process is alive (called by the worker's every-minute job)."""
    now = now or clock.now()
    Heartbeat.objects.update_or_create(name=f"{socket.gethostname()}:{os.getpid()}", defaults={"beat_at": now})
    Heartbeat.objects.filter(beat_at__lt=now - HEARTBEAT_FORGET_AFTER).delete()


def last_beat() -> datetime | None:
    return Heartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()


def heartbeat_age(now: datetime | None = None) -> timedelta | None:
    """How long since the latest worker's beat; None when no worker ever beat."""
    latest = last_beat()
    return None if latest is None else (now or clock.now()) - latest


def database_reachable(alias: str = DEFAULT_DB_ALIAS) -> bool:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any driver error means the same thing here: not reachable
        return False
    return True


def unapplied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The migrations the code has and the database has not (app.name)."""
    global _migrations_applied
    if _migrations_applied:
        return []
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    missing = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    _migrations_applied = not missing
    return missing


def forget_migrations_checked() -> None:
    global _migrations_applied
    _migrations_applied = False
