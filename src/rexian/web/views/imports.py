"""历史工单导入: upload an older hotline's orders (Excel/CSV), map its columns, check (the dry run), import, and
follow the job with a progress bar; the row errors as a table and an Excel download. Centre admins only; every
write goes through imports/actions.py (docs/legacy-import.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from rexian.core.errors import DomainError
from rexian.core.xlsx import Column, xlsx_response
from rexian.imports import actions
from rexian.imports.models import ImportJob, JobState
from rexian.tickets.legacy import TARGETS
from rexian.web.views.common import workbench

RECENT_JOBS = 20
ERRORS_SHOWN = 200  # on the page; the download holds every error kept
EDITABLE = (JobState.UPLOADED, JobState.CHECKED, JobState.FAILED)


@workbench("imports")
def index(request: HttpRequest) -> HttpResponse:
    """The upload form and the latest imports; POST uploads a file and goes on to its mapping."""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, gettext("请选择要导入的文件。"))
        else:
            try:
                job = actions.upload(actor=request.user, file=upload, source=request.POST.get("source", ""))
            except DomainError as error:
                messages.error(request, error.message)
            else:
                return redirect("import_mapping", job_id=job.pk)
    jobs = ImportJob.objects.select_related("created_by")[:RECENT_JOBS]
    return render(request, "web/imports/index.html", {"active": "imports", "jobs": jobs,
                                                      "targets": TARGETS, "max_rows": actions.MAX_ROWS})  # fmt: skip


@workbench("imports")
def mapping(request: HttpRequest, job_id: int) -> HttpResponse:
    """Each target field with a select of the file's columns (guessed), and the file's first rows."""
    job = get_object_or_404(ImportJob, pk=job_id)
    if job.state not in EDITABLE:
        return redirect("import_job", job_id=job.pk)
    rows = [_target_row(t, job) for t in TARGETS]
    return render(request, "web/imports/mapping.html", {"active": "imports", "job": job, "rows": rows})


def _target_row(target: Any, job: ImportJob) -> dict[str, Any]:
    return {"target": target, "chosen": job.mapping.get(target.name, ""), "field": f"map_{target.name}"}


@require_POST
@workbench("imports")
def start(request: HttpRequest, job_id: int) -> HttpResponse:
    """检查（试导入） or 导入, with the mapping of the form (or the job's own when the form has none)."""
    job = get_object_or_404(ImportJob, pk=job_id)
    chosen = {t.name: request.POST.get(f"map_{t.name}", "").strip() for t in TARGETS}
    chosen = chosen if any(chosen.values()) else dict(job.mapping)
    begin = actions.start_import if request.POST.get("do") == "import" else actions.start_check
    try:
        begin(actor=request.user, job_id=job.pk, mapping=chosen)
    except DomainError as error:
        messages.error(request, error.message)
        if job.state in EDITABLE and error.code != "check_failed":
            return redirect("import_mapping", job_id=job.pk)
    return redirect("import_job", job_id=job.pk)


@workbench("imports")
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job: its progress bar while it runs, then its counts, its row errors and what to do next."""
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=job_id)
    mapped = [(t.label, job.mapping.get(t.name, "")) for t in TARGETS if job.mapping.get(t.name)]
    context = {"active": "imports", "job": job, "mapped": mapped, "errors": job.errors[:ERRORS_SHOWN],
               "errors_shown": ERRORS_SHOWN, "editable": job.state in EDITABLE}  # fmt: skip
    return render(request, "web/imports/job.html", context)


@workbench("imports")
def progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress bar (htmx polls it every second); when the job ends, the whole page reloads with its result."""
    job = get_object_or_404(ImportJob, pk=job_id)
    response = render(request, "web/imports/progress.html", {"job": job})
    if not job.running:
        response["HX-Refresh"] = "true"
    return response


@workbench("imports")
def errors_xlsx(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=job_id)
    columns = [Column(gettext("行号"), 8), Column(gettext("字段"), 14), Column(gettext("问题"), 60)]
    rows = ([e["row"], e["field"], e["message"]] for e in job.errors)
    stem = job.filename.rsplit(".", 1)[0]
    return xlsx_response(f"{stem}-错误", gettext("导入检查错误"), columns, rows)
