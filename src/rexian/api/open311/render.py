"""Open311 responses in JSON or XML, and the error list both share.

A response body is plain data: dicts, lists, strings, numbers, booleans, None. JSON writes it as it is; XML
wraps it in the spec's root element, names each list item by its list (services → service, …), writes booleans
as true/false and None as an empty element.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpResponse

JSON, XML = "json", "xml"
FORMATS = (XML, JSON)
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# The element of one item of each list.
ITEM_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_requests": "request",
    "errors": "error",
}


class Open311Error(Exception):
    """An error answered as the spec's list of {code, description}, with the same HTTP status."""

    def __init__(self, status: int, *descriptions: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions or ("请求有误。",)
        self.headers = dict(headers or {})

    def body(self) -> list[dict[str, Any]]:
        return [{"code": self.status, "description": d} for d in self.descriptions]


def scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def build_element(tag: str, value: Any) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, Mapping):
        element.extend(build_element(key, item) for key, item in value.items())
    elif isinstance(value, Sequence) and not isinstance(value, str):
        element.extend(build_element(ITEM_TAGS[tag], item) for item in value)
    else:
        element.text = scalar_text(value)
    return element


def xml_bytes(root: str, body: Any) -> bytes:
    return (XML_DECLARATION + ET.tostring(build_element(root, body), encoding="unicode")).encode()


def respond(fmt: str, root: str, body: Any, *, status: int = 200) -> HttpResponse:
    """`root` names the XML root element (discovery, services, service_definition, service_requests, errors)."""
    content = xml_bytes(root, body) if fmt == XML else json.dumps(body, ensure_ascii=False).encode()
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    response = respond(fmt if fmt in FORMATS else JSON, "errors", error.body(), status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response
