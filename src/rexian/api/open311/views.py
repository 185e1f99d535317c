"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at /open311/v2/, in .xml and .json.

Reads are public; filing a request needs an `api_key` (Open311Client). Apps are not browsers: no CSRF. Every
error is the spec's list of {code, description}, in the requested format (JSON when the format is unknown).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from rexian.api.open311 import listing, openapi, services, submit
from rexian.api.open311.render import CONTENT_TYPES, FORMATS, JSON, Open311Error, error_response, respond
from rexian.core.inputs import NUL_MESSAGE, unsafe_text
from rexian.core.ratelimit import client_ip, hit

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-21T00:00:00Z"  # when this API last changed in a way clients should notice
DEFAULT_CONTACT = "12345 政务服务便民热线"
KEY_SERVICE = 'api_key 由热线中心发放：管理员在后台“Open311 客户端”中添加，或运行 rexian open311-key "客户端名称"。'
ROOT = "service_requests"

View = Callable[..., HttpResponse]


def endpoint(*methods: str) -> Callable[[View], View]:
    """Check the format and the method, and answer an Open311Error in the spec's shape."""
    allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs: str) -> HttpResponse:
            try:
                if fmt not in FORMATS:
                    raise Open311Error(404, f"不支持的格式 .{fmt}，请用 .xml 或 .json。")
                if request.method not in allowed:
                    allow = ", ".join(sorted(allowed))
                    raise Open311Error(405, f"不支持 {request.method} 方法，可用：{allow}。", headers={"Allow": allow})
                _refuse_unsafe(request, kwargs)
                return view(request, fmt, **kwargs)
            except Open311Error as error:
                return error_response(fmt, error)

        return wrapper

    return decorate


def _refuse_unsafe(request: HttpRequest, path: dict[str, str]) -> None:
    """Text a database cannot store (a NUL, a lone surrogate) is a 400 naming the parameter, not a server error."""
    given = [*path.items(), *request.GET.items(), *request.POST.items()]
    bad = sorted({name for name, value in given if unsafe_text(name) or unsafe_text(value)})
    if bad:
        raise Open311Error(400, *(f"{name}：{NUL_MESSAGE}" for name in bad))


def params_of(request: HttpRequest) -> dict[str, str]:
    """The query string and the form body merged; the body wins."""
    return {**request.GET.dict(), **request.POST.dict()}


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = reverse("open311:discovery", kwargs={"fmt": fmt}).rpartition("/")[0] + "/"
    body = {
        "changeset": CHANGESET,
        "contact": getattr(settings, "REXIAN", {}).get("OPEN311_CONTACT", DEFAULT_CONTACT),
        "key_service": KEY_SERVICE,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri(base),
                "changeset": CHANGESET,
                "type": "production",
                "formats": [CONTENT_TYPES[f].split(";")[0] for f in FORMATS],
            }
        ],
    }
    return respond(fmt, "discovery", body)


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(fmt, "services", services.services())


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    return respond(fmt, "service_definition", services.definition(code))


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    params = params_of(request)
    if request.method == "POST":
        _within_rate(request, params)
        return respond(fmt, ROOT, [_filed(params)])
    return respond(fmt, ROOT, [listing.request_dict(t) for t in listing.requests_matching(params)])


def _within_rate(request: HttpRequest, params: dict[str, str]) -> None:
    """Filing is limited per api_key and client address: one app's bug or one abuser cannot flood the queue."""
    key = f"{params.get('api_key', '')}|{client_ip(request)}"
    if not hit("open311_post", key, limit=settings.REXIAN["OPEN311_POSTS_PER_MINUTE"], window_seconds=60):
        raise Open311Error(429, "提交过于频繁，请一分钟后再试。", headers={"Retry-After": "60"})


def _filed(params: dict[str, str]) -> dict[str, Any]:
    ticket = submit.file_request(params)
    return {
        "service_request_id": ticket.number,
        "service_notice": f"已登记为工单 {ticket.number}，办理进度请查询本接口。",
        "account_id": params.get("account_id") or None,
    }


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, number: str) -> HttpResponse:
    return respond(fmt, ROOT, [listing.request_dict(listing.one_request(number))])


@endpoint("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """Requests are created at once, so the token is the request id itself."""
    try:
        ticket = listing.one_request(token)
    except Open311Error as error:
        raise Open311Error(404, f"token {token} 不存在。") from error
    return respond(fmt, ROOT, [{"token": token, "service_request_id": ticket.number}])


def openapi_document(request: HttpRequest) -> HttpResponse:
    return JsonResponse(openapi.document(), json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    return error_response(JSON, Open311Error(404, f"没有这个接口：/open311/v2/{path}"))
