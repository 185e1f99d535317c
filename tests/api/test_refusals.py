"""Refusals a program meets before any operation runs: a path that names none, a forgotten token, a browser
session without its CSRF token. Each is the API's {code, message, fields} body in Chinese, never a page."""

from __future__ import annotations

import json

from django.test import Client

from tests.conftest import APPEAL, PASSWORD


def refusal(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["fields"] == {}
    return body["message"]


def test_a_path_that_names_no_operation_is_a_json_404(api, city):
    message = refusal(api("intake").get("/tickets/of-yesterday/export.xls"), 404, "not_found")
    assert "/api/v1/tickets/of-yesterday/export.xls" in message
    refusal(Client().post("/api/v1/no-such-thing", data="{}", content_type="application/json"), 404, "not_found")


def test_a_program_that_forgot_its_token_is_asked_for_one(city):
    client = Client(enforce_csrf_checks=True)  # a program: no cookies, no CSRF token
    response = client.post("/api/v1/tickets", data=json.dumps(APPEAL), content_type="application/json")
    assert "令牌" in refusal(response, 401, "unauthenticated")


def test_a_browser_session_without_its_csrf_token_is_refused_in_chinese(city):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="intake", password=PASSWORD)
    assert client.get("/api/v1/tickets").status_code == 200  # reading needs no CSRF token
    response = client.post("/api/v1/tickets", data=json.dumps(APPEAL), content_type="application/json")
    assert "X-CSRFToken" in refusal(response, 403, "csrf_failed")
