"""督办文书: the notices sent to a unit and its subordinates (those awaiting a written explanation first), each
notice's printable page and Word download, and the unit's explanation (书面说明). Centre staff open any
notice; a unit never sees another unit's."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from rexian.core.errors import DomainError, NotFound
from rexian.directory.roles import UNIT_ROLES
from rexian.supervision.actions import explain_notice
from rexian.supervision.models import Notice
from rexian.supervision.selectors import notice_for, unit_notices
from rexian.web.documents import notice_docx
from rexian.web.views.common import paginate, staff_only, workbench


@workbench("notices")
def inbox(request: HttpRequest) -> HttpResponse:
    page = paginate(request, unit_notices(request.user))
    return render(request, "web/console/notices.html", {"active": "notices", "page": page})


def _notice(request: HttpRequest, notice_id: int) -> Notice:
    try:
        return notice_for(request.user, notice_id)
    except NotFound as error:
        raise Http404(error.message) from error


def _may_explain(request: HttpRequest, notice: Notice) -> bool:
    """The form is offered to the receiving unit's people while an explanation is asked for and not given."""
    unit = request.user.unit
    asked = notice.explanation_due_at is not None and notice.explained_at is None
    return asked and unit is not None and not request.user.roles.isdisjoint(UNIT_ROLES) and notice.unit.is_within(unit)


def _page(
    request: HttpRequest, notice: Notice, *, error: DomainError | None = None, values: QueryDict | None = None
) -> HttpResponse:
    context = {
        "active": "notices",
        "notice": notice,
        "may_explain": _may_explain(request, notice),
        "error": error,
        "errors": getattr(error, "fields", None) or {},
        "values": values or {},
    }
    return render(request, "web/console/notice.html", context, status=error.status if error else 200)


@staff_only
def detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    return _page(request, _notice(request, notice_id))


@staff_only
@require_POST
def explain(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = _notice(request, notice_id)
    try:
        explain_notice(actor=request.user, notice_id=notice.pk, explanation=request.POST.get("explanation", ""))
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from error
        return _page(request, _notice(request, notice_id), error=error, values=request.POST)
    messages.success(request, gettext("书面说明已提交。"))
    return redirect("notice", notice_id=notice.pk)


@staff_only
def docx(request: HttpRequest, notice_id: int) -> HttpResponse:
    return notice_docx(_notice(request, notice_id))
