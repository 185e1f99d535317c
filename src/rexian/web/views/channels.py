"""接入: the register of merged hotlines (一号对外: which old numbers, whose, how merged; imported from Excel) and
the channels appeals come in through (WeChat, SMS, mailboxes, the CTI), with what each has brought in. The centre's
desks read; the centre admin imports (and edits in the admin)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from rexian.core.errors import DomainError
from rexian.core.tables import read_table
from rexian.directory.actions import HOTLINE_COLUMNS, HotlineImport, import_hotlines
from rexian.directory.models import HotlineMode, MergedHotline
from rexian.directory.roles import Role
from rexian.intake.models import ChannelAccount
from rexian.web.views.common import workbench

TABS = ("hotlines", "accounts")


@workbench("channels")
def board(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _page(request: HttpRequest, *, result: HotlineImport | None = None, error: DomainError | None = None,
          status: int = 200) -> HttpResponse:  # fmt: skip
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "hotlines"
    context: dict[str, Any] = {
        "active": "channels",
        "tab": tab,
        "may_import": request.user.has_role(Role.CENTRE_ADMIN),
        "columns": HOTLINE_COLUMNS.values(),
        "result": result,
        "error": error,
    }
    if tab == "hotlines":
        context["hotlines"] = MergedHotline.objects.select_related("unit").annotate(ticket_count=Count("tickets"))
        per_mode = dict(MergedHotline.objects.values_list("mode").annotate(n=Count("pk")))
        context["modes"] = [(label, per_mode.get(code, 0)) for code, label in HotlineMode.choices]
    else:
        context["accounts"] = ChannelAccount.objects.select_related("hotline").annotate(
            messages_total=Count("messages"), last_message=Max("messages__received_at")
        )
    return render(request, "web/channels/board.html", context, status=status)


@workbench("channels")
@require_POST
def import_register(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise DomainError("请选择要导入的 Excel（.xlsx）或 CSV 文件。")
        table = read_table(upload, upload.name)
        result = import_hotlines(actor=request.user, headers=table.headers, rows=table.rows)
    except DomainError as error:
        return _page(request, error=error, status=error.status)
    return _page(request, result=result, status=422 if result.errors else 200)
