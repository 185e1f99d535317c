"""The JSON API at /api/v1, assembled from each app's router. Every error body is {code, message, fields}."""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from rexian.analytics.api import router as analytics_router
from rexian.api.auth import AUTH, issue_token
from rexian.core.errors import DomainError
from rexian.directory.api import router as directory_router
from rexian.intake.api import router as intake_router
from rexian.routing.api import router as routing_router
from rexian.taxonomy.api import router as taxonomy_router
from rexian.telephony.api import router as telephony_router
from rexian.tickets.api import router as tickets_router


class Utf8JSONRenderer(JSONRenderer):
    """Chinese as UTF-8, not \\u escapes: smaller, and readable in logs and curl."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=Utf8JSONRenderer(),
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
    return error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", "资源不存在。")


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


@api.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut}, tags=["auth"], summary="获取令牌")
def token(request: HttpRequest, payload: TokenIn):
    issued = issue_token(payload.username, payload.password)
    if issued is None:
        return Status(401, {"code": "invalid_credentials", "message": "用户名或密码错误。", "fields": {}})
    raw, row = issued
    return {"token": raw, "expires_at": row.expires_at.isoformat()}


api.add_router("", tickets_router)
api.add_router("", directory_router)
api.add_router("", taxonomy_router)
api.add_router("", routing_router)
api.add_router("", intake_router)
api.add_router("", analytics_router)
api.add_router("", telephony_router)
