"""Backups: the database and the uploaded files in one tar.gz, and putting them back (`rexian backup`, `rexian
restore`; docs/operations.md).

The archive holds `manifest.json` (when, which database kind, the migrations applied, the Rexian version, how
many tickets), the database (`database.sqlite3`, an online copy by SQLite's backup API, safe while the server
writes; or `database.pgdump`, `pg_dump --format=custom`) and `media/` (attachments, filed reports).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

import rexian
from rexian.core import clock
from rexian.tickets.models import Attachment, Ticket, TicketEvent

FORMAT = 1
MANIFEST = "manifest.json"
KIND_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator, in Chinese."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    database: str
    rexian_version: str
    migrations: dict[str, str]
    tickets: int
    events: int
    attachments: int
    format: int = FORMAT

    @classmethod
    def read(cls, data: dict[str, Any]) -> Manifest:
        if data.get("format") != FORMAT:
            raise BackupError(f"无法识别的备份格式：{data.get('format')!r}。")
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


def database_kind() -> str:
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(f"不支持备份 {connection.vendor} 数据库。")
    return connection.vendor


def _migration_state() -> dict[str, str]:
    """The last migration applied of each app: what a restored database needs the code to match."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("app", "name").values_list("app", "name"):
        latest[app] = name
    return latest


def current_manifest(now: datetime) -> Manifest:
    return Manifest(
        created_at=now.isoformat(),
        database=database_kind(),
        rexian_version=rexian.__version__,
        migrations=_migration_state(),
        tickets=Ticket.objects.count(),
        events=TicketEvent.objects.count(),
        attachments=Attachment.objects.count(),
    )


# ---- backup -------------------------------------------------------------------------------------------------


def create_backup(output_dir: Path, now: datetime | None = None) -> tuple[Path, Manifest]:
    """Write `rexian-backup-<local time>.tar.gz` into `output_dir`; returns its path and manifest."""
    now = now or clock.now()
    manifest = current_manifest(now)
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / f"rexian-backup-{now.astimezone(clock.SHANGHAI):%Y%m%d-%H%M%S}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="rexian-backup-") as tmp:
        dump = Path(tmp) / DUMP_NAMES[manifest.database]
        if manifest.database == "sqlite":
            _copy_sqlite(Path(connection.settings_dict["NAME"]), dump)
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump)])
        partial = target.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest.__dict__, ensure_ascii=False, indent=2).encode())
            archive.add(dump, arcname=dump.name)
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                archive.add(media, arcname="media")
        partial.rename(target)  # a half-written archive never carries the final name
    return target, manifest


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while other connections write."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(clock.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


# ---- restore ------------------------------------------------------------------------------------------------


def read_manifest(path: Path) -> Manifest:
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            return Manifest.read(json.loads(member.read()))
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise BackupError(f"{path} 不是 Rexian 备份文件（{error}）。") from error


def check_restorable(manifest: Manifest, *, confirmed: bool) -> None:
    """Refuse an archive of the other database kind, and overwriting tickets without confirmation."""
    kind = database_kind()
    if manifest.database != kind:
        raise BackupError(
            f"该备份来自 {KIND_LABELS[manifest.database]} 数据库，当前数据库是 {KIND_LABELS[kind]}，不能直接恢复。"
            "请在同类数据库上恢复。"
        )
    if not confirmed and Ticket.objects.exists():
        raise BackupError(
            f"当前数据库已有 {Ticket.objects.count()} 件工单，恢复将覆盖全部数据。确认无误后加 --yes 重新执行。"
        )


def restore_backup(path: Path, *, confirmed: bool) -> Manifest:
    """Put the archive's database and media back. The database is replaced whole; media files are written
    over the current ones (files uploaded after the backup stay, unreferenced)."""
    manifest = read_manifest(path)
    check_restorable(manifest, confirmed=confirmed)
    with tempfile.TemporaryDirectory(prefix="rexian-restore-") as tmp, tarfile.open(path, "r:gz") as archive:
        archive.extractall(tmp, filter="data")
        dump = Path(tmp) / DUMP_NAMES[manifest.database]
        connection.close()  # no open transaction or cached statement may outlive the old database
        if manifest.database == "sqlite":
            _copy_sqlite(dump, Path(connection.settings_dict["NAME"]))
        else:
            _restore_postgresql(dump)
        media = Path(tmp) / "media"
        if media.is_dir():
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return manifest


def _restore_postgresql(dump: Path) -> None:
    """Drop the schema and load the dump in one transaction: a failed restore leaves the database as it was,
    and tables newer than the backup do not linger. pg_restore's SQL streams into psql (a dump may be large)."""
    for tool in ("pg_restore", "psql"):
        _require(tool)
    env = _pg_environment()
    psql_command = ["psql", "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--single-transaction",
                    "--command", "DROP SCHEMA public CASCADE", "--command", "CREATE SCHEMA public", "--file", "-"]
    with subprocess.Popen(["pg_restore", "--no-owner", "--no-privileges", "--file", "-", str(dump)], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as restore:  # fmt: skip
        psql = subprocess.run(psql_command, env=env, stdin=restore.stdout, capture_output=True, check=False)
        restore_errors = restore.stderr.read() if restore.stderr else b""
    for name, code, errors in (("pg_restore", restore.returncode, restore_errors),
                               ("psql", psql.returncode, psql.stderr)):  # fmt: skip
        if code != 0:
            raise BackupError(f"{name} 失败：{errors.decode(errors='replace').strip()}")


def _pg_environment() -> dict[str, str]:
    """libpq's variables from the connection settings: no password on the command line."""
    config = connection.settings_dict
    env = dict(os.environ)
    values = {"PGDATABASE": config["NAME"], "PGUSER": config.get("USER"), "PGPASSWORD": config.get("PASSWORD"),
              "PGHOST": config.get("HOST"), "PGPORT": str(config.get("PORT") or "")}  # fmt: skip
    env.update({k: str(v) for k, v in values.items() if v})
    return env


def _require(tool: str) -> None:
    if shutil.which(tool) is None:
        raise BackupError(f"找不到 {tool}：请安装 PostgreSQL 客户端工具（与服务器同一主版本）。")


def _run(command: list[str]) -> None:
    _require(command[0])
    done = subprocess.run(command, env=_pg_environment(), capture_output=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{done.stderr.decode(errors='replace').strip()}")
