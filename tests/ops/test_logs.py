"""Structured logs: the JSON formatter and one line per request with its id, never the query string."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from rexian.core.logs import JsonFormatter, logging_config, request_context
from rexian.core.middleware import request_id_from


def _record(message: str, **extra) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "rexian.test", "levelname": "INFO", "levelno": 20, "msg": message})
    record.__dict__.update(extra)
    return record


def test_json_formatter_writes_one_object_with_offset_time_and_extras():
    line = JsonFormatter().format(_record("派单 %s", status=200))
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["level"] == "INFO" and entry["logger"] == "rexian.test" and entry["status"] == 200
    assert entry["time"][-6] in "+-" and entry["time"][-3] == ":"  # 2025-01-02T03:04:05.678+08:00


def test_json_formatter_adds_the_request_being_served():
    token = request_context.set({"request_id": "abc12345", "path": "/console/"})
    try:
        entry = json.loads(JsonFormatter().format(_record("hello")))
    finally:
        request_context.reset(token)
    assert entry["request_id"] == "abc12345" and entry["path"] == "/console/"


def test_log_format_is_checked():
    assert logging_config("json", "INFO")["handlers"]["console"]["formatter"] == "json"
    with pytest.raises(ValueError, match="REXIAN_LOG_FORMAT"):
        logging_config("xml", "INFO")


def test_a_proxy_request_id_is_kept_only_when_sane():
    assert request_id_from("3f2a9c1e-77aa-4bd0-9d1c-000000000001") == "3f2a9c1e-77aa-4bd0-9d1c-000000000001"
    for bad in (None, "", "short", "x" * 65, "abc12345\nforged line", "abc 12345 <script>"):
        generated = request_id_from(bad)
        assert generated != bad and len(generated) == 32


def test_each_request_logs_one_line_without_the_query_string(city, caplog):
    client = Client()
    client.force_login(city.users["intake"])
    with caplog.at_level(logging.INFO, logger="rexian.request"):
        response = client.get("/console/?phone=13800001111", headers={"X-Request-ID": "req-0000-1111"})
    assert response["X-Request-ID"] == "req-0000-1111"
    (record,) = [r for r in caplog.records if r.name == "rexian.request"]
    line = JsonFormatter().format(record)
    assert "13800001111" not in line and "phone" not in line
    entry = json.loads(line)
    assert entry["message"] == "GET /console/ 200" and entry["request_id"] == "req-0000-1111"
    assert entry["status"] == 200 and entry["user_id"] == city.users["intake"].pk and entry["duration_ms"] >= 0


def test_a_request_without_an_id_gets_one(db):
    first, second = Client().get("/healthz"), Client().get("/healthz")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]
