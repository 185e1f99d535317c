"""Sensitive themes: the worker matches new appeals against the centre's themes, alerts the shift lead when a
theme's threshold is reached within its window, and the shift lead acknowledges the alert."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError as ModelValidationError

from rexian.analytics import actions
from rexian.analytics.hotspots import WATCH_THEMES
from rexian.analytics.models import RiskAlert, SensitiveTheme, ThemeMatch
from rexian.core.errors import Conflict, PermissionDenied
from rexian.notify.models import Delivery, Notification
from rexian.supervision.periodic import every_minute
from rexian.tickets.models import Ticket
from tests.analytics.test_metrics import Story, at
from tests.conftest import City

pytestmark = pytest.mark.django_db

WAGES = "工地老板拖欠我们三个月工资，十几个农民工讨不到钱。"


@pytest.fixture
def wages(city: City) -> SensitiveTheme:
    """Only the wage theme is active, alerting at the second appeal within a day; the shift lead has a phone."""
    SensitiveTheme.objects.exclude(name="拖欠工资").update(is_active=False)
    # Created when a transactional test before this one flushed the seeded rows.
    theme, _ = SensitiveTheme.objects.update_or_create(
        name="拖欠工资", defaults={"patterns": "\n".join(WATCH_THEMES["拖欠工资"]), "threshold": 2, "window_hours": 24}
    )
    city.users["shift_lead"].phone = "13900001234"
    city.users["shift_lead"].save()
    return theme


def appeal(city: City, hour: int, description: str, minute: int = 0) -> Ticket:
    return Story(city).do(at(11, 2, hour, minute), "intake", "create", subject="反映问题", description=description)


def scan(hour: int, minute: int = 0) -> int:
    moment = at(11, 2, hour, minute)
    with time_machine.travel(moment, tick=False):
        return actions.scan_sensitive_themes(moment)


def test_the_seeded_themes_are_the_watch_list(db) -> None:
    names = set(SensitiveTheme.objects.values_list("name", flat=True))
    assert {"拖欠工资", "征地拆迁", "劳动纠纷", "群体性事件", "安全隐患"} <= names
    assert SensitiveTheme.objects.get(name="群体性事件").threshold == 1


def test_an_alert_comes_when_the_threshold_is_reached(city: City, wages: SensitiveTheme) -> None:
    first = appeal(city, 9, WAGES)
    appeal(city, 9, "小区路灯坏了，晚上很黑。", minute=5)
    assert scan(9, 10) == 0  # one appeal on the theme: below the threshold of two
    assert list(ThemeMatch.objects.values_list("ticket_id", flat=True)) == [first.pk]
    second = appeal(city, 11, "公司一直不发工资，已经拖了两个月。")
    assert scan(11, 1) == 1
    alert = RiskAlert.objects.get()
    assert alert.theme == wages and alert.count == 2
    assert set(alert.matches.values_list("ticket_id", flat=True)) == {first.pk, second.pk}
    notice = Notification.objects.get(dedupe_key=f"risk_alert:{alert.pk}")
    assert notice.for_centre and notice.ticket_id == second.pk and "拖欠工资 2件" in notice.message
    sms = Delivery.objects.get(dedupe_key=f"risk_alert:{alert.pk}")
    assert sms.recipient == "13900001234" and "1天内新增“拖欠工资”诉求2件" in sms.body
    assert scan(11, 2) == 0  # reported matches are not reported again
    assert ThemeMatch.objects.count() == 2


def test_a_negated_mention_is_not_a_match(city: City, wages: SensitiveTheme) -> None:
    appeal(city, 9, "单位没有拖欠工资，只是想咨询年假怎么休。")
    scan(9, 5)
    assert not ThemeMatch.objects.exists()


def test_matches_outside_the_window_do_not_add_up(city: City, wages: SensitiveTheme) -> None:
    wages.window_hours = 1
    wages.save()
    appeal(city, 8, WAGES)
    scan(8, 1)
    appeal(city, 10, WAGES)
    assert scan(10, 1) == 0  # the first appeal left the one-hour window
    assert ThemeMatch.objects.count() == 2 and not RiskAlert.objects.exists()


def test_a_late_committed_appeal_is_read_by_the_next_scan(city: City, wages: SensitiveTheme) -> None:
    scan(9, 10)
    late = appeal(city, 9, WAGES, minute=8)  # registered before the last scan, committed after it
    scan(9, 11)
    assert ThemeMatch.objects.filter(ticket=late).exists()


@pytest.mark.django_db(transaction=True)  # the minute's work sends messages, after a real commit
def test_the_worker_scans_every_minute(city: City, wages: SensitiveTheme) -> None:
    appeal(city, 9, WAGES)
    appeal(city, 9, WAGES, minute=1)
    with time_machine.travel(at(11, 2, 9, 2), tick=False):
        assert every_minute()["risk_alerts"] == 1


def test_the_shift_lead_acknowledges_an_alert_once(city: City, wages: SensitiveTheme) -> None:
    appeal(city, 9, WAGES)
    appeal(city, 9, WAGES, minute=1)
    scan(9, 2)
    alert = RiskAlert.objects.get()
    with pytest.raises(PermissionDenied):
        actions.acknowledge_alert(actor=city.users["intake"], alert_id=alert.pk)
    with time_machine.travel(at(11, 2, 9, 30), tick=False):
        actions.acknowledge_alert(actor=city.users["shift_lead"], alert_id=alert.pk)
    alert.refresh_from_db()
    assert alert.acknowledged_by == city.users["shift_lead"]
    assert alert.acknowledged_at == at(11, 2, 9, 30)
    with pytest.raises(Conflict):
        actions.acknowledge_alert(actor=city.users["centre_admin"], alert_id=alert.pk)


def test_a_fresh_install_reads_back_one_day_only(city: City, wages: SensitiveTheme) -> None:
    appeal(city, 9, WAGES)
    later = at(11, 2, 9) + actions.SCAN_LOOKBACK + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        actions.scan_sensitive_themes(later)
    assert not ThemeMatch.objects.exists()


def test_a_theme_with_a_bad_expression_is_refused(db) -> None:
    theme = SensitiveTheme(name="测试", patterns="欠薪\n(未闭合", threshold=1, window_hours=24)
    with pytest.raises(ModelValidationError) as refused:
        theme.full_clean()
    assert "(未闭合" in str(refused.value)
    with pytest.raises(ModelValidationError):
        SensitiveTheme(name="空", patterns=" \n ", threshold=1, window_hours=24).full_clean()
