"""`rexian train --task unit [--level 1] [--since 2026-01-01] [--activate]`: train a model on the centre's own
history, or on a CSV file (`--csv FILE --text-col C --label-col C [--title-col C]`), record it in the registry
with its evaluation, and print the figures."""

from __future__ import annotations

import json
from datetime import datetime, time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rexian.core import clock
from rexian.core.errors import DomainError
from rexian.directory.models import User
from rexian.routing import actions
from rexian.routing.bench import read_labelled
from rexian.routing.models import ClassifierModel, ModelStatus, Task
from rexian.tickets.access import SYSTEM


class Command(BaseCommand):
    help = "Train a routing model (category, appeal_type, unit, scope) on the history or a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--task", required=True, choices=Task.values)
        parser.add_argument("--level", type=int, choices=[1, 2, 3], help="category level (default: the leaf)")
        parser.add_argument("--since", help="only tickets registered on or after this date (YYYY-MM-DD)")
        parser.add_argument("--csv", type=Path, help="train on this file instead of the history")
        parser.add_argument("--text-col")
        parser.add_argument("--label-col")
        parser.add_argument("--title-col")
        parser.add_argument("--activate", action="store_true", help="make it the active model of its task")
        parser.add_argument("--by", help="the username recorded as trainer and activator (a centre admin)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["by"])
        try:
            model = self._train(actor, options)
            if model.status == ModelStatus.READY and options["activate"]:
                model = actions.activate(actor=actor, model_id=model.pk)
        except (DomainError, ValueError) as error:
            raise CommandError(getattr(error, "message", str(error))) from error
        if model.status != ModelStatus.READY:
            raise CommandError(f"训练失败：{model.error}")
        figures = {k: v for k, v in model.evaluation.items() if k not in ("per_label", "threshold_table")}
        shown = {"model": str(model), "id": model.pk, "active": model.is_active, **figures}
        self.stdout.write(json.dumps(shown, ensure_ascii=False))

    def _actor(self, username: str | None) -> Any:
        if not username:
            return SYSTEM
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在。")
        return user

    def _train(self, actor: Any, options: dict[str, Any]) -> ClassifierModel:
        if options["csv"] is None:
            since = _date(options["since"]) if options["since"] else None
            return actions.start_training(
                actor=actor, task=options["task"], level=options["level"], since=since, background=False
            )
        if not options["text_col"] or not options["label_col"]:
            raise CommandError("--csv 需要同时给出 --text-col 和 --label-col。")
        texts, labels = read_labelled(options["csv"], options["text_col"], options["label_col"], options["title_col"])
        return actions.train_from_rows(
            actor=actor, task=options["task"], texts=texts, labels=labels, source=f"CSV：{options['csv'].name}"
        )


def _date(value: str) -> datetime:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise CommandError("--since 应为 YYYY-MM-DD 格式的日期。") from None
    return datetime.combine(day, time.min, tzinfo=clock.SHANGHAI)
