"""The console's and the portal's defences: login throttling, idle sessions, password hashing, CSRF on every
form, and appeal texts that carry scripts rendered inert on every page that shows them."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

import rexian.settings as project_settings
from rexian.core import clock
from rexian.tickets.actions import create_ticket
from rexian.web.urls import console_patterns, portal_patterns
from tests.conftest import APPEAL, PASSWORD, Api, City

# ---- login throttling -------------------------------------------------------------------------------------------


def _login(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password, "next": "/console/"})


def test_five_wrong_passwords_lock_the_name_for_a_while_even_with_the_right_one(city: City):
    client = Client()
    for _ in range(5):
        assert _login(client, "dispatcher", "wrong-password").status_code == 200
    locked = _login(client, "dispatcher", PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another name from the same desk still signs in: the name is locked, not the workstation.
    assert _login(Client(), "intake", PASSWORD).status_code == 302


def test_the_lock_ends_with_its_window_and_a_success_clears_the_count(city: City):
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(5):
            _login(Client(), "dispatcher", "wrong-password")
        assert _login(Client(), "dispatcher", PASSWORD).status_code == 429
        traveller.shift(timedelta(minutes=16))
        assert _login(Client(), "dispatcher", PASSWORD).status_code == 302
        for _ in range(4):
            _login(Client(), "dispatcher", "wrong-password")
        assert _login(Client(), "dispatcher", PASSWORD).status_code == 302  # success: the count starts again
        for _ in range(4):
            _login(Client(), "dispatcher", "wrong-password")
        assert _login(Client(), "dispatcher", PASSWORD).status_code == 302


def test_one_address_trying_many_names_is_locked_out(city: City, settings):
    settings.REXIAN = {**settings.REXIAN, "LOGIN_FAILURES_PER_ADDRESS": 6}
    for n in range(6):
        _login(Client(), f"guess{n}", "wrong-password")
    assert _login(Client(), "intake", PASSWORD).status_code == 429


def test_the_api_token_endpoint_is_throttled_the_same_way(city: City):
    api = Api()
    for _ in range(5):
        assert api.post("/auth/token", {"username": "intake", "password": "nope"}).status_code == 401
    refused = api.post("/auth/token", {"username": "intake", "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_attempts" and "分钟后再试" in refused.json()["message"]


# ---- sessions and passwords -----------------------------------------------------------------------------------


def test_an_idle_session_ends_and_the_login_page_says_why(city: City):
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = Client()
        assert _login(client, "dispatcher", PASSWORD).status_code == 302
        assert client.get("/console/dispatch/").status_code == 200
        traveller.shift(timedelta(minutes=50))
        assert client.get("/console/dispatch/").status_code == 200  # activity moves the idle clock on
        traveller.shift(timedelta(minutes=50))
        assert client.get("/console/dispatch/").status_code == 200
        traveller.shift(timedelta(minutes=61))
        gone = client.get("/console/dispatch/")
        assert gone.status_code == 302 and gone["Location"].startswith("/login/?")
        assert "idle=1" in gone["Location"]
        assert "长时间未操作" in client.get(gone["Location"]).content.decode()
        assert client.get("/console/dispatch/").status_code == 302  # signed out for good, not just once


def test_polling_does_not_keep_an_idle_session_alive_and_htmx_is_sent_to_the_login_page(city: City):
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = Client()
        _login(client, "intake", PASSWORD)
        client.get("/console/intake/")
        for _ in range(7):  # the screen pop asks every 2 s; here every 10 minutes for 70 minutes
            traveller.shift(timedelta(minutes=10))
            last = client.get("/console/intake/call", headers={"HX-Request": "true"})
        assert last.status_code == 204 and last["HX-Redirect"].startswith("/login/?")


def test_the_shipped_settings_hash_with_argon2_and_keep_cookies_from_scripts():
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert project_settings.SESSION_COOKIE_HTTPONLY is True
    assert project_settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert project_settings.X_FRAME_OPTIONS == "DENY"


def test_a_password_is_stored_as_argon2(city: City, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = city.users["intake"]
    user.set_password("a-new-pass-2026")
    user.save()
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert Client().login(username="intake", password="a-new-pass-2026")


# ---- CSRF -------------------------------------------------------------------------------------------------------

TEMPLATES = Path(project_settings.BASE_DIR)
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.S | re.I)
# Signed or keyed machine endpoints: a browser's cookie carries no authority there, so CSRF does not apply.
CSRF_EXEMPT_PREFIXES = ("/hooks/", "/open311/")


def test_every_post_form_in_every_template_carries_the_csrf_token():
    missing = []
    for path in TEMPLATES.glob("**/templates/**/*.html"):
        for form in POST_FORM.finditer(path.read_text(encoding="utf-8")):
            if "{% csrf_token %}" not in form.group(1) and "{% csrf_token %}" not in form.group(0):
                missing.append(f"{path.relative_to(TEMPLATES)}: {form.group(0)[:80]}")
    assert missing == []


def test_htmx_requests_send_the_csrf_token_from_the_page():
    base = (TEMPLATES / "web/templates/web/base.html").read_text(encoding="utf-8")
    assert "hx-headers='{\"X-CSRFToken\": \"{{ csrf_token }}\"}'" in base


def _post_urls() -> list[str]:
    kwargs = {"ticket_id": 1, "attachment_id": 1, "watch_id": 1, "alert_id": 1, "notice_id": 1, "model_id": 1,
              "rule_id": 1, "job_id": 1, "report_id": 1, "call_pk": 1, "entry_id": 1, "action": "sign", "part": "xlsx",
              "number": "2026112100001"}  # fmt: skip
    urls = ["/login/", "/logout/"]
    for pattern in [*console_patterns, *portal_patterns]:
        if isinstance(pattern, URLPattern):
            names = pattern.pattern.converters.keys()
            urls.append(reverse(pattern.name, kwargs={name: kwargs[name] for name in names}))
    return urls


def test_every_post_without_the_token_is_refused(city: City):
    create_ticket(actor=city.users["intake"], data=APPEAL)
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.users["centre_admin"])
    anonymous = Client(enforce_csrf_checks=True)
    accepted = []
    for url in _post_urls():
        for who in (client, anonymous):
            response = who.post(url, {"subject": "x", "citizen_phone": "13800001111"})
            if response.status_code not in (403, 405):
                accepted.append((url, response.status_code))
    assert accepted == []


def test_only_machine_endpoints_are_exempt_from_csrf():
    exempt = []

    def walk(patterns, prefix: str = "") -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, route)
            elif getattr(p.callback, "csrf_exempt", False):
                exempt.append("/" + route)

    walk(get_resolver().url_patterns)
    # Ninja marks its views exempt and checks CSRF itself for cookie sessions (api/auth.StaffSessionAuth).
    outside = [r for r in exempt if not r.startswith((*CSRF_EXEMPT_PREFIXES, "/api/v1/"))]
    assert outside == [] and exempt


def test_the_api_refuses_a_cookie_session_post_without_the_token(city: City):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.users["intake"])
    response = client.post("/api/v1/tickets", APPEAL, content_type="application/json")
    assert response.status_code in (401, 403)


# ---- XSS --------------------------------------------------------------------------------------------------------

PAYLOADS = ['<script>alert("x1")</script>', '"><img src=x onerror=alert("x2")>', "javascript:alert('x3')//",
            "<svg/onload=alert('x4')>"]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_scripts_in_an_appeal_are_shown_as_text_on_every_page(city: City, seeded_rules):
    appeal = {**APPEAL, "subject": "路灯不亮" + PAYLOADS[0], "description": "".join(PAYLOADS),
              "citizen_name": PAYLOADS[1][:20], "address": PAYLOADS[3]}  # fmt: skip
    ticket, _ = create_ticket(actor=city.users["intake"], data=appeal)
    staff = Client()
    staff.force_login(city.users["centre_admin"])
    dispatcher = Client()
    dispatcher.force_login(city.users["dispatcher"])
    citizen = Client()
    citizen.post("/portal/track", {"number": ticket.number, "proof": ticket.query_code})
    pages = [
        (staff, f"/console/tickets/{ticket.pk}/"),
        (dispatcher, "/console/dispatch/"),
        (staff, "/console/search/?q=路灯"),
        (citizen, f"/portal/track/{ticket.number}"),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for raw in ("<script>alert", "<img src=x onerror", "<svg/onload"):
            assert raw not in body, (url, raw)
        assert "&lt;script&gt;alert(&quot;x1&quot;)&lt;/script&gt;" in body or "&lt;script&gt;" in body, url
    # Pages also say so in their headers: no sniffing, no framing.
    response = staff.get(f"/console/tickets/{ticket.pk}/")
    assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"
