"""A small city for tests: the centre, two departments, two districts with streets, a category tree,
the dispatch catalogue, and one user per role."""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.test import Client

from rexian.api.auth import forget_holders
from rexian.directory.models import CatalogueEntry, RoleGrant, Unit, UnitKind, User
from rexian.directory.roles import Role
from rexian.directory.selectors import forget_reference
from rexian.intake.selectors import forget_rules
from rexian.notify.selectors import forget_templates
from rexian.routing.selectors import forget as forget_routing_reads
from rexian.taxonomy.models import Category
from rexian.taxonomy.selectors import forget_policies
from rexian.workdays.selectors import forget_calendar

PASSWORD = "test-pass-123"


@dataclass
class City:
    units: dict[str, Unit]
    categories: dict[str, Category]
    users: dict[str, User]


def _unit(code: str, name: str, kind: str, parent: Unit | None) -> Unit:
    unit = Unit(code=code, name=name, kind=kind, parent=parent)
    unit.save()
    return unit


def make_user(username: str, unit: Unit, *roles: Role) -> User:
    user = User(username=username, unit=unit, first_name=username)
    user.set_password(PASSWORD)
    user.save()
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r) for r in roles])
    return user


@pytest.fixture(autouse=True)
def _fresh_calendar() -> None:
    """The calendar and the time limits are cached per process: a test must not see another test's
    (rolled back) holidays or policies."""
    forget_calendar()
    forget_policies()
    forget_routing_reads()
    forget_rules()
    forget_holders()
    forget_reference()
    forget_templates()


@pytest.fixture
def seeded_rules(db) -> None:
    """The time limits and the ladder the migrations seed. A transactional test flushes every table when it
    ends, so later transactional tests that rely on these rows put them back with this fixture."""
    from rexian.supervision.clocks import TAIAN_LADDER
    from rexian.supervision.models import LadderLevel
    from rexian.taxonomy.models import TimeLimitPolicy
    from rexian.taxonomy.policy import SEED_RULES

    if not TimeLimitPolicy.objects.exists():
        TimeLimitPolicy.objects.bulk_create(
            TimeLimitPolicy(stage=r.stage, appeal_type=r.appeal_type, urgency=r.urgency, amount=r.limit.amount,
                            unit=r.limit.unit)
            for r in SEED_RULES
        )
    for level, name, auto, days, roles in TAIAN_LADDER:
        defaults = {"name": name, "auto_after_workdays": auto, "explanation_workdays": days, "issuer_roles": roles}
        LadderLevel.objects.get_or_create(level=level, defaults=defaults)
    forget_policies()


@pytest.fixture
def seeded_screening(db) -> None:
    """The screening rules the migration seeds, put back as the migration writes them when a transactional
    test has flushed them."""
    from rexian.intake.models import ScreeningRule

    if not ScreeningRule.objects.exists():
        importlib.import_module("rexian.intake.migrations.0002_seed_rules").seed(django_apps, None)
    forget_rules()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """The rate limits and login throttling count in the cache, which outlives a test: each starts at zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    # Attachments and reports written by a test (the sweep files due reports) stay out of var/media.
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def city(db) -> City:
    u: dict[str, Unit] = {}
    u["city"] = _unit("city", "测试市人民政府", UnitKind.DEPARTMENT, None)
    u["centre"] = _unit("centre", "12345热线中心", UnitKind.CENTRE, u["city"])
    u["d_hrss"] = _unit("d_hrss", "人社局", UnitKind.DEPARTMENT, u["city"])
    u["d_urban"] = _unit("d_urban", "城管局", UnitKind.DEPARTMENT, u["city"])
    u["x_east"] = _unit("x_east", "东区", UnitKind.DISTRICT, u["city"])
    u["s_east_1"] = _unit("s_east_1", "东一街道", UnitKind.STREET, u["x_east"])
    u["s_east_2"] = _unit("s_east_2", "东二街道", UnitKind.STREET, u["x_east"])
    u["x_west"] = _unit("x_west", "西区", UnitKind.DISTRICT, u["city"])
    u["s_west_1"] = _unit("s_west_1", "西一街道", UnitKind.STREET, u["x_west"])
    c: dict[str, Category] = {}
    tree = [("01", "劳动和社会保障", None), ("0101", "劳动关系", "01"), ("010101", "拖欠工资", "0101"),
            ("02", "城市管理", None), ("0201", "市容环境", "02"), ("020101", "占道经营", "0201")]
    for code, name, parent in tree:
        c[code] = Category.objects.create(code=code, name=name, parent=c.get(parent or ""))
    CatalogueEntry.objects.create(category=c["010101"], unit=u["d_hrss"])
    CatalogueEntry.objects.create(category=c["020101"], unit=u["d_urban"])
    CatalogueEntry.objects.create(category=c["020101"], district=u["x_east"], unit=u["x_east"])
    users = {
        "intake": make_user("intake", u["centre"], Role.INTAKE),
        "dispatcher": make_user("dispatcher", u["centre"], Role.DISPATCHER),
        "shift_lead": make_user("shift_lead", u["centre"], Role.SHIFT_LEAD),
        "reviewer": make_user("reviewer", u["centre"], Role.REVIEWER),
        "callback": make_user("callback", u["centre"], Role.CALLBACK),
        "quality": make_user("quality", u["centre"], Role.QUALITY),
        "centre_admin": make_user("centre_admin", u["centre"], Role.CENTRE_ADMIN),
        "leader": make_user("leader", u["city"], Role.CITY_LEADER),
        "h_hrss": make_user("h_hrss", u["d_hrss"], Role.UNIT_HANDLER),
        "h_urban": make_user("h_urban", u["d_urban"], Role.UNIT_HANDLER),
        "h_east": make_user("h_east", u["x_east"], Role.UNIT_HANDLER, Role.UNIT_ADMIN),
        "h_east_1": make_user("h_east_1", u["s_east_1"], Role.UNIT_HANDLER),
        "h_west": make_user("h_west", u["x_west"], Role.UNIT_HANDLER),
        "nobody": make_user("nobody", u["d_hrss"]),
    }
    return City(u, c, users)


APPEAL = {
    "citizen_name": "张三",
    "citizen_phone": "13800001111",
    "address": "东区东一街道幸福小区3栋",
    "district": "x_east",
    "street": "s_east_1",
    "subject": "反映幸福小区门口占道经营",
    "description": "来电人反映：幸福小区门口每天傍晚有商贩占道经营，影响通行，希望相关部门处理。",
    "appeal_type": "complaint",
    "category": "020101",
}


class Api:
    """A JSON client for /api/v1 that logs in through the token endpoint, as a real client would."""

    def __init__(self, username: str | None = None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if username:
            response = self.post("/auth/token", {"username": username, "password": PASSWORD})
            assert response.status_code == 200, response.content
            self.headers["Authorization"] = f"Bearer {response.json()['token']}"

    def post(self, path: str, body: Any, **headers: str):
        return self.client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                                headers={**self.headers, **headers})

    def get(self, path: str, **params: Any):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def act(self, ticket: dict, action: str, **payload: Any):
        return self.post(f"/tickets/{ticket['id']}/actions/{action}", {"version": ticket["version"], **payload})


@pytest.fixture
def api(city):
    return Api
