"""风险预警 and the dashboard's risk panels: the shift lead's list of alerts and its 知悉 button, the sensitive
themes and the rising categories on the statistics dashboard, each linking to the tickets behind it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from rexian.analytics import actions
from rexian.analytics.actions import roll_up
from rexian.analytics.models import RiskAlert
from rexian.core import clock
from rexian.core.errors import PermissionDenied
from rexian.tickets.actions import create_ticket
from rexian.workdays.calendar import SHANGHAI
from tests.analytics.test_risk import WAGES, appeal, scan
from tests.analytics.test_risk import wages as wages  # the fixture
from tests.conftest import APPEAL, City
from tests.web.test_console import login, page

pytestmark = pytest.mark.django_db
NOVEMBER_2 = {"period": "custom", "start": "2026-11-02", "end": "2026-11-02"}


@pytest.fixture
def alerted(city: City, wages) -> RiskAlert:
    appeal(city, 9, WAGES)
    appeal(city, 9, "公司一直不发工资，已经拖了两个月。", minute=1)
    scan(9, 2)
    return RiskAlert.objects.get()


def test_the_shift_lead_sees_and_acknowledges_an_alert(city: City, alerted: RiskAlert) -> None:
    client = login("shift_lead")
    html = page(client, reverse("supervision"), tab="risk")
    row = html.split(f'id="risk-{alerted.pk}"')[1].split("</tr>")[0]
    assert "拖欠工资" in row and ">2<" in row and row.count("/console/tickets/") == 2
    with time_machine.travel(datetime(2026, 11, 2, 9, 30, tzinfo=SHANGHAI), tick=False):
        response = client.post(reverse("risk_acknowledge", args=[alerted.pk]))
    assert response.status_code == 302
    assert "没有待知悉的风险预警" in page(client, reverse("supervision"), tab="risk")
    done = page(client, reverse("supervision"), tab="risk", all="1")
    assert "11-02 09:30" in done.split(f'id="risk-{alerted.pk}"')[1].split("</tr>")[0]
    again = client.post(reverse("risk_acknowledge", args=[alerted.pk]), follow=True)
    assert "该风险预警已由他人确认" in again.content.decode()


def test_a_leader_sees_alerts_but_has_no_button(city: City, alerted: RiskAlert) -> None:
    html = page(login("leader"), reverse("supervision"), tab="risk")
    assert "待值班长知悉" in html
    assert login("leader").post(reverse("risk_acknowledge", args=[alerted.pk]), follow=True).status_code == 200
    alerted.refresh_from_db()
    assert alerted.acknowledged_at is None


def test_a_bad_theme_filter_is_explained(city: City, alerted: RiskAlert) -> None:
    html = page(login("shift_lead"), reverse("supervision"), 422, tab="risk", theme="abc")
    assert "请从列表中选择" in html


def test_the_dashboard_counts_themes_and_links_to_their_tickets(city: City, alerted: RiskAlert) -> None:
    appeal(city, 10, "小区路灯坏了。")
    html = page(login("shift_lead"), reverse("stats"), **NOVEMBER_2)
    themes = html.split('id="themes"')[1].split("</section>")[0]
    row = themes.split("拖欠工资")[0].rsplit("<tr>", 1)[1] + themes.split("拖欠工资")[1].split("</tr>")[0]
    assert '<td class="num">2</td>' in row and '<strong class="bad">1</strong>' in row
    assert f'href="{reverse("supervision")}?tab=risk"' in themes
    link = next(a.split('"')[0] for a in themes.split('<a href="')[1:] if "theme=" in a.split('"')[0])
    found = page(login("shift_lead"), link.replace("&amp;", "&"))
    assert found.count('href="/console/tickets/') == 2 and "敏感主题：拖欠工资" in found
    page(login("shift_lead"), reverse("search"), 422, theme="999")


def test_the_dashboard_shows_a_rising_category(city: City) -> None:
    """Two appeals a week on 占道经营 for four weeks, then nine in the last week: a spike; the link leads to
    that week's appeals of the category."""
    end = date(2026, 11, 20)
    moments = [end - timedelta(days=d) for d in range(7, 35, 4)]  # 7 before the last week
    moments += [end - timedelta(days=d % 7) for d in range(9)]  # 9 in the last week
    for day in moments:
        with time_machine.travel(
            datetime.combine(day, datetime.min.time(), SHANGHAI) + timedelta(hours=10), tick=False
        ):
            create_ticket(actor=city.users["intake"], data=APPEAL)
    html = page(login("leader"), reverse("stats"), period="custom", start="2026-11-01", end="2026-11-20")
    spikes = html.split('id="spikes"')[1].split("</section>")[0]
    with time_machine.travel(datetime(2026, 11, 21, 12, tzinfo=SHANGHAI), tick=False):
        roll_up(clock.now(), days_per_run=None)
    rolled = page(login("leader"), reverse("stats"), period="custom", start="2026-11-01", end="2026-11-20")
    assert rolled.split('id="spikes"')[1].split("</section>")[0] == spikes  # the same from the daily roll-up
    assert "占道经营" in spikes
    assert '<td class="num">9</td>' in spikes
    link = spikes.split('<a href="')[1].split('"')[0].replace("&amp;", "&")
    assert "category=020101" in link and "created_from=2026-11-14" in link and "created_to=2026-11-20" in link


def test_alerts_need_a_shift_lead_or_an_admin(city: City, alerted: RiskAlert) -> None:
    assert login("intake").get(reverse("supervision"), {"tab": "risk"}).status_code == 403
    with pytest.raises(PermissionDenied):  # quality may read the list, not acknowledge for the shift lead
        actions.acknowledge_alert(actor=city.users["quality"], alert_id=alerted.pk)
