"""Cleaning of citizen and appeal fields, shared by create and amend. Raises one ValidationError that
names every bad field, so that nothing is half-written."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rexian.core.errors import ValidationError
from rexian.directory.models import MergedHotline, UnitKind
from rexian.directory.selectors import district_of, unit_by_code
from rexian.taxonomy.choices import AppealType, Channel, Urgency
from rexian.taxonomy.selectors import category_by_code
from rexian.tickets.models import DESCRIPTION_MAX

PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{2,30}$")
TEXT_FIELDS: dict[str, tuple[str, int]] = {
    "citizen_name": ("诉求人姓名", 50),
    "address": ("地址", 200),
    "subject": ("标题", 100),
    "description": ("诉求内容", DESCRIPTION_MAX),
    "source_ref": ("来源编号", 100),
}
REQUIRED_TEXT = ("subject", "description")
CHOICES = {"appeal_type": AppealType, "urgency": Urgency, "channel": Channel}
BOOLEANS = ("is_anonymous", "is_confidential")


class FieldErrors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self, message: str = "提交的内容有误，请检查标注的字段。") -> None:
        if self.fields:
            raise ValidationError(message, fields=self.fields)


def clean_text(errors: FieldErrors, field: str, value: Any, *, label: str, limit: int, required: bool = False) -> str:
    """A stripped text value; a missing, over-long or non-text value is recorded in `errors`."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, f"{label}应为文字。")
        return ""
    text = value.strip()
    if required and not text:
        errors.add(field, f"请填写{label}。")
    elif len(text) > limit:
        errors.add(field, f"{label}不能超过 {limit} 个字。")
    return text


def clean_ticket_fields(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """Turn raw appeal fields into model values. Unknown keys are ignored by the caller's schema."""
    errors = FieldErrors()
    cleaned: dict[str, Any] = {}
    for field, (label, limit) in TEXT_FIELDS.items():
        if field in data or not partial:
            cleaned[field] = clean_text(
                errors, field, data.get(field), label=label, limit=limit, required=field in REQUIRED_TEXT
            )
    for field, choices in CHOICES.items():
        if data.get(field) not in (None, ""):
            if data[field] not in choices.values:
                errors.add(field, f"无效的选项：{data[field]}。可选：{'、'.join(choices.values)}。")
            else:
                cleaned[field] = data[field]
    for field in BOOLEANS:
        if field in data and data[field] is not None:
            cleaned[field] = bool(data[field])
    if "citizen_phone" in data:
        phone = (data.get("citizen_phone") or "").strip()
        if phone and not PHONE_RE.match(phone):
            errors.add("citizen_phone", "电话号码格式不正确。")
        cleaned["citizen_phone"] = phone
    if data.get("category") not in (None, ""):
        category = category_by_code(str(data["category"]), active_only=True)
        if category is None:
            errors.add("category", "分类不存在或已停用。")
        cleaned["category"] = category
    for field, kind in (("district", UnitKind.DISTRICT), ("street", UnitKind.STREET)):
        if data.get(field) not in (None, ""):
            unit = unit_by_code(str(data[field]), kind=kind, active_only=True)
            if unit is None:
                errors.add(field, "区县/街道不存在。")
            cleaned[field] = unit
    if not partial:
        if not data.get("appeal_type"):
            errors.add("appeal_type", "请选择诉求类型。")
        if not data.get("is_anonymous") and not cleaned.get("citizen_phone"):
            errors.add("citizen_phone", "请填写联系电话（匿名诉求可不填）。")
    if data.get("hotline") not in (None, ""):
        cleaned["hotline"] = MergedHotline.objects.filter(number=str(data["hotline"]).strip()).first()
        if cleaned["hotline"] is None:
            errors.add("hotline", "该号码不在整合热线登记表中。")
    street, district = cleaned.get("street"), cleaned.get("district")
    if street is not None and district is not None and not street.is_within(district):
        errors.add("street", "街道不属于所选区县。")
    errors.raise_if_any()
    if street is not None and district is None and "district" not in data:
        cleaned["district"] = district_of(street)
    return cleaned
