"""Writes of the directory app: the register of merged hotlines, imported from a spreadsheet all or nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q

from rexian.core.errors import PermissionDenied, ValidationError
from rexian.core.tables import cell_text, parse_moment
from rexian.directory.models import HotlineMode, MergedHotline, Unit
from rexian.directory.roles import Role

# The register's columns as a centre's spreadsheet names them; 号码 and 热线名称 are required.
HOTLINE_COLUMNS = {
    "number": "号码",
    "name": "热线名称",
    "unit": "主管单位",
    "mode": "整合方式",
    "merged_on": "整合日期",
    "dual_track_until": "双轨运行截止",
    "note": "备注",
}
MODES = {label: code for code, label in HotlineMode.choices} | {code: code for code in HotlineMode.values}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class HotlineImport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)


def import_hotlines(*, actor: Any, headers: Sequence[str], rows: Iterable[tuple[int, list[Any]]]) -> HotlineImport:
    """Add or update (by number) the register's rows; any bad row and nothing is written, every problem named by
    its row and column."""
    if Role.CENTRE_ADMIN not in actor.roles:
        raise PermissionDenied("只有中心管理员可以导入整合热线登记表。")
    missing = [label for key, label in HOTLINE_COLUMNS.items() if key in ("number", "name") and label not in headers]
    if missing:
        raise ValidationError(f"表头缺少：{'、'.join(missing)}。", fields={"file": [f"缺少列：{'、'.join(missing)}"]})
    result = HotlineImport()
    seen: dict[str, int] = {}
    cleaned = [hotline for row, values in rows if (hotline := _row(dict(zip(headers, values, strict=False)), row,
                                                                    seen, result.errors))]  # fmt: skip
    if result.errors:
        return result
    with transaction.atomic():
        for hotline in cleaned:
            _, created = MergedHotline.objects.update_or_create(number=hotline.number, defaults=_fields(hotline))
            result.created += created
            result.updated += not created
    return result


def _fields(hotline: MergedHotline) -> dict[str, Any]:
    return {name: getattr(hotline, name) for name in ("name", "unit", "mode", "merged_on", "dual_track_until", "note")}


def _row(cells: dict[str, Any], row: int, seen: dict[str, int], errors: list[RowError]) -> MergedHotline | None:
    text = {key: cell_text(cells.get(label)) for key, label in HOTLINE_COLUMNS.items()}
    if not any(text.values()):
        return None  # a blank line in the sheet
    problems: list[RowError] = []
    hotline = MergedHotline(number=text["number"], name=text["name"], note=text["note"][:200])
    if text["number"] in seen:
        problems.append(RowError(row, "号码", f"与第 {seen[text['number']]} 行重复。"))
    seen.setdefault(text["number"], row)
    hotline.mode = MODES.get(text["mode"] or HotlineMode.MERGED, "")
    if not hotline.mode:
        problems.append(RowError(row, "整合方式", "应为 整合、双轨运行 或 暂不整合。"))
    if text["unit"]:
        hotline.unit = Unit.objects.filter(Q(code=text["unit"]) | Q(name=text["unit"]), is_active=True).first()
        if hotline.unit is None:
            problems.append(RowError(row, "主管单位", f"找不到单位“{text['unit']}”（填单位编码或全称）。"))
    for key in ("merged_on", "dual_track_until"):
        value = _date(cells.get(HOTLINE_COLUMNS[key]))
        if value is False:
            problems.append(RowError(row, HOTLINE_COLUMNS[key], "日期格式应为 2024-01-31。"))
        else:
            setattr(hotline, key, value)
    problems += _model_problems(hotline, row)
    errors += problems
    return None if problems else hotline


def _model_problems(hotline: MergedHotline, row: int) -> list[RowError]:
    try:
        hotline.full_clean(exclude=["number"] if not hotline.number else None, validate_unique=False)
    except DjangoValidationError as error:
        labels = {f.name: f.verbose_name for f in MergedHotline._meta.fields}
        return [RowError(row, str(labels.get(name, name)), " ".join(messages))
                for name, messages in error.message_dict.items()]  # fmt: skip
    if not hotline.number:
        return [RowError(row, "号码", "必填。")]
    return []


def _date(value: Any) -> date | bool | None:
    """A date cell or text; None when empty; False when it is not a date."""
    if value in (None, ""):
        return None
    moment = parse_moment(value)
    return moment.date() if moment else False
