"""Reading request bodies and query strings for /api/v1: text a database cannot store is refused up front, with
the fields named, instead of failing as a server error at the first query."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from rexian.core.errors import ValidationError
from rexian.core.inputs import NUL_MESSAGE, unsafe_fields


def refuse_unsafe(data: Any) -> None:
    names = unsafe_fields(data)
    if names:
        raise ValidationError("提交的内容有误，请检查标注的字段。", fields={name: [NUL_MESSAGE] for name in names})


class SafeParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        # Ninja turns any exception here into a 400 and keeps it as the cause (see api.http_error).
        data = json.loads(request.body)
        refuse_unsafe(data)
        return data

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        refuse_unsafe(result)  # uploaded files are not text and are skipped
        return result
