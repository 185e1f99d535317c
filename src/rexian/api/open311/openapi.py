"""The OpenAPI 3.1 document of our Open311 GeoReport v2 endpoints, served at /open311/v2/openapi.json.

It describes the `.json` form of each endpoint (every one also answers in `.xml`, the same data), what our
implementation really answers (views.py, listing.py, services.py), and is what the fuzz tests run against.
"""

from __future__ import annotations

from typing import Any

from rexian.api.open311.services import ATTRIBUTES
from rexian.api.open311.status import STATUSES

TEXT: dict[str, Any] = {"type": "string"}
MAYBE_TEXT: dict[str, Any] = {"type": ["string", "null"]}
MAYBE_NUMBER: dict[str, Any] = {"type": ["number", "null"]}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or list(properties)}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(name: str) -> dict[str, Any]:
    return {"type": "array", "items": _ref(name)}


SCHEMAS: dict[str, Any] = {
    "Error": _object({"code": {"type": "integer"}, "description": TEXT}),
    "Errors": _list_of("Error"),
    "Discovery": _object({
        "changeset": TEXT,
        "contact": TEXT,
        "key_service": TEXT,
        "endpoints": {"type": "array", "items": _object({
            "specification": TEXT, "url": TEXT, "changeset": TEXT, "type": TEXT,
            "formats": {"type": "array", "items": TEXT},
        })},
    }),
    "Service": _object({
        "service_code": TEXT,
        "service_name": TEXT,
        "description": TEXT,
        "metadata": {"type": "boolean"},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": TEXT,
        "group": MAYBE_TEXT,
    }),
    "ServiceDefinition": _object({
        "service_code": TEXT,
        "attributes": {"type": "array", "items": _object({
            "variable": {"type": "boolean"},
            "code": TEXT,
            "datatype": {"type": "string", "enum": ["string", "number", "datetime", "text", "singlevaluelist",
                                                     "multivaluelist"]},
            "required": {"type": "boolean"},
            "datatype_description": TEXT,
            "order": {"type": "integer"},
            "description": TEXT,
            "values": {"type": "array", "items": _object({"key": TEXT, "name": TEXT})},
        })},
    }),
    "ServiceRequest": _object({
        "service_request_id": TEXT,
        "status": {"type": "string", "enum": list(STATUSES)},
        "status_notes": MAYBE_TEXT,
        "service_name": MAYBE_TEXT,
        "service_code": TEXT,
        "description": MAYBE_TEXT,
        "agency_responsible": MAYBE_TEXT,
        "service_notice": MAYBE_TEXT,
        "requested_datetime": {"type": "string", "format": "date-time"},
        "updated_datetime": {"type": ["string", "null"], "format": "date-time"},
        "expected_datetime": {"type": ["string", "null"], "format": "date-time"},
        "address": MAYBE_TEXT,
        "address_id": MAYBE_TEXT,
        "zipcode": MAYBE_TEXT,
        "lat": MAYBE_NUMBER,
        "long": MAYBE_NUMBER,
        "media_url": MAYBE_TEXT,
    }),
    "Filed": _object({"service_request_id": TEXT, "service_notice": TEXT, "account_id": MAYBE_TEXT}),
    "Token": _object({"token": TEXT, "service_request_id": TEXT}),
}


def _answer(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _responses(ok: dict[str, Any], *refusals: str) -> dict[str, Any]:
    """The answer, and the spec's error list for each refusal status."""
    errors = _answer("错误列表 [{code, description}]", _ref("Errors"))
    return {"200": _answer("成功", ok), **dict.fromkeys(refusals, errors)}


def _path_param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": TEXT}


def _query(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": TEXT}


LIST_FILTERS = [
    _query("service_request_id", "逗号分隔的诉求编号；给出时忽略其他条件"),
    _query("service_code", "逗号分隔的服务编码"),
    _query("start_date", "ISO 8601，带时区"),
    _query("end_date", "ISO 8601，带时区；与 start_date 相隔不超过 90 天"),
    _query("status", "open、closed，逗号分隔"),
]

FILING_FIELDS: dict[str, str] = {
    "api_key": "热线中心发放的密钥",
    "service_code": "服务编码（三级分类编码）",
    "jurisdiction_id": "忽略",
    "lat": "纬度（WGS84）",
    "long": "经度（WGS84）",
    "address_string": "地址",
    "address_id": "地址编号",
    "email": "电子邮箱",
    "device_id": "设备编号",
    "account_id": "账户编号",
    "first_name": "名",
    "last_name": "姓",
    "phone": "联系电话；不填为匿名诉求",
    "description": "诉求内容",
    "media_url": "图片网址 http(s)",
    **{f"attribute[{a.code}]": a.description for a in ATTRIBUTES},
}

# What the fields must be beyond text (submit.py checks them); the rest is free text.
FIELD_RULES: dict[str, dict[str, Any]] = {
    "api_key": {"minLength": 1},
    "service_code": {"minLength": 1},
    "lat": {"type": "number", "minimum": -90, "maximum": 90},
    "long": {"type": "number", "minimum": -180, "maximum": 180},
    "address_string": {"minLength": 1},
    "address_id": {"minLength": 1},
}

FILING_BODY: dict[str, Any] = {
    "required": True,
    "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object",
        "properties": {
            name: {"type": "string", "description": text, **FIELD_RULES.get(name, {})}
            for name, text in FILING_FIELDS.items()
        },
        "required": ["api_key", "service_code"],
        # A place: lat and long together, an address, or an address id.
        "anyOf": [{"required": ["lat", "long"]}, {"required": ["address_string"]}, {"required": ["address_id"]}],
    }}},
}


def _get(summary: str, responses: dict[str, Any], parameters: list[dict[str, Any]] | None = None) -> dict:
    return {"summary": summary, "parameters": parameters or [], "responses": responses}


PATHS: dict[str, Any] = {
    "/discovery.json": {"get": _get("服务发现", _responses(_ref("Discovery")))},
    "/services.json": {"get": _get("服务列表", _responses(_list_of("Service")))},
    "/services/{service_code}.json": {"get": _get(
        "服务定义", _responses(_ref("ServiceDefinition"), "404"), [_path_param("service_code", "服务编码")]
    )},
    "/requests.json": {
        "get": _get("诉求列表（最新在前，至多 1000 条）", _responses(_list_of("ServiceRequest"), "400"), LIST_FILTERS),
        "post": {
            "summary": "提交诉求",
            "requestBody": FILING_BODY,
            "responses": _responses(_list_of("Filed"), "400", "403", "429"),
        },
    },
    "/requests/{service_request_id}.json": {"get": _get(
        "诉求详情", _responses(_list_of("ServiceRequest"), "404"), [_path_param("service_request_id", "诉求编号")]
    )},
    "/tokens/{token}.json": {"get": _get(
        "由提交令牌查诉求编号", _responses(_list_of("Token"), "404"), [_path_param("token", "提交时返回的令牌")]
    )},
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Rexian 热线 Open311 GeoReport v2",
            "version": "2",
            "description": "GeoReport v2（http://wiki.open311.org/GeoReport_v2）。每个接口同时提供 .json 与 .xml，"
            "本文档描述 .json。读取无需密钥；提交诉求需 api_key。",
        },
        "servers": [{"url": "/open311/v2"}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
