"""智能分派: the model registry (train with a progress bar, read the evaluation, activate), the machine-dispatch
thresholds with the figures an admin needs to set them, the machine's dispatches with their returns, and
the emergency transfers. Everyone on the page may read; only centre admins change anything (routing/actions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from rexian.core import clock
from rexian.core.errors import DomainError
from rexian.directory.models import Unit
from rexian.directory.roles import Role
from rexian.intake.models import EmergencyService, TransferDirection
from rexian.intake.selectors import transfers
from rexian.routing import actions, selectors
from rexian.routing.models import AutoDispatchRule, ClassifierModel, ModelStatus, Task
from rexian.taxonomy.models import Category
from rexian.web.views.common import paginate, workbench

TABS = ("models", "auto", "transfers")
FIGURES_DAYS = 30


@workbench("routing")
def board(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "models"
    context: dict[str, Any] = {
        "active": "routing",
        "tab": tab,
        "may_change": request.user.has_role(Role.CENTRE_ADMIN),
        "tasks": Task.choices,
    }
    if tab == "models":
        context["models"] = [(Task(t).label, rows) for t, rows in selectors.models_by_task().items()]
    elif tab == "auto":
        context.update(_auto_context())
    else:
        service, direction = request.GET.get("service", ""), request.GET.get("direction", "")
        context["services"], context["directions"] = EmergencyService.choices, TransferDirection.choices
        context["chosen"] = {"service": service, "direction": direction}
        rows = transfers(
            request.user,
            service=service if service in EmergencyService.values else "",
            direction=direction if direction in TransferDirection.values else "",
        )
        context["page"] = paginate(request, rows)
        context["query"] = urlencode({"tab": "transfers", **{k: v for k, v in context["chosen"].items() if v}})
    return render(request, "web/console/routing.html", context)


def _auto_context() -> dict[str, Any]:
    unit_model = ClassifierModel.objects.filter(task=Task.UNIT, is_active=True).defer("blob").first()
    since = clock.now() - timedelta(days=FIGURES_DAYS)
    return {
        "unit_model": unit_model,
        "table": unit_model.evaluation.get("threshold_table", []) if unit_model else [],
        "rules": AutoDispatchRule.objects.select_related("category", "updated_by"),
        "categories": Category.objects.filter(is_active=True).order_by("code"),
        "figures": selectors.dispatch_outcomes(since),
        "figures_days": FIGURES_DAYS,
        "machine_events": selectors.machine_dispatched(),
    }


@workbench("routing")
def model_detail(request: HttpRequest, model_id: int) -> HttpResponse:
    model = get_object_or_404(ClassifierModel.objects.defer("blob"), pk=model_id)
    per_label = sorted((model.evaluation.get("per_label") or {}).items(), key=lambda kv: -kv[1].get("support", 0))
    context = {
        "active": "routing",
        "model": model,
        "table": model.evaluation.get("threshold_table", []),
        "per_label": per_label,
        "names": _label_names(model),
        "may_change": request.user.has_role(Role.CENTRE_ADMIN),
    }
    return render(request, "web/console/routing_model.html", context)


def _label_names(model: ClassifierModel) -> dict[str, str]:
    if model.task == Task.CATEGORY:
        return dict(Category.objects.values_list("code", "path_name"))
    if model.task == Task.UNIT:
        return dict(Unit.objects.values_list("code", "name"))
    return {"in_scope": "受理范围内", "out_of_scope": "不属受理范围", "emergency": "紧急警情"}


@workbench("routing")
def progress(request: HttpRequest, model_id: int) -> HttpResponse:
    """The training progress bar (htmx polls it every second until the model is ready or failed)."""
    model = get_object_or_404(ClassifierModel.objects.defer("blob"), pk=model_id)
    response = render(request, "web/partials/training_progress.html", {"model": model})
    if model.status != ModelStatus.TRAINING:
        response["HX-Trigger"] = "training-finished"
    return response


@require_POST
@workbench("routing")
def train(request: HttpRequest) -> HttpResponse:
    level = request.POST.get("level", "")
    try:
        model = actions.start_training(
            actor=request.user, task=request.POST.get("task", ""), level=int(level) if level.isdigit() else None
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("routing")
    messages.success(request, gettext("已开始训练 %(model)s。") % {"model": model})
    return redirect("routing")


@require_POST
@workbench("routing")
def activate(request: HttpRequest, model_id: int) -> HttpResponse:
    try:
        model = actions.activate(actor=request.user, model_id=model_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("已启用 %(model)s。") % {"model": model})
    return redirect("routing_model", model_id=model_id)


@require_POST
@workbench("routing")
def set_threshold(request: HttpRequest) -> HttpResponse:
    post = request.POST
    category = Category.objects.filter(code=post.get("category", "").strip()).first()
    if post.get("category", "").strip() and category is None:
        messages.error(request, gettext("分类不存在。"))
        return redirect("/console/routing/?tab=auto")
    try:
        threshold = float(post.get("threshold", ""))
        actions.set_threshold(
            actor=request.user,
            category_id=category.pk if category else None,
            threshold=threshold,
            is_active=post.get("is_active") == "on",
            note=post.get("note", ""),
        )
    except ValueError:
        messages.error(request, gettext("阈值应为 0.5–1 之间的小数。"))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("机器派单规则已保存。"))
    return redirect("/console/routing/?tab=auto")


@require_POST
@workbench("routing")
def remove_threshold(request: HttpRequest, rule_id: int) -> HttpResponse:
    try:
        actions.remove_threshold(actor=request.user, rule_id=rule_id)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("/console/routing/?tab=auto")
