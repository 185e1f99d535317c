"""Structured logs: one JSON object per line (REXIAN_LOG_FORMAT=json, the production default), with the
request's id, path and user on every line written while a request is served (core/middleware.py sets them).
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import datetime
from typing import Any

# What the request-logging middleware knows about the request being served, for every line logged meanwhile.
request_context: ContextVar[dict[str, Any] | None] = ContextVar("rexian_request_context", default=None)

# Attributes every LogRecord has: anything else was passed with `extra=` and belongs in the JSON object.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """time (ISO 8601 with offset), level, logger, message, the request's context, then `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(request_context.get() or {})
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """The development format, with the request id when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = request_context.get()
        return f"{line} [{context['request_id']}]" if context else line


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """Django's LOGGING for the chosen format ("json" or "plain")."""
    if log_format not in {"json", "plain"}:
        raise ValueError(f"REXIAN_LOG_FORMAT must be 'json' or 'plain', not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": JsonFormatter},
            "plain": {"()": PlainFormatter, "format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "django_tasks": {"level": "WARNING"},
            # The middleware logs every request once; Django's own request/server lines would repeat them.
            "django.server": {"level": "WARNING"},
        },
    }
