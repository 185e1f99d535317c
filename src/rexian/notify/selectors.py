"""Reads of the notify app: the centre's own wording of the message templates, kept per process."""

from __future__ import annotations

from rexian.core.cache import TimedCache
from rexian.notify.models import MessageTemplate

_templates = TimedCache(seconds=60)


def template_override(code: str) -> MessageTemplate | None:
    """The centre's active wording of template `code`, if it has one. Every message renders a template: they are read
    at most once a minute per process, and again after a change (`forget_templates`)."""

    def load() -> dict[str, MessageTemplate]:
        return {row.code: row for row in MessageTemplate.objects.filter(is_active=True)}

    return _templates.get("overrides", load).get(code)


def forget_templates(**_: object) -> None:
    _templates.forget()
