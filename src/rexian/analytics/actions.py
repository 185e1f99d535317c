"""Writes of the statistics: generating a periodic report into the archive, on demand or when one is due;
watching new appeals for sensitive themes and alerting the shift lead.

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
from rexian.analytics.hotspots import match_themes
from rexian.analytics.models import Report, ReportKind, RiskAlert, SensitiveTheme, ThemeMatch, ThemeScan
from rexian.analytics.selectors import last_complete, period_of
from rexian.core import clock
from rexian.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from rexian.directory.roles import Role
from rexian.notify.outbox import tell_centre
from rexian.tickets.access import SYSTEM, Actor, actor_name
from rexian.tickets.models import Ticket
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


# ---- sensitive themes -------------------------------------------------------------------------------------

# Who is alerted to appeals on a sensitive theme, and who may mark an alert as seen.
RISK_ROLES = frozenset({Role.SHIFT_LEAD, Role.CENTRE_ADMIN})
# Each scan reads again the appeals registered this long before the last one: a ticket whose transaction
# committed late is not missed (a match is written once per theme and ticket).
SCAN_OVERLAP = timedelta(minutes=5)
# A fresh install, or a worker stopped for longer, reads back this far at most.
SCAN_LOOKBACK = timedelta(days=1)


def scan_sensitive_themes(now: datetime) -> int:
    """Match the appeals registered since the last scan against the active themes, then raise an alert for each
    theme whose unreported matches within its window reach its threshold. Returns the alerts raised."""
    themes = list(SensitiveTheme.objects.filter(is_active=True))
    mark = ThemeScan.objects.first()
    since = max(mark.scanned_to - SCAN_OVERLAP, now - SCAN_LOOKBACK) if mark else now - SCAN_LOOKBACK
    tickets = Ticket.objects.filter(created_at__gte=since, created_at__lte=now)
    matches = [
        ThemeMatch(theme=theme, ticket_id=pk, ticket_created_at=created)
        for pk, subject, description, created in tickets.values_list("pk", "subject", "description", "created_at")
        for theme in themes
        if match_themes(f"{subject}。{description}", {theme.name: theme.pattern_list})
    ]
    with transaction.atomic():
        ThemeMatch.objects.bulk_create(matches, ignore_conflicts=True)
        ThemeScan.objects.update_or_create(pk=1, defaults={"scanned_to": now})
    return sum(_alert_if_due(theme, now) for theme in themes)


def _alert_if_due(theme: SensitiveTheme, now: datetime) -> bool:
    window = timedelta(hours=theme.window_hours)
    pending = ThemeMatch.objects.filter(theme=theme, alert=None, ticket_created_at__gt=now - window)
    with transaction.atomic():
        ids = list(pending.select_for_update().order_by("-ticket_created_at").values_list("pk", "ticket_id"))
        if len(ids) < theme.threshold:
            return False
        alert = RiskAlert.objects.create(theme=theme, count=len(ids), created_at=now)
        ThemeMatch.objects.filter(pk__in=[pk for pk, _ in ids]).update(alert=alert)
        tell_centre(
            roles=RISK_ROLES,
            ticket_id=ids[0][1],
            template="risk_alert",
            context={"theme": theme.name, "count": len(ids), "window": _hours(theme.window_hours)},
            dedupe_key=f"risk_alert:{alert.pk}",
        )
    return True


def _hours(hours: int) -> str:
    return f"{hours // 24}天" if hours % 24 == 0 else f"{hours}小时"


def acknowledge_alert(*, actor: Actor, alert_id: int) -> RiskAlert:
    """The shift lead has seen the alert (知悉): it leaves the list of alerts waiting for someone."""
    if actor.roles.isdisjoint(RISK_ROLES):
        raise PermissionDenied("只有值班长或中心管理员可以确认风险预警。")
    with transaction.atomic():
        alert = RiskAlert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None:
            raise NotFound("找不到该风险预警。")
        if alert.acknowledged_at is not None:
            raise Conflict("该风险预警已由他人确认。")
        alert.acknowledged_at = clock.now()
        alert.acknowledged_by = actor if actor.pk else None
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert
