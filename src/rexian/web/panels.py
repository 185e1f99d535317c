"""The intake workbench's side panels: each looks at the form as the agent types and says something useful
— the scope and emergency screening, the classifier's guesses, the dispatch suggestion with its reasons,
possible duplicates. The knowledge base's answers have their own, faster request (web/views/intake.knowledge):
they follow every pause in typing while these wait for a longer one.

Titles and empty messages are marked for the catalogue here and translated by the template; the items are
translated as they are made, in the language of the request.

A panel is a function (actor, reading) -> Panel. They must be cheap: they run on every pause in typing, so
the form is read once (`intake.selectors.AppealAsTyped`) and the suggestion computed once for all panels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext, gettext_noop

from rexian.intake.screening import SERVICE_LABELS, Concern
from rexian.intake.selectors import AppealAsTyped, screen_text
from rexian.routing import selectors as routing
from rexian.routing.models import Task
from rexian.taxonomy.choices import AppealType
from rexian.taxonomy.selectors import category_by_code
from rexian.tickets.access import Actor

# Model scores at or above this share of probability are worth a warning.
SCOPE_SCORE_WARNING = 0.5


@dataclass
class Panel:
    key: str
    title: str
    items: list[dict[str, Any]] = field(default_factory=list)
    empty: str = ""
    warn: bool = False
    alarm: dict[str, str] | None = None  # an emergency: the red banner with the number to transfer to


def scope_panel(actor: Actor, reading: AppealAsTyped) -> Panel:
    """Emergencies to hand over now, appeals the hotline does not take: the centre's rules plus the model."""
    items: list[dict[str, Any]] = []
    alarm = None
    for hit in screen_text(reading.text) if reading.text else []:
        rule = hit.rule
        if rule.concern == Concern.EMERGENCY:
            to = gettext(SERVICE_LABELS.get(rule.transfer_to, rule.transfer_to))
            text = gettext("提到“%(word)s”：如正在发生，请立即转 %(to)s") % {"word": hit.matched, "to": to}
            items.append({"text": text, "emergency": True})
            alarm = alarm or {"service": rule.transfer_to, "label": to, "reason": rule.reason or hit.matched}
        else:
            why = gettext("提到“%(word)s”：%(why)s") % {"word": hit.matched, "why": rule.reason}
            items.append({"text": why, "reject": True, "reason": rule.reason, "redirect_to": rule.redirect_to})
    items += _scope_scores(reading)
    title, empty = gettext_noop("受理范围提示"), gettext_noop("未发现紧急或不予受理的情形。")
    return Panel("scope", title, items, empty, warn=bool(items), alarm=alarm)


def _scope_scores(reading: AppealAsTyped) -> list[dict[str, Any]]:
    model = routing.active_model(Task.SCOPE) if reading.text else None
    if model is None:
        return []
    scores = {g.label: g.confidence for g in model.classifier.guess(reading.text, k=3)}
    words = {"emergency": gettext("模型判断疑似紧急警情"), "out_of_scope": gettext("模型判断疑似不属受理范围")}
    return [
        {"text": f"{words[label]}（{scores[label]:.0%}）", "score": True}
        for label in ("emergency", "out_of_scope")
        if scores.get(label, 0.0) >= SCOPE_SCORE_WARNING
    ]


def classification_panel(actor: Actor, reading: AppealAsTyped) -> Panel:
    """The models' guesses of category and type, each with a button that fills the form."""
    title = gettext_noop("智能分类")
    s = reading.suggestion
    if s is None or not (s.category_guesses or s.type_guesses):
        return Panel("classify", title, [], gettext_noop("输入诉求内容后显示分类建议（需启用分类模型）。"))
    names = {g.code: found.path_name for g in s.category_guesses if (found := category_by_code(g.code))}
    items = [
        {"text": f"{names.get(g.code, g.code)} · {g.confidence:.0%}", "fill": "id_category", "value": g.code,
         "shown": f"{g.code} {names.get(g.code, '')}"}
        for g in s.category_guesses if g.code in names
    ]  # fmt: skip
    types = dict(AppealType.choices)
    items += [
        {"text": f"{gettext('诉求类型')}：{gettext(str(types.get(g.code, g.code)))} · {g.confidence:.0%}",
         "fill_name": "appeal_type", "value": g.code}
        for g in s.type_guesses[:2]
    ]  # fmt: skip
    return Panel("classify", title, items)


TITLE_ROUTING = gettext_noop("派单建议")


def routing_panel(actor: Actor, reading: AppealAsTyped) -> Panel:
    s = reading.suggestion
    if s is None or (s.unit is None and not s.reasons):
        return Panel("routing", TITLE_ROUTING, [], gettext_noop("选择分类或输入内容后显示建议承办单位及理由。"))
    items: list[dict[str, Any]] = []
    if s.unit is not None:
        items.append({"text": gettext("建议承办：%(unit)s") % {"unit": s.unit.name}, "strong": True})
    items += [{"text": reason, "muted": True} for reason in s.reasons]
    if s.decision is not None and s.decision.dispatch:
        items.append({"text": gettext("保存后将由机器派单（%(why)s）") % {"why": s.decision.why}})
    return Panel("routing", TITLE_ROUTING, items)


def duplicate_panel(actor: Actor, reading: AppealAsTyped) -> Panel:
    """The same caller's open appeals and similar recent ones nearby: merge instead of registering again."""
    found = reading.duplicates(actor)
    items = [{"ticket": d.ticket, "text": "；".join(d.reasons), "merge": True} for d in found]
    title, empty = gettext_noop("疑似重复诉求"), gettext_noop("未发现近 30 天内的同类未办结诉求。")
    return Panel("duplicates", title, items, empty, warn=bool(items))


PANELS: tuple[Callable[[Actor, AppealAsTyped], Panel], ...] = (
    scope_panel,
    classification_panel,
    routing_panel,
    duplicate_panel,
)


def panels_for(actor: Actor, values: Mapping[str, Any]) -> list[Panel]:
    reading = AppealAsTyped(values)
    return [panel(actor, reading) for panel in PANELS]
