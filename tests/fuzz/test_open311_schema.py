"""The Open311 OpenAPI document: it names every endpoint, and Schemathesis over it finds no server error and no
answer that strays from it."""

from __future__ import annotations

import re
import zlib
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from django.urls import URLPattern, resolve
from hypothesis import settings

from rexian.api.open311 import urls
from rexian.api.open311.openapi import document
from rexian.tickets.access import open311_tickets
from tests.fuzz.conftest import FUZZ, FuzzCity, fuzz_config, one_example
from tests.fuzz.test_api_schema import CHECKS

BASE = "/open311/v2"
SAMPLE = {"service_code": "020101", "service_request_id": "X1", "token": "X1"}

schema = schemathesis.openapi.from_dict(document(), config=fuzz_config())
schema.app = WSGIHandler()


def test_the_document_is_served(client: Client) -> None:
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200 and response.json() == document()


def test_the_document_lists_every_endpoint_and_only_those() -> None:
    named = {p.name for p in urls.urlpatterns if isinstance(p, URLPattern) and p.name and p.name != "openapi"}
    documented = set()
    for path in document()["paths"]:
        match = resolve(BASE + re.sub(r"\{(\w+)\}", lambda m: SAMPLE[m.group(1)], path))
        assert match.url_name in named, f"{path} does not reach an Open311 endpoint"
        documented.add(match.url_name)
    assert documented == named


def most(value: object) -> bool:
    """True for three generated values in four, the same ones on every run (str hashes are salted per process)."""
    return isinstance(value, str) and zlib.crc32(f"{value}!".encode("utf-8", "surrogatepass")) % 4 != 0


def steer(case: Any, fuzz: FuzzCity) -> None:
    """Most examples get a real key, a real service and a real request number; the others stay random."""
    numbers = list(open311_tickets().values_list("number", flat=True)) or ["none"]
    params = case.path_parameters or {}
    for name in ("service_request_id", "token"):
        if most(params.get(name)):
            params[name] = numbers[len(params[name]) % len(numbers)]
    if most(params.get("service_code")):
        params["service_code"] = "020101"
    body = case.body if isinstance(case.body, dict) else {}
    if most(body.get("api_key")):
        body["api_key"] = fuzz.open311_key
    if most(body.get("service_code")):
        body["service_code"] = "020101"


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(FUZZ)
def test_open311(case: Any, fuzz_city: FuzzCity, in_process: None) -> None:
    with one_example():
        steer(case, fuzz_city)
        case.call_and_validate(checks=CHECKS)
