"""`rexian backup` and `rexian restore`: a round trip on the database the tests run on (SQLite or PostgreSQL)."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from rexian.core.backup import Manifest, check_restorable
from rexian.tickets import actions
from rexian.tickets.models import Attachment, Ticket, TicketEvent
from tests.conftest import APPEAL
from tests.ops.conftest import closed_ticket

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64


def _snapshot() -> dict[str, Any]:
    return {
        "tickets": list(Ticket.objects.order_by("pk").values()),
        "events": list(TicketEvent.objects.order_by("pk").values()),
        "attachments": list(Attachment.objects.order_by("pk").values()),
    }


def _backup(tmp_path: Path, capsys) -> Path:
    call_command("backup", "--output", str(tmp_path / "backups"))
    assert "备份完成" in capsys.readouterr().out
    (archive,) = (tmp_path / "backups").glob("rexian-backup-*.tar.gz")
    return archive


@pytest.mark.django_db(transaction=True)
def test_round_trip_brings_back_tickets_events_and_files(city, seeded_rules, tmp_path, capsys):
    closed = closed_ticket(city)
    photo = SimpleUploadedFile("现场.png", PNG)
    closed = actions.attach_file(actor=city.users["intake"], ticket_id=closed.pk, version=closed.version, upload=photo)
    open_one, _ = actions.create_ticket(actor=city.users["intake"], data=APPEAL)
    before = _snapshot()
    archive = _backup(tmp_path, capsys)

    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = tar.getnames()
    assert manifest["database"] == connection.vendor and manifest["tickets"] == 2 and manifest["attachments"] == 1
    assert manifest["migrations"]["tickets"].startswith("00")
    attachment = Attachment.objects.get()
    assert f"media/{attachment.file.name}" in names

    # Things go wrong after the backup: an edit, a lost file and its row, a new ticket.
    actions.amend(actor=city.users["intake"], ticket_id=open_one.pk, version=1, data={"subject": "改过的标题"})
    default_storage.delete(attachment.file.name)
    attachment.delete()
    actions.create_ticket(actor=city.users["intake"], data=APPEAL)

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive))
    call_command("restore", str(archive), "--yes")
    assert "恢复完成" in capsys.readouterr().out

    assert _snapshot() == before
    assert default_storage.open(Attachment.objects.get().file.name).read() == PNG
    call_command("check_invariants")
    assert "OK: 2 tickets" in capsys.readouterr().out


@pytest.mark.django_db
def test_restore_refuses_an_archive_of_the_other_database_kind():
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    manifest = Manifest(created_at="", database=other, rexian_version="0.1.0", migrations={}, tickets=0, events=0,
                        attachments=0)  # fmt: skip
    with pytest.raises(Exception, match="不能直接恢复"):
        check_restorable(manifest, confirmed=True)


def test_restore_refuses_a_file_that_is_no_backup(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="不是 Rexian 备份文件"):
        call_command("restore", str(junk))
