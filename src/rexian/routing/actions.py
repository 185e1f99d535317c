"""Writes for routing: training a model into the registry, activating it, and the machine-dispatch thresholds.

Training is slow (seconds to a minute), so `start_training` records the model row and trains after commit:
in the worker when tasks are queued in the database, else in a background thread of this process. The row's
progress and step are what the console's progress bar shows.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max

from rexian.core import clock
from rexian.core.errors import NotFound, PermissionDenied, ValidationError
from rexian.directory.models import Unit
from rexian.directory.roles import Role
from rexian.routing import selectors
from rexian.routing.autodispatch import MIN_THRESHOLD
from rexian.routing.models import AutoDispatchRule, ClassifierModel, ModelStatus, Task
from rexian.routing.textmodel import TextClassifier, assess, holdout_split
from rexian.taxonomy.choices import AppealType
from rexian.taxonomy.models import Category
from rexian.tickets.access import Actor

log = logging.getLogger("rexian.routing")
ADMIN_ROLES = frozenset({Role.CENTRE_ADMIN, Role.SYSTEM})
HOLDOUT_SHARE = 0.2
PROGRESS_EVERY_SECONDS = 0.5


def _require_admin(actor: Actor | None) -> None:
    if actor is not None and actor.roles.isdisjoint(ADMIN_ROLES):
        raise PermissionDenied("只有中心管理员可以训练、启用模型和设置机器派单。")


# ---- training ------------------------------------------------------------------------------------------


def start_training(
    *,
    actor: Actor | None,
    task: Task | str,
    level: int | None = None,
    since: datetime | None = None,
    background: bool = True,
) -> ClassifierModel:
    """Record a model to be trained on the centre's history, and train it after commit (`background`) or now."""
    _require_admin(actor)
    task = _task(task)
    parameters: dict[str, Any] = {"level": level, "since": since.isoformat() if since else None}
    model = _new_model(actor, task, "本中心历史工单", parameters)
    if not background:
        return run_training(model.pk)
    transaction.on_commit(lambda: _train_later(model.pk))
    return model


def train_from_rows(
    *, actor: Actor | None, task: Task | str, texts: Sequence[str], labels: Sequence[str], source: str
) -> ClassifierModel:
    """Train now on rows from a file (`rexian train --csv`); labels are resolved to codes first."""
    _require_admin(actor)
    task = _task(task)
    codes = resolve_labels(task, labels)
    model = _new_model(actor, task, source, {})
    return run_training(model.pk, texts=texts, labels=codes)


def _task(task: Task | str) -> Task:
    try:
        return Task(task)
    except ValueError:
        raise ValidationError("未知的模型任务。", fields={"task": [f"应为 {', '.join(Task.values)} 之一。"]}) from None


def _new_model(actor: Actor | None, task: Task, source: str, parameters: dict[str, Any]) -> ClassifierModel:
    with transaction.atomic():
        latest = ClassifierModel.objects.select_for_update().filter(task=task).aggregate(v=Max("version"))["v"]
        return ClassifierModel.objects.create(
            task=task,
            version=(latest or 0) + 1,
            source=source[:200],
            parameters=parameters,
            trained_by_id=getattr(actor, "pk", None),
            created_at=clock.now(),
            step="排队等待",
        )


def _train_later(model_id: int) -> None:
    if settings.TASK_MODE == "database":
        from rexian.routing.tasks import train_model

        train_model.enqueue(model_id)
        return

    def work() -> None:
        try:
            run_training(model_id)
        finally:
            connection.close()

    threading.Thread(target=work, name=f"rexian-train-{model_id}", daemon=True).start()


def run_training(
    model_id: int, *, texts: Sequence[str] | None = None, labels: Sequence[str] | None = None
) -> ClassifierModel:
    """Train and evaluate a recorded model: 80 % of the examples train it, the 20 % held back measure it (the
    figures describe exactly the model that is stored). A failure is written on the row, never raised."""
    model = ClassifierModel.objects.get(pk=model_id)
    report = _Progress(model_id)
    try:
        if texts is None or labels is None:
            report(0.01, "读取历史工单")
            since = model.parameters.get("since")
            texts, labels = selectors.history_examples(
                model.task,
                level=model.parameters.get("level"),
                since=datetime.fromisoformat(since) if since else None,
            )
        train_t, train_l, test_t, test_l = holdout_split(texts, labels, share=HOLDOUT_SHARE, seed=0)
        started = time.perf_counter()
        classifier = TextClassifier().fit(
            train_t,
            train_l,
            progress=lambda share, step: report(0.05 + 0.85 * share, step),
            groups=selectors.label_groups(model.task),
        )
        train_s = time.perf_counter() - started
        report(0.92, "评估")
        evaluation = assess(classifier, test_t, test_l, train_s=train_s, n_train=len(train_t))
    except (ValueError, MemoryError) as error:
        return _failed(model_id, str(error))
    ClassifierModel.objects.filter(pk=model_id).update(
        status=ModelStatus.READY,
        progress=1.0,
        step="完成",
        labels=classifier.labels,
        n_train=len(train_t),
        n_test=len(test_t),
        evaluation={**evaluation.to_dict(), "stages": classifier.stages},
        blob=zlib.compress(classifier.to_bytes(), 3),
        finished_at=clock.now(),
    )
    return ClassifierModel.objects.get(pk=model_id)


def _failed(model_id: int, message: str) -> ClassifierModel:
    log.warning("training model %s failed: %s", model_id, message)
    ClassifierModel.objects.filter(pk=model_id).update(
        status=ModelStatus.FAILED, step="失败", error=message[:2000], finished_at=clock.now()
    )
    return ClassifierModel.objects.get(pk=model_id)


class _Progress:
    """Writes the progress on the row at most twice a second: the page polls it."""

    def __init__(self, model_id: int) -> None:
        self.model_id = model_id
        self.last = 0.0

    def __call__(self, share: float, step: str) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_SECONDS:
            return
        self.last = now
        ClassifierModel.objects.filter(pk=self.model_id).update(progress=min(max(share, 0.0), 1.0), step=step[:100])


def resolve_labels(task: Task, labels: Sequence[str]) -> list[str]:
    """Labels from a file, as the codes the registry stores: a category or unit is named by its code, name,
    full path name or short name; an appeal type by its code or label. Unknown labels are refused, all named."""
    lookup = _label_lookup(task)
    if lookup is None:
        return [label.strip() for label in labels]
    unknown = sorted({label for label in labels if label.strip() not in lookup})
    if unknown:
        shown = "、".join(unknown[:10]) + (f" 等 {len(unknown)} 个" if len(unknown) > 10 else "")
        raise ValidationError(f"以下类别在系统中找不到：{shown}", fields={"label": unknown[:50]})
    return [lookup[label.strip()] for label in labels]


def _label_lookup(task: Task) -> dict[str, str] | None:
    if task == Task.CATEGORY:
        rows = Category.objects.values_list("code", "name", "path_name")
        return {name: code for code, *names in rows for name in (code, *names)}
    if task == Task.UNIT:
        lookup = {}
        for unit in Unit.objects.all():
            for name in (unit.code, unit.name, *unit.short_name_list):
                lookup.setdefault(name, unit.code)
        return lookup
    if task == Task.APPEAL_TYPE:
        return {name: code for code, label in AppealType.choices for name in (code, str(label))}
    return None


# ---- activation and thresholds ----------------------------------------------------------------------------


def activate(*, actor: Actor, model_id: int) -> ClassifierModel:
    """Make a ready model the active one of its task (the previous one stays in the registry)."""
    _require_admin(actor)
    with transaction.atomic():
        model = ClassifierModel.objects.select_for_update().filter(pk=model_id).first()
        if model is None:
            raise NotFound("模型不存在。")
        if model.status != ModelStatus.READY:
            raise ValidationError("只能启用训练完成的模型。", fields={"model": ["该模型未训练完成。"]})
        ClassifierModel.objects.filter(task=model.task, is_active=True).update(is_active=False)
        model.is_active = True
        model.activated_by_id = actor.pk
        model.activated_at = clock.now()
        model.save(update_fields=["is_active", "activated_by", "activated_at"])
    _forget(f"model:{model.task}")
    return model


def deactivate(*, actor: Actor, task: Task | str) -> None:
    """No active model for the task: suggestions and machine dispatch stop using it."""
    _require_admin(actor)
    ClassifierModel.objects.filter(task=_task(task), is_active=True).update(is_active=False)
    _forget(f"model:{task}")


def set_threshold(
    *, actor: Actor, category_id: int | None, threshold: float, is_active: bool = True, note: str = ""
) -> AutoDispatchRule:
    """The machine-dispatch threshold for a category's subtree (or, without a category, for all the rest)."""
    _require_admin(actor)
    if not MIN_THRESHOLD <= threshold <= 1.0:
        message = f"阈值应在 {MIN_THRESHOLD:.2f}–1.00 之间。"
        raise ValidationError(message, fields={"threshold": [message]})
    if category_id is not None and not Category.objects.filter(pk=category_id).exists():
        raise ValidationError("分类不存在。", fields={"category": ["分类不存在。"]})
    with transaction.atomic():
        rule, _ = AutoDispatchRule.objects.select_for_update().update_or_create(
            category_id=category_id,
            defaults={"threshold": threshold, "is_active": is_active, "note": note[:200], "updated_by_id": actor.pk},
        )
    _forget("thresholds")
    return rule


def remove_threshold(*, actor: Actor, rule_id: int) -> None:
    _require_admin(actor)
    AutoDispatchRule.objects.filter(pk=rule_id).delete()
    _forget("thresholds")


def _forget(key: str) -> None:
    """This process reads the change at once; again after commit, in case a read in between cached the old."""
    selectors.forget(key)
    transaction.on_commit(lambda: selectors.forget(key))
