"""The routing API: the suggestion for an appeal as typed (the intake form of another system, a channel
adapter) and, through tickets/api.py, for a registered ticket. Both answer with `SuggestionOut`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from rexian.core.errors import PermissionDenied
from rexian.directory.models import Unit
from rexian.directory.roles import CENTRE_ROLES
from rexian.directory.selectors import unit_by_code
from rexian.routing.suggest import Appeal, Suggestion, suggest
from rexian.taxonomy.selectors import category_by_code
from rexian.tickets.schemas import UnitRef

router = Router(tags=["routing"])


class RankedOut(Schema):
    code: str
    name: str
    confidence: float


class SuggestionOut(Schema):
    unit: UnitRef | None
    co_units: list[UnitRef]
    rule: str = Field(description="属地管理优先 / 谁主管谁负责 / 空（目录无此分类）")
    category: str | None
    category_from_model: bool
    district: UnitRef | None
    street: UnitRef | None
    place_evidence: list[str]
    category_guesses: list[RankedOut]
    type_guesses: list[RankedOut]
    unit_guesses: list[RankedOut]
    reasons: list[str]
    machine_would_dispatch: bool
    machine_why: str


class AppealIn(Schema):
    subject: str = Field("", max_length=100)
    description: str = Field("", max_length=5000)
    address: str = Field("", max_length=200)
    category: str | None = Field(None, description="分类编码（受理员已选时）")
    district: str | None = Field(None, description="区县编码")
    street: str | None = Field(None, description="街道编码")


def _ref(unit: Unit | None) -> dict[str, Any] | None:
    return {"id": unit.pk, "code": unit.code, "name": unit.name} if unit else None


def suggestion_out(s: Suggestion) -> dict[str, Any]:
    return {
        "unit": _ref(s.unit),
        "co_units": [_ref(u) for u in s.co_units],
        "rule": s.rule,
        "category": s.category.code if s.category else None,
        "category_from_model": s.category_from_model,
        "district": _ref(s.district),
        "street": _ref(s.street),
        "place_evidence": s.place_evidence,
        "category_guesses": [vars(g) for g in s.category_guesses],
        "type_guesses": [vars(g) for g in s.type_guesses],
        "unit_guesses": [vars(g) for g in s.unit_guesses],
        "reasons": s.reasons,
        "machine_would_dispatch": bool(s.decision and s.decision.dispatch),
        "machine_why": s.decision.why if s.decision else "",
    }


@router.post("/routing/suggest", response=SuggestionOut, summary="分类与派单建议")
def suggest_for_appeal(request: HttpRequest, payload: AppealIn):
    """The models' guesses, the place found, the catalogue's row and the suggested unit, with the reasons."""
    if request.auth.roles.isdisjoint(CENTRE_ROLES):
        raise PermissionDenied("只有热线中心人员可以获取派单建议。")
    appeal = Appeal(
        subject=payload.subject,
        description=payload.description,
        address=payload.address,
        category=category_by_code(payload.category) if payload.category else None,
        district=unit_by_code(payload.district) if payload.district else None,
        street=unit_by_code(payload.street) if payload.street else None,
    )
    return suggestion_out(suggest(appeal))
