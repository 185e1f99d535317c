"""The dispatch suggestion: the category (the agent's, or the model's guess), the place (the ticket's own
fields, or the gazetteer's reading of address and text), the dispatch catalogue's row for both (属地管理优先,
谁主管谁负责), and the unit model's guess as a second opinion. Every step says why, in Chinese, and the
machine-dispatch rule (人机双审) says whether the machine may dispatch it by itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rexian.directory.models import CatalogueEntry, Unit
from rexian.directory.selectors import catalogue_entries_for, unit_by_code, unit_by_pk
from rexian.routing import selectors
from rexian.routing.autodispatch import Decision, decide, threshold_for
from rexian.routing.gazetteer import Location
from rexian.routing.models import Task
from rexian.routing.textmodel import Guess
from rexian.taxonomy.models import Category
from rexian.taxonomy.selectors import category_by_code, lineage


@dataclass
class Appeal:
    """What a suggestion reads: a ticket, or the intake form as the agent types."""

    subject: str = ""
    description: str = ""
    address: str = ""
    category: Category | None = None
    district: Unit | None = None
    street: Unit | None = None

    @property
    def text(self) -> str:
        return selectors.appeal_text(self.subject, self.description, self.address)


@dataclass
class Ranked:
    code: str
    name: str
    confidence: float


@dataclass
class Suggestion:
    category: Category | None = None
    category_from_model: bool = False
    category_guesses: list[Ranked] = field(default_factory=list)
    type_guesses: list[Ranked] = field(default_factory=list)
    district: Unit | None = None
    street: Unit | None = None
    place_evidence: list[str] = field(default_factory=list)
    catalogue_row: CatalogueEntry | None = None
    unit: Unit | None = None
    co_units: list[Unit] = field(default_factory=list)
    unit_guesses: list[Ranked] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    decision: Decision | None = None

    @property
    def rule(self) -> str:
        if self.catalogue_row is None:
            return ""
        return "属地管理优先" if self.catalogue_row.district_id else "谁主管谁负责"

    def machine_evidence(self) -> dict[str, object]:
        """What a machine dispatch records in its event: enough to review it later."""
        unit_model = selectors.active_model(Task.UNIT)
        top = self.unit_guesses[0] if self.unit_guesses else None
        return {
            "model": f"unit v{unit_model.version}" if unit_model else "",
            "confidence": round(top.confidence, 4) if top else None,
            "category": self.category.code if self.category else None,
            "reasons": self.reasons,
        }


def suggest_many(appeals: Sequence[Appeal]) -> list[Suggestion]:
    """Suggestions for a page of appeals: each model runs once over the page, the catalogue is read once."""
    texts = [a.text for a in appeals]
    category_guesses = _guesses(Task.CATEGORY, texts)
    unit_guesses = _guesses(Task.UNIT, texts)
    type_guesses = _guesses(Task.APPEAL_TYPE, texts)
    categories = _categories({g.label for gs in category_guesses for g in gs[:1]})
    units = _units({g.label for gs in unit_guesses for g in gs})
    suggestions = []
    for i, appeal in enumerate(appeals):
        s = Suggestion(type_guesses=[Ranked(g.label, g.label, g.confidence) for g in type_guesses[i]])
        _classify(s, appeal, category_guesses[i], categories)
        _place(s, appeal)
        s.unit_guesses = [
            Ranked(g.label, units[g.label].name, g.confidence) for g in unit_guesses[i] if g.label in units
        ]
        suggestions.append(s)
    rows = catalogue_entries_for([(s.category, s.district.pk if s.district else None) for s in suggestions])
    for s, row in zip(suggestions, rows, strict=True):
        _route(s, row)
    return suggestions


def suggest(appeal: Appeal) -> Suggestion:
    return suggest_many([appeal])[0]


def _guesses(task: Task, texts: list[str]) -> list[list[Guess]]:
    model = selectors.active_model(task)
    if model is None or not texts:
        return [[] for _ in texts]
    return model.classifier.guess_many(texts, k=3)


def _categories(codes: set[str]) -> dict[str, Category]:
    return {code: category for code in codes if (category := category_by_code(code)) is not None}


def _units(codes: set[str]) -> dict[str, Unit]:
    return {code: unit for code in codes if (unit := unit_by_code(code, active_only=True)) is not None}


def _classify(s: Suggestion, appeal: Appeal, guesses: list[Guess], categories: dict[str, Category]) -> None:
    s.category_guesses = [Ranked(g.label, "", g.confidence) for g in guesses]
    if appeal.category is not None:
        s.category = appeal.category
        s.reasons.append(f"分类：{appeal.category.path_name}（受理员选定）")
        return
    top = guesses[0] if guesses else None
    if top is not None and top.label in categories:
        s.category, s.category_from_model = categories[top.label], True
        s.reasons.append(f"分类：{s.category.path_name}（模型判断，置信度 {top.confidence:.2f}）")


def _place(s: Suggestion, appeal: Appeal) -> None:
    if appeal.district is not None or appeal.street is not None:
        s.street = appeal.street
        s.district = appeal.district or (appeal.street.parent if appeal.street else None)
        named = s.street or s.district
        s.reasons.append(f"属地：{named.name}（登记信息）")
        return
    location = selectors.gazetteer().locate(appeal.address, appeal.subject, appeal.description)
    if location is None:
        return
    _apply_location(s, location)


def _apply_location(s: Suggestion, location: Location) -> None:
    s.district, s.street = unit_by_pk(location.district_id), unit_by_pk(location.street_id)
    s.place_evidence = [m.matched for m in location.evidence]
    found = s.street or s.district
    if found is not None:
        s.reasons.append(f"属地：{found.name}（从“{'”“'.join(s.place_evidence)}”识别）")


def _route(s: Suggestion, row: CatalogueEntry | None) -> None:
    s.catalogue_row = row
    if row is not None:
        s.unit = row.unit
        s.co_units = list(row.co_units.all())
        s.reasons.append(f"派单目录：{row.category.path_name} → {row.unit.name}（{s.rule}）")
    elif s.category is not None:
        s.reasons.append("派单目录中没有该分类")
    top = s.unit_guesses[0] if s.unit_guesses else None
    if top is not None:
        agree = "，与派单目录一致" if s.unit and s.unit.code == top.code else ""
        s.reasons.append(f"历史相似工单多由 {top.name} 办理（置信度 {top.confidence:.2f}）{agree}")
        if s.unit is None:
            s.unit = unit_by_code(top.code)
    threshold = threshold_for(lineage(s.category.pk if s.category else None), selectors.thresholds())
    s.decision = decide(
        threshold,
        top.code if top else None,
        top.confidence if top else 0.0,
        row.unit.code if row else None,
    )


def appeal_of(ticket: object) -> Appeal:
    """A ticket as an appeal (load its category, district and street with it)."""
    return Appeal(
        subject=getattr(ticket, "subject", ""),
        description=getattr(ticket, "description", ""),
        address=getattr(ticket, "address", ""),
        category=getattr(ticket, "category", None),
        district=getattr(ticket, "district", None),
        street=getattr(ticket, "street", None),
    )
