"""The JSON API at /api/v1, assembled from each app's router. Every error body is {code, message, fields}."""

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from rexian.analytics.api import router as analytics_router
from rexian.api.auth import AUTH, issue_token
from rexian.api.parsing import SafeParser
from rexian.core.errors import DomainError
from rexian.core.ratelimit import client_ip
from rexian.directory import throttle
from rexian.directory.api import router as directory_router
from rexian.intake.api import router as intake_router
from rexian.knowledge.api import router as knowledge_router
from rexian.routing.api import router as routing_router
from rexian.taxonomy.api import router as taxonomy_router
from rexian.telephony.api import router as telephony_router
from rexian.tickets.api import router as tickets_router


class Utf8JSONRenderer(JSONRenderer):
    """Chinese as UTF-8, not \\u escapes: smaller, and readable in logs and curl."""

    json_dumps_params = {"ensure_ascii": False}


ERROR_REF = "#/components/schemas/ErrorOut"
ERROR_SCHEMA = {
    "title": "ErrorOut",
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["code", "message", "fields"],
}


class RexianAPI(NinjaAPI):
    """Ninja documents only the answers a view declares; every operation can also be refused (bad input, no
    login, no right, not found, stale version), always with the same {code, message, fields} body."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None) -> Any:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document.setdefault("components", {}).setdefault("schemas", {}).setdefault("ErrorOut", ERROR_SCHEMA)
        refused = {"description": "请求被拒绝：{code, message, fields}",
                   "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}}
        for operations in document["paths"].values():
            for operation in operations.values():
                operation["responses"].setdefault("4XX", refused)
        return document


api = RexianAPI(
    renderer=Utf8JSONRenderer(),
    parser=SafeParser(),
    title="Rexian 热线 API",
    version="1",
    description="12345 政务服务便民热线工单接口。先 POST /auth/token 取令牌，再以 Authorization: Bearer 调用。",
    auth=AUTH,
    urls_namespace="api-v1",
)

PYDANTIC_MESSAGES = {
    "missing": "必填。",
    "int_parsing": "应为整数。",
    "int_type": "应为整数。",
    "bool_parsing": "应为 true 或 false。",
    "bool_type": "应为 true 或 false。",
    "string_type": "应为文字。",
    "literal_error": "不是可选的值。",
    "greater_than_equal": "数值太小。",
    "less_than_equal": "数值太大。",
    "too_long": "太长。",
    "string_too_long": "太长。",
    "string_pattern_mismatch": "格式不正确。",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD。",
    "date_parsing": "日期格式应为 YYYY-MM-DD。",
    "json_invalid": "JSON 格式错误。",
    "model_attributes_type": "应为 JSON 对象。",
    "dict_type": "应为 JSON 对象。",
    "list_type": "应为列表。",
}


def error(request: HttpRequest, status: int, code: str, message: str, fields: dict | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "fields": fields or {}}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path", "payload", "filters")]
        name = ".".join(loc) or "__all__"
        fields.setdefault(name, []).append(PYDANTIC_MESSAGES.get(item.get("type", ""), item.get("msg", "格式不正确。")))
    return error(request, 422, "validation_error", "提交的内容有误，请检查标注的字段。", fields)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, 401, "unauthenticated", "请先登录或提供有效的令牌。")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja wraps whatever reading the body raised in a 400 "Cannot parse request body", in English.
    cause = exc.__cause__
    if isinstance(cause, DomainError):
        return domain_error(request, cause)
    if isinstance(cause, ValueError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return error(request, 400, "invalid_json", "请求内容不是有效的 JSON（UTF-8 编码的对象）。")
    if exc.status_code == 403 and str(exc) == "CSRF check Failed":  # Ninja's words, with a browser session
        return error(request, 403, "csrf_failed", "CSRF 校验失败：程序请用令牌（Authorization: Bearer）调用；"
                     "在已登录的页面中调用须带 X-CSRFToken 请求头。")  # fmt: skip
    return error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(RequestDataTooBig)
def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return error(request, 413, "too_large", f"请求内容过大（上限 {limit} MB；附件请用上传接口）。")


@api.exception_handler(SuspiciousOperation)
def bad_request(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Too many fields or files, a broken multipart body: the request itself is malformed.
    return error(request, 400, "bad_request", "请求格式不正确。")


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", "资源不存在。")


def unknown_path(request: HttpRequest) -> HttpResponse:
    """Any path under /api/v1/ that names no operation: the same JSON refusal, not a page."""
    message = f"没有这个接口：{request.method} {request.path}（接口列表见 /api/v1/docs）。"
    return error(request, 404, "not_found", message)


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: str


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


@api.post(
    "/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut}, tags=["auth"], summary="获取令牌"
)
def token(request: HttpRequest, payload: TokenIn):
    address = client_ip(request)
    if throttle.refused(payload.username, address):
        return Status(429, {"code": "too_many_attempts", "message": throttle.refused_message(), "fields": {}})
    issued = issue_token(payload.username, payload.password)
    if issued is None:
        throttle.failed(payload.username, address)
        return Status(401, {"code": "invalid_credentials", "message": "用户名或密码错误。", "fields": {}})
    throttle.succeeded(payload.username)
    raw, row = issued
    return {"token": raw, "expires_at": row.expires_at.isoformat()}


api.add_router("", tickets_router)
api.add_router("", directory_router)
api.add_router("", taxonomy_router)
api.add_router("", routing_router)
api.add_router("", intake_router)
api.add_router("", analytics_router)
api.add_router("", telephony_router)
api.add_router("", knowledge_router)
