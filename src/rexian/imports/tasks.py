"""Background work of imports, when tasks are queued in the database (`rexian worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def check_job(job_id: int) -> str:
    from rexian.imports.actions import run_check

    return run_check(job_id).state


@task()
def import_job(job_id: int) -> str:
    from rexian.imports.actions import run_import

    return run_import(job_id).state
