"""Missing calendar years: one rule (selectors.missing_years), shown to administrators in the console and
in the admin, and by `rexian calendar status`."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rexian.core.clock import SHANGHAI
from rexian.workdays.models import ScheduleYear
from rexian.workdays.selectors import missing_years
from tests.conftest import PASSWORD

BANNER = "节假日安排缺失：2027 年的放假安排尚未导入，相关时限暂按周一至周五计算（暂定）。"
ADMIN_LINK = reverse("admin:workdays_scheduleyear_changelist")


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("today", "missing"),
    [
        (date(2026, 6, 1), []),
        (date(2026, 10, 31), []),
        (date(2026, 11, 1), [2027]),
        (date(2026, 12, 31), [2027]),
        (date(2027, 3, 1), [2027]),  # 2028 is not due before November
        (date(2027, 11, 1), [2027, 2028]),
    ],
)
def test_this_year_is_due_and_next_year_from_november(db, today, missing):
    assert missing_years(today) == missing


def test_the_console_warns_an_admin_after_1_november(city, time_machine):
    # 1 November has begun in Shanghai (00:30) while it is still 31 October in UTC.
    time_machine.move_to(datetime(2026, 10, 31, 16, 30, tzinfo=UTC))
    page = html(login(city.users["centre_admin"]), reverse("console"))
    assert BANNER in page
    assert f'<a href="{ADMIN_LINK}">请在后台导入。</a>' in page


def test_no_warning_before_1_november(city, time_machine):
    time_machine.move_to(datetime(2026, 10, 31, 23, 30, tzinfo=SHANGHAI))
    assert "节假日安排缺失" not in html(login(city.users["centre_admin"]), reverse("console"))


def test_other_roles_are_not_warned(city, time_machine):
    time_machine.move_to(datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI))
    for username in ("intake", "shift_lead", "h_east"):
        assert "节假日安排缺失" not in html(login(city.users[username]), reverse("console"))


def test_the_warning_goes_once_the_year_is_imported(city, time_machine):
    time_machine.move_to(datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI))
    client = login(city.users["centre_admin"])
    assert BANNER in html(client, reverse("console"))
    ScheduleYear.objects.create(year=2027, source="国办发明电〔2026〕7号")
    assert "节假日安排缺失" not in html(client, reverse("console"))


def test_the_admin_warns_superusers_and_centre_admins(city, django_user_model, time_machine):
    time_machine.move_to(datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI))
    root = django_user_model.objects.create_superuser("root", password=PASSWORD)
    page = html(login(root), reverse("admin:index"))
    assert BANNER in page and f'href="{ADMIN_LINK}"' in page
    assert "Rexian 热线 · 后台管理" in page  # still Django's own base_site.html underneath
    assert BANNER in html(login(root), reverse("console"))
    admin = city.users["centre_admin"]
    admin.is_staff = True
    admin.save()
    assert BANNER in html(login(admin), reverse("admin:index"))
    staff = django_user_model.objects.create_user("staff", password=PASSWORD, is_staff=True)
    assert "节假日安排缺失" not in html(login(staff), reverse("admin:index"))


def test_the_banner_costs_no_query_once_the_calendar_is_cached(city, time_machine):
    time_machine.move_to(datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI))
    client = login(city.users["centre_admin"])
    html(client, reverse("console"))
    with CaptureQueriesContext(connection) as queries:
        assert BANNER in html(client, reverse("console"))
    assert not [q["sql"] for q in queries if "workdays_" in q["sql"]]
