"""Writes of the statistics: the daily roll-up the figures are added up from; generating a periodic report into
the archive, on demand or when one is due; watching new appeals for sensitive themes and alerting the shift lead.

The files are built outside any transaction (a year's report reads for a while; on SQLite a transaction
holds the write lock); only the archive row and its two files are written inside one.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Max, Q
from django.db.models.functions import TruncDate

from rexian.analytics import reports, selectors
from rexian.analytics.hotspots import match_themes
from rexian.analytics.metrics import Counts
from rexian.analytics.models import (
    DailyCounts,
    DailyHandlingDays,
    HotspotSnapshot,
    Report,
    ReportKind,
    RiskAlert,
    RollupState,
    SensitiveTheme,
    ThemeMatch,
    ThemeScan,
)
from rexian.analytics.queries import ADDED, COUNTED, Group, Scope, count_events_of
from rexian.analytics.selectors import last_complete, period_of
from rexian.core import clock
from rexian.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from rexian.directory.roles import Role
from rexian.notify.outbox import tell_centre
from rexian.supervision.models import Notice
from rexian.tickets.access import SYSTEM, Actor, actor_name
from rexian.tickets.models import Ticket, TicketEvent
from rexian.tickets.workflow import Action
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
    _one_at_a_time(1234512346)


def _one_at_a_time(lock: int) -> None:
    """On PostgreSQL, workers doing the same write at once queue on a transaction lock; SQLite already has one
    writer."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock])


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


# ---- the daily roll-up ------------------------------------------------------------------------------------

# Actions that move a ticket to another unit, category, district, channel or type: the days already rolled up
# that count the ticket are rolled up again.
SLICE_CHANGING = frozenset(
    {Action.AMEND, Action.DISPATCH, Action.RECALL_DISPATCH, Action.APPROVE_RETURN, Action.RETURN_TO_INTAKE}
)
# A day is rolled up this long after it ends, when the transactions begun on it have committed.
ROLLUP_GRACE = timedelta(minutes=10)
# Days rolled up in one minute's work: a first run over years of history catches up over a few minutes.
ROLLUP_DAYS_PER_RUN = 31


def roll_up(now: datetime, *, days_per_run: int | None = ROLLUP_DAYS_PER_RUN) -> int:
    """Roll up the closed days not rolled up yet (oldest first, `days_per_run` at most; None for all) and the
    days already rolled up whose counts later events changed. Returns the days written."""
    last_closed = (now - ROLLUP_GRACE).astimezone(SHANGHAI).date() - timedelta(days=1)
    state = RollupState.objects.first()
    mark = TicketEvent.objects.aggregate(mark=Max("pk"))["mark"] or 0
    changed = _changed_days(state.through, state.event_mark, mark) if state else set()
    start = state.through + timedelta(days=1) if state else _first_day()
    if start is None:
        return 0  # nothing registered yet
    new = [start + timedelta(days=n) for n in range(max((last_closed - start).days + 1, 0))][:days_per_run]
    for day in sorted(changed | set(new)):
        _roll_day(day)
    through = new[-1] if new else (state.through if state else None)
    if through is not None:
        RollupState.objects.update_or_create(pk=1, defaults={"through": through, "event_mark": mark})
    return len(changed | set(new))


def _first_day() -> date | None:
    first = Ticket.objects.order_by("created_at").values_list("created_at", flat=True).first()
    return first.astimezone(SHANGHAI).date() if first else None


def _changed_days(through: date, seen: int, mark: int) -> set[date]:
    """Days up to `through` whose counts the events after `seen` changed: the days of events committed after
    their day was rolled up, and every day that counts a ticket a later action moved (its registration, its
    counted events, its notices)."""
    end = datetime.combine(through + timedelta(days=1), datetime.min.time(), SHANGHAI)
    events = TicketEvent.objects.filter(pk__gt=seen, pk__lte=mark)
    moved = events.filter(action__in=SLICE_CHANGING).values("ticket_id")
    local_day = TruncDate("created_at", tzinfo=SHANGHAI)
    queries_ = (
        events.filter(created_at__lt=end),
        Ticket.objects.filter(pk__in=moved, created_at__lt=end),
        TicketEvent.objects.filter(ticket_id__in=moved, action__in=COUNTED, created_at__lt=end),
    )
    days = {d for q in queries_ for d in q.annotate(d=local_day).values_list("d", flat=True).distinct()}
    notices = Notice.objects.filter(ticket_id__in=moved, issued_at__lt=end)
    return days | set(notices.annotate(d=TruncDate("issued_at", tzinfo=SHANGHAI)).values_list("d", flat=True))


def _roll_day(day: date) -> None:
    fine: dict[Any, Counts] = defaultdict(Counts)
    count_events_of(fine, Scope(day, day), Group.FINE)
    rows = [DailyCounts(**_slice(day, key), **{name: getattr(c, name) for name in ADDED},
                        notices_issued=sum(c.notices.values()), notices=c.notices)
            for key, c in fine.items()]  # fmt: skip
    handling = [DailyHandlingDays(**_slice(day, key), days=days, replies=n)
                for key, c in fine.items() for days, n in Counter(c.handling_days).items()]  # fmt: skip
    with transaction.atomic():
        _one_at_a_time(1234512347)
        DailyCounts.objects.filter(day=day).delete()
        DailyHandlingDays.objects.filter(day=day).delete()
        DailyCounts.objects.bulk_create(rows, batch_size=1000)
        DailyHandlingDays.objects.bulk_create(handling, batch_size=1000)


def _slice(day: date, key: tuple[Any, ...]) -> dict[str, Any]:
    unit, category, district, channel, appeal_type = key
    return {"day": day, "unit_id": unit, "category_id": category, "district_id": district,
            "channel": channel or "", "appeal_type": appeal_type or ""}  # fmt: skip


# ---- hotspot snapshots ------------------------------------------------------------------------------------

# A snapshot of a period not over yet is found again after this.
HOTSPOT_REFRESH = timedelta(minutes=10)


def refresh_hotspots(now: datetime) -> int:
    """Find again the hotspots of the stalest whole-centre period the dashboard and the reports show (one per
    minute: finding them reads up to 5,000 texts); drop snapshots of periods long past. Returns 1 or 0."""
    today = now.astimezone(SHANGHAI).date()
    periods = selectors.snapshot_periods(today)
    kept = {(s.start, s.end): s for s in HotspotSnapshot.objects.filter(end__gte=today - timedelta(days=62))}
    HotspotSnapshot.objects.filter(end__lt=today - timedelta(days=62)).delete()
    stale = [p for p in periods if p not in kept or _stale(kept[p], now)]
    if not stale:
        return 0
    start, end = min(stale, key=lambda p: kept[p].computed_at if p in kept else datetime.min.replace(tzinfo=SHANGHAI))
    rows = selectors.find_top_hotspots(Scope(start, end), selectors.SNAPSHOT_TOP)
    HotspotSnapshot.objects.update_or_create(
        start=start, end=end, defaults={"computed_at": now, "rows": [selectors.hotspot_to_json(r) for r in rows]}
    )
    return 1


def _stale(snapshot: HotspotSnapshot, now: datetime) -> bool:
    return not snapshot.final and now - snapshot.computed_at >= HOTSPOT_REFRESH


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
    patterns = {theme.pk: {theme.name: theme.pattern_list} for theme in themes}  # parsed once, not per appeal
    mark = ThemeScan.objects.first()
    since = max(mark.scanned_to - SCAN_OVERLAP, now - SCAN_LOOKBACK) if mark else now - SCAN_LOOKBACK
    tickets = Ticket.objects.filter(created_at__gte=since, created_at__lte=now)
    matches = [
        ThemeMatch(theme=theme, ticket_id=pk, ticket_created_at=created)
        for pk, subject, description, created in tickets.values_list("pk", "subject", "description", "created_at")
        for theme in themes
        if match_themes(f"{subject}。{description}", patterns[theme.pk])
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
            ticket=Ticket.objects.get(pk=ids[0][1]),  # the newest appeal of the theme
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
