"""Writes of the statistics: generating a periodic report into the archive, on demand or when one is due.

The files are built outside any transaction (a year's report reads for a while; on SQLite a transaction
holds the write lock); only the archive row and its two files are written inside one.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q

from rexian.analytics import reports
from rexian.analytics.models import Report, ReportKind
from rexian.analytics.selectors import last_complete, period_of
from rexian.core import clock
from rexian.core.errors import PermissionDenied, ValidationError
from rexian.directory.roles import Role
from rexian.tickets.access import SYSTEM, Actor, actor_name
from rexian.workdays.calendar import SHANGHAI

log = logging.getLogger("rexian.analytics")

# The centre's desks that compile statistics for its leaders; the city leader reads the archive only.
REPORT_ROLES = frozenset({Role.CENTRE_ADMIN, Role.SHIFT_LEAD, Role.QUALITY, Role.SYSTEM})
# A due report whose generation failed is tried again after this, not every minute.
RETRY_AFTER = timedelta(hours=1)
_failed: dict[tuple[str, date], datetime] = {}


def generate_report(
    *, actor: Actor, kind: str, start: date | None = None, end: date | None = None, day: date | None = None
) -> Report:
    """Build a report's workbook and document and archive them. The period is start–end, or the week, month,
    quarter or year of `kind` that contains `day` (today when neither is given)."""
    if actor.roles.isdisjoint(REPORT_ROLES):
        raise PermissionDenied("只有中心管理员、值班长或质检员可以生成统计报告。")
    period = _checked_period(kind, start, end, day)
    return _archived(actor, reports.gather(period.kind, period.start, period.end), clock.now())[0]


def _checked_period(kind: str, start: date | None, end: date | None, day: date | None) -> reports.Period:
    if kind not in ReportKind.values:
        raise ValidationError(f"未知的报告类型：{kind}。", fields={"kind": ["请选择周报、月报、季报或年报。"]})
    if (start is None) != (end is None):
        raise ValidationError("请同时填写起始日期和截止日期。", fields={"start": ["必填。"], "end": ["必填。"]})
    today = clock.local_now().date()
    if start is None or end is None:
        start, end = period_of(kind, day or today)
    if end < start:
        raise ValidationError("截止日期不能早于起始日期。", fields={"end": ["截止日期不能早于起始日期。"]})
    if start > today:
        raise ValidationError("该期间尚未开始，不能生成报告。", fields={"start": ["起始日期晚于今天。"]})
    return reports.Period(ReportKind(kind), start, end)


def _archived(
    actor: Actor, data: reports.ReportData, now: datetime, *, unless_archived: bool = False
) -> tuple[Report, bool]:
    """Save the files and the archive row together; True when archived. With `unless_archived`, a report
    another process archived for the same period meanwhile is returned instead of a second one."""
    period = data.period
    workbook, document = reports.workbook(data), reports.document(data)
    with transaction.atomic():
        _one_archiver_at_a_time()
        if unless_archived:
            existing = Report.objects.filter(kind=period.kind, start=period.start, end=period.end).first()
            if existing is not None:
                return existing, False
        report = Report(kind=period.kind, start=period.start, end=period.end, title=period.title, created_at=now,
                        created_by=actor if actor.pk else None, created_by_name=actor_name(actor))  # fmt: skip
        report.workbook.save(f"{period.stem}.xlsx", ContentFile(workbook), save=False)
        report.document.save(f"{period.stem}.docx", ContentFile(document), save=False)
        report.save()
    return report, True


def _one_archiver_at_a_time() -> None:
    """On PostgreSQL, workers archiving at once queue on a transaction lock; SQLite already has one writer."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(1234512346)")


def generate_due_reports(now: datetime) -> int:
    """Archive, as the system, the last complete week, month, quarter and year that have no report yet.
    One query when nothing is due; a period is generated once, since its report is then archived."""
    today = now.astimezone(SHANGHAI).date()
    due = {kind: last_complete(kind, today) for kind in ReportKind}
    wanted = Q()
    for kind, (start, end) in due.items():
        wanted |= Q(kind=kind, start=start, end=end)
    archived = set(Report.objects.filter(wanted).values_list("kind", flat=True))
    made = 0
    for kind, (start, end) in due.items():
        if kind not in archived and not _recently_failed(kind, start, now):
            made += _generate_due(kind, start, end, now)
    return made


def _recently_failed(kind: str, start: date, now: datetime) -> bool:
    failed_at = _failed.get((kind, start))
    return failed_at is not None and now - failed_at < RETRY_AFTER


def _generate_due(kind: str, start: date, end: date, now: datetime) -> int:
    try:
        _, archived = _archived(SYSTEM, reports.gather(kind, start, end), now, unless_archived=True)
    except Exception:  # one bad report must not stop the minute's other work, nor be retried every minute
        log.exception("generating the %s report from %s failed", kind, start)
        _failed[(kind, start)] = now
        return 0
    _failed.pop((kind, start), None)
    return int(archived)
