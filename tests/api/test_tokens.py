"""A bearer token's holder is kept a while per process (api/auth.py), so a desk's three requests per appeal do not
each read the token, the user and the roles. What must never be kept: a disabled account, a withdrawn role, an
expired token."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rexian.core import clock
from rexian.directory.models import RoleGrant, User
from rexian.directory.roles import Role
from tests.conftest import APPEAL

pytestmark = pytest.mark.django_db


def test_the_token_is_read_once_for_many_requests(api, city):
    desk = api("intake")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert desk.get("/me").status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and "api_apitoken" in q["sql"]]
    assert len(reads) == 1


def test_a_disabled_account_is_refused_at_once(api, city):
    desk = api("intake")
    assert desk.get("/me").status_code == 200
    user = User.objects.get(username="intake")
    user.is_active = False
    user.save()
    assert desk.get("/me").status_code == 401


def test_a_withdrawn_role_is_withdrawn_at_once(api, city):
    desk = api("intake")
    assert desk.post("/tickets", APPEAL).status_code == 201
    for grant in RoleGrant.objects.filter(user__username="intake", role=Role.INTAKE):
        grant.delete()
    refused = desk.post("/tickets", APPEAL)
    assert refused.status_code == 403, refused.content


def test_an_expired_token_is_refused_though_kept(api, city):
    desk = api("intake")
    assert desk.get("/me").status_code == 200
    later = clock.now() + timedelta(hours=settings.REXIAN["API_TOKEN_TTL_HOURS"], minutes=1)
    with time_machine.travel(later, tick=False):
        assert desk.get("/me").status_code == 401


def test_an_unknown_token_is_refused_and_not_kept(api, city):
    stranger = api()
    stranger.headers["Authorization"] = "Bearer not-a-token"
    for _ in range(2):
        assert stranger.get("/me").status_code == 401
