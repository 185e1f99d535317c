"""Reads for routing: the active models, the gazetteer, the machine-dispatch thresholds (each kept a minute
per process and forgotten at once in the process that changes them), the training examples from history,
and the figures of machine dispatch against human dispatch."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef

from rexian.core.cache import TimedCache
from rexian.directory.models import Unit
from rexian.routing.autodispatch import Threshold
from rexian.routing.gazetteer import PLACE_DEPTH, Gazetteer, Place
from rexian.routing.models import AutoDispatchRule, ClassifierModel, ModelStatus, Task
from rexian.routing.textmodel import TextClassifier
from rexian.taxonomy.models import Category
from rexian.taxonomy.selectors import lineage
from rexian.tickets.access import SYSTEM, visible_tickets
from rexian.tickets.models import TicketEvent
from rexian.tickets.workflow import Action, State

_cache = TimedCache(seconds=60)


def forget(*keys: str) -> None:
    """Drop cached reads (all of them when no key is given): after an activation, a rule or a unit changed."""
    _cache.forget(*keys)


# ---- models --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActiveModel:
    pk: int
    task: str
    version: int
    classifier: TextClassifier


def active_model(task: Task | str) -> ActiveModel | None:
    """The task's active model, loaded once per process (until another is activated)."""

    def load() -> ActiveModel | None:
        row = ClassifierModel.objects.filter(task=task, is_active=True, status=ModelStatus.READY).first()
        if row is None or row.blob is None:
            return None
        return ActiveModel(row.pk, row.task, row.version, TextClassifier.from_bytes(zlib.decompress(bytes(row.blob))))

    return _cache.get(f"model:{task}", load)


def appeal_text(subject: str, description: str, address: str = "") -> str:
    """What a model reads of an appeal: the same words at training and at prediction."""
    return " ".join(part for part in (subject.strip(), description.strip(), address.strip()) if part)


def models_by_task() -> dict[str, list[ClassifierModel]]:
    rows = ClassifierModel.objects.select_related("trained_by", "activated_by").defer("blob")
    found: dict[str, list[ClassifierModel]] = {task.value: [] for task in Task}
    for row in rows.order_by("task", "-version"):
        found[row.task].append(row)
    return found


# ---- the gazetteer and the thresholds ------------------------------------------------------------------


def gazetteer() -> Gazetteer:
    def load() -> Gazetteer:
        units = Unit.objects.filter(is_active=True, kind__in=list(PLACE_DEPTH)).values_list(
            "pk", "name", "kind", "path", "short_names"
        )
        ids_by_code = dict(Unit.objects.values_list("code", "pk"))
        places = []
        for pk, name, kind, path, short_names in units:
            ancestors = tuple(ids_by_code[c] for c in path.strip("/").split("/")[:-1] if c in ids_by_code)
            shorts = tuple(s.strip() for s in short_names.replace("，", ",").split(",") if s.strip())
            places.append(Place(pk, name, kind, ancestors, shorts))
        return Gazetteer(places)

    return _cache.get("gazetteer", load)


def thresholds() -> dict[int | None, Threshold]:
    def load() -> dict[int | None, Threshold]:
        return {
            row.category_id: Threshold(row.category_id, row.threshold, row.is_active)
            for row in AutoDispatchRule.objects.all()
        }

    return _cache.get("thresholds", load)


def label_groups(task: Task | str) -> dict[str, str] | None:
    """For the category task, each category code's level-1 branch: a model over many categories trains in
    two stages, the branch and then the category within it (textmodel._TwoStage). None for other tasks."""
    if task != Task.CATEGORY:
        return None
    rows = dict(Category.objects.values_list("pk", "code"))
    top = {}
    for pk, code in rows.items():
        top[code] = rows[lineage(pk)[-1]]
    return top


# ---- training examples from the centre's history --------------------------------------------------------

# A ticket teaches the unit model once a unit has replied to it (that unit was the right one).
REPLIED_STATES = (State.REPLIED, State.CALLBACK_PENDING, State.CLOSED, State.ARCHIVED)


def history_examples(
    task: Task | str, *, level: int | None = None, since: datetime | None = None
) -> tuple[list[str], list[str]]:
    """(texts, labels) from the centre's own tickets for a task; labels are codes (category, unit),
    appeal types, or scope verdicts (in_scope / out_of_scope / emergency)."""
    tickets = visible_tickets(SYSTEM)  # the machine reads the whole history, through the one way in
    if since is not None:
        tickets = tickets.filter(created_at__gte=since)
    fields = ["subject", "description", "address"]
    if task == Task.CATEGORY:
        rows = tickets.exclude(state=State.REGISTERED).filter(category__isnull=False)
        rows = rows.values_list(*fields, "category__code", "category__parent__code", "category__parent__parent__code")
        return _pairs(rows, lambda r: _at_level(r[3:], level))
    if task == Task.APPEAL_TYPE:
        return _pairs(tickets.exclude(state=State.REGISTERED).values_list(*fields, "appeal_type"), lambda r: r[3])
    if task == Task.UNIT:
        rows = tickets.filter(replied_at__isnull=False, lead_unit__isnull=False).values_list(*fields, "lead_unit__code")
        return _pairs(rows, lambda r: r[3])
    return _scope_examples(tickets)


def _at_level(codes: tuple[str | None, ...], level: int | None) -> str:
    """The category code at `level` (1 = top) of a leaf-first chain; the leaf when no level is given."""
    chain = [c for c in codes if c]  # leaf, parent, grandparent
    if level is None or level > len(chain):
        return chain[0]
    return chain[len(chain) - level]


def _pairs(rows: Any, label_of: Callable[[tuple[Any, ...]], str]) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for row in rows.iterator(chunk_size=2000):
        label = label_of(row)
        if label:
            texts.append(appeal_text(row[0], row[1], row[2]))
            labels.append(label)
    return texts, labels


def _scope_examples(tickets: Any) -> tuple[list[str], list[str]]:
    from rexian.intake.models import EmergencyTransfer

    rejected = TicketEvent.objects.filter(ticket=OuterRef("pk"), action=Action.REJECT_OUT_OF_SCOPE)
    transferred = EmergencyTransfer.objects.filter(ticket=OuterRef("pk"))
    rows = (
        tickets.exclude(state=State.REGISTERED)
        .annotate(rejected=Exists(rejected), emergency=Exists(transferred))
        .values_list("subject", "description", "address", "rejected", "emergency")
    )
    return _pairs(rows, lambda r: "emergency" if r[4] else "out_of_scope" if r[3] else "in_scope")


# ---- machine dispatch against human dispatch -------------------------------------------------------------


@dataclass
class DispatchFigures:
    dispatched: int = 0
    returned: int = 0  # an approved return (退单) of this dispatch
    recalled: int = 0  # the dispatcher took it back before the unit signed (machine dispatches only)

    @property
    def return_rate(self) -> float | None:
        return self.returned / self.dispatched if self.dispatched else None


def dispatch_outcomes(since: datetime) -> dict[str, DispatchFigures]:
    """Dispatches since a moment, by the machine and by people, and how many came back: each approved
    return or recall counts against the dispatch before it."""
    events = (
        TicketEvent.objects.filter(
            created_at__gte=since, action__in=[Action.DISPATCH, Action.APPROVE_RETURN, Action.RECALL_DISPATCH]
        )
        .order_by("ticket_id", "seq")
        .values_list("ticket_id", "action", "payload")
    )
    figures = {"machine": DispatchFigures(), "human": DispatchFigures()}
    last: dict[int, DispatchFigures] = {}
    for ticket_id, action, payload in events.iterator(chunk_size=5000):
        if action == Action.DISPATCH:
            bucket = figures["machine" if (payload or {}).get("machine") else "human"]
            bucket.dispatched += 1
            last[ticket_id] = bucket
        elif ticket_id in last:
            bucket = last.pop(ticket_id)
            if action == Action.APPROVE_RETURN:
                bucket.returned += 1
            else:
                bucket.recalled += 1
    return figures


def machine_dispatched(limit: int = 50) -> list[TicketEvent]:
    """The latest machine dispatches, for review."""
    rows = TicketEvent.objects.filter(action=Action.DISPATCH, payload__has_key="machine")
    return list(rows.select_related("ticket").order_by("-created_at")[:limit])
