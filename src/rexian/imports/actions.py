"""Writes of imports: upload a file, check it (the dry run), import it (docs/legacy-import.md).

Checking walks the file outside any transaction and saves the rows read every PROGRESS_EVERY rows, so the page's
bar moves. Importing checks again (the database may have changed since) and then hands the clean rows to
tickets.actions.import_legacy, which writes them in one transaction: no progress can be seen inside it (other
connections do not see uncommitted rows, and on SQLite they cannot write the job row meanwhile), so the page
shows that phase as "写入中" without a percentage. 10,000 rows take a few seconds there.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction

from rexian.core import clock
from rexian.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from rexian.core.tables import read_table
from rexian.imports.models import ERRORS_KEPT, RUNNING, ImportJob, JobState
from rexian.tickets.access import Actor
from rexian.tickets.actions import IMPORT_ROLES, import_legacy
from rexian.tickets.files import safe_name
from rexian.tickets.legacy import (
    CheckResult,
    check_mapping,
    check_rows,
    guess_mapping,
    load_lookups,
    mapped_rows,
)

log = logging.getLogger("rexian.imports")
MAX_FILE_BYTES = 50 * 1024 * 1024
# One import is one transaction: on SQLite it holds the only write lock while it writes (about 1 s per 2,000
# rows on 2 cores), so a file is kept to what writes in well under the 20 s other writers wait.
MAX_ROWS = 20_000
PROGRESS_EVERY = 200
PREVIEW_ROWS = 5
# A job still "running" after this was cut off (the server restarted): it may be started again.
STALE_AFTER = timedelta(hours=1)


def _require_admin(actor: Actor) -> None:
    if actor.roles.isdisjoint(IMPORT_ROLES):
        raise PermissionDenied("只有中心管理员可以导入历史工单。")


# ---- upload ------------------------------------------------------------------------------------------------


def upload(*, actor: Actor, file: UploadedFile, source: str = "") -> ImportJob:
    """Keep the file, read its headers, first rows and row count, and guess the mapping."""
    _require_admin(actor)
    name = safe_name(file.name or "")
    source = source.strip()
    if len(source) > 60:
        raise ValidationError("原热线名称不能超过 60 个字。", fields={"source": ["原热线名称不能超过 60 个字。"]})
    if not file.size or file.size > MAX_FILE_BYTES:
        message = f"文件为空或超过 {MAX_FILE_BYTES // (1024 * 1024)} MB。"
        raise ValidationError(message, fields={"file": [message]})
    headers, preview, total = _survey(file, name)
    file.seek(0)
    job = ImportJob(filename=name, source=source, headers=headers, preview=preview, total_rows=total,
                    mapping=guess_mapping(headers), created_by_id=actor.pk, created_at=clock.now())  # fmt: skip
    job.file.save(name, file, save=False)
    job.save()
    return job


def _survey(file: IO[bytes], name: str) -> tuple[list[str], list[list[str]], int]:
    table = read_table(file, name)
    if not table.headers:
        raise ValidationError("文件第一行应为表头（列名）。", fields={"file": ["文件第一行应为表头（列名）。"]})
    preview: list[list[str]] = []
    total = 0
    for _, cells in table.rows:
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        total += 1
        if len(preview) < PREVIEW_ROWS:
            preview.append([_shown(c) for c in cells[: len(table.headers)]])
    if total == 0:
        raise ValidationError("文件中没有数据行。", fields={"file": ["文件中没有数据行。"]})
    if total > MAX_ROWS:
        message = f"文件有 {total} 行，一次最多导入 {MAX_ROWS} 行，请拆分后分批导入。"
        raise ValidationError(message, fields={"file": [message]})
    return table.headers, preview, total


def _shown(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return "" if cell is None else str(cell)[:100]


# ---- check and import: starting them ----------------------------------------------------------------------


def start_check(*, actor: Actor, job_id: int, mapping: Mapping[str, str]) -> ImportJob:
    """The dry run: check every row with this mapping, write nothing. Runs in the background."""
    job = _restartable(actor, job_id, mapping)
    _begin(job, JobState.CHECKING, "检查")
    _later(job.pk, "check_job")
    return job


def start_import(*, actor: Actor, job_id: int, mapping: Mapping[str, str]) -> ImportJob:
    """Check again, then write every row in one transaction — or nothing when any row is wrong."""
    job = _restartable(actor, job_id, mapping)
    if job.state == JobState.CHECKED and job.error_count and job.checked_mapping == job.mapping:
        message = f"检查发现 {job.error_count} 处错误，未导入任何工单。请修改文件后重新上传。"
        raise Conflict(message, code="check_failed")
    _begin(job, JobState.IMPORTING, "检查")
    _later(job.pk, "import_job")
    return job


def _restartable(actor: Actor, job_id: int, mapping: Mapping[str, str]) -> ImportJob:
    _require_admin(actor)
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFound("导入任务不存在。")
    if job.state in RUNNING and job.started_at and clock.now() - job.started_at < STALE_AFTER:
        raise Conflict("该文件正在检查或导入，请稍候。", code="job_running")
    if job.state == JobState.DONE:
        raise Conflict("该文件已导入。", code="job_done")
    job.mapping = check_mapping(mapping, job.headers)
    return job


def _begin(job: ImportJob, state: JobState, step: str) -> None:
    job.state, job.step, job.message = state, step, ""
    job.processed_rows = job.error_count = 0
    job.errors = []
    job.started_at, job.finished_at = clock.now(), None
    job.save()


def _later(job_id: int, work: str) -> None:
    """Run after commit: in the worker when tasks are queued in the database, else in a thread of this process
    (as model training does), so that the page answers at once and its bar moves."""
    if settings.TASK_MODE == "database":
        from rexian.imports import tasks

        transaction.on_commit(lambda: getattr(tasks, work).enqueue(job_id))
        return
    run = run_check if work == "check_job" else run_import

    def thread() -> None:
        try:
            run(job_id)
        finally:
            connection.close()

    transaction.on_commit(lambda: threading.Thread(target=thread, name=f"rexian-{work}-{job_id}", daemon=True).start())


# ---- check and import: the work ---------------------------------------------------------------------------


def check_stream(
    stream: IO[bytes],
    filename: str,
    mapping: Mapping[str, str],
    *,
    source: str = "",
    progress: Callable[[int], None] | None = None,
) -> CheckResult:
    """Every row of the file checked (shared with `rexian import-legacy`)."""
    table = read_table(stream, filename)
    rows = mapped_rows(table, check_mapping(mapping, table.headers))
    return check_rows(rows, lookups=load_lookups(), default_source=source, progress=progress, every=PROGRESS_EVERY)


def run_check(job_id: int) -> ImportJob:
    """The dry run of a recorded job. A failure is written on the job, never raised."""
    return _guarded(job_id, lambda job: _finish_check(job, _checked(job)))


def run_import(job_id: int) -> ImportJob:
    """Check, then import when every row is right. A failure is written on the job, never raised."""

    def work(job: ImportJob) -> None:
        result = _checked(job)
        if result.errors:
            _finish_check(job, result, "检查发现错误，未导入任何工单。")
            return
        ImportJob.objects.filter(pk=job.pk).update(step="写入中", processed_rows=result.processed)
        count = import_legacy(actor=job.created_by, rows=result.rows, job=job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            state=JobState.DONE, step="完成", imported_count=count, finished_at=clock.now()
        )

    return _guarded(job_id, work)


def _guarded(job_id: int, work: Callable[[ImportJob], None]) -> ImportJob:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        if job.created_by is None:
            raise PermissionDenied("上传人的账号已删除，请重新上传。")
        work(job)
    except DomainError as error:
        _fail(job_id, error.message)
    except Exception:  # a background job must end in a state the page shows, whatever happened
        log.exception("import job %s failed", job_id)
        _fail(job_id, "处理时发生内部错误，未导入任何工单。请联系管理员查看日志。")
    return ImportJob.objects.get(pk=job_id)


def _checked(job: ImportJob) -> CheckResult:
    def progress(rows: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=rows)

    with job.file.open("rb") as stream:
        return check_stream(stream, job.filename, job.mapping, source=job.source, progress=progress)


def _finish_check(job: ImportJob, result: CheckResult, message: str = "") -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        state=JobState.CHECKED,
        step="完成",
        processed_rows=result.processed,
        error_count=len(result.errors),
        errors=[e.as_dict() for e in result.errors[:ERRORS_KEPT]],
        checked_mapping=job.mapping,
        message=message,
        finished_at=clock.now(),
    )


def _fail(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        state=JobState.FAILED, step="失败", message=message[:500], finished_at=clock.now()
    )
