"""Open311 services: the active leaf (third-level) categories, grouped by their top-level category.

Only leaves are services: an appeal is classified to a leaf, and a client shows one flat list grouped by
`group`. A leaf is offered while it and its ancestors are active. Every service has the same small set of
attributes, each mapping to a ticket field (see ATTRIBUTES).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from rexian.api.open311.render import Open311Error
from rexian.taxonomy.choices import AppealType
from rexian.taxonomy.models import Category

LEAF_LEVEL = 3
DEFAULT_APPEAL_TYPE = AppealType.HELP  # most Open311 reports ask for something to be fixed (求助)


@dataclass(frozen=True)
class Attribute:
    code: str
    description: str
    datatype_description: str
    values: tuple[tuple[str, str], ...]
    default: str
    boolean: bool = False  # keys "true"/"false" become a Python bool

    def as_dict(self, order: int) -> dict[str, Any]:
        return {
            "variable": True,
            "code": self.code,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": self.datatype_description,
            "order": order,
            "description": self.description,
            "values": [{"key": key, "name": name} for key, name in self.values],
        }


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        code="appeal_type",
        description="诉求类型",
        datatype_description=f"选择一项；不填视为“{DEFAULT_APPEAL_TYPE.label}”。",
        values=tuple((str(value), str(label)) for value, label in AppealType.choices),
        default=DEFAULT_APPEAL_TYPE.value,
    ),
    Attribute(
        code="is_confidential",
        description="是否保密：保密件的诉求人身份只有热线中心可见，诉求内容不在本接口公开",
        datatype_description="true 或 false；不填视为 false。",
        values=(("true", "是"), ("false", "否")),
        default="false",
        boolean=True,
    ),
)


def offered_leaves() -> QuerySet[Category]:
    return Category.objects.filter(
        level=LEAF_LEVEL, is_active=True, parent__is_active=True, parent__parent__is_active=True
    ).select_related("parent__parent")


def service_for(code: str) -> Category | None:
    return offered_leaves().filter(code=code).first()


def service_dict(category: Category) -> dict[str, Any]:
    parent = category.parent
    top = parent.parent if parent else None
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.path_name,
        "metadata": bool(ATTRIBUTES),
        "type": "realtime",
        "keywords": ",".join(c.name for c in (top, parent) if c is not None),
        "group": top.name if top else None,
    }


def services() -> list[dict[str, Any]]:
    return [service_dict(c) for c in offered_leaves().order_by("sort_order", "code")]


def definition(code: str) -> dict[str, Any]:
    if service_for(code) is None:
        raise Open311Error(404, f"服务 {code} 不存在或已停用。")
    return {"service_code": code, "attributes": [a.as_dict(i) for i, a in enumerate(ATTRIBUTES, start=1)]}


def attribute_values(given: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The ticket fields from `attribute[CODE]` values (defaults for the missing), and the errors found.
    Attributes we do not define are ignored, as clients may send their own."""
    fields: dict[str, Any] = {}
    errors: list[str] = []
    for attribute in ATTRIBUTES:
        value = (given.get(attribute.code) or "").strip() or attribute.default
        keys = [key for key, _ in attribute.values]
        if value not in keys:
            errors.append(f"attribute[{attribute.code}]：无效的选项 {value}，可选：{'、'.join(keys)}。")
            continue
        fields[attribute.code] = value == "true" if attribute.boolean else value
    return fields, errors
