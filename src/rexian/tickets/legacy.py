"""Older hotlines' work orders from Excel or CSV: reading the file, mapping its columns to ticket fields, and
cleaning every row, each problem named by row and field (docs/legacy-import.md). Nothing here writes:
`tickets.actions.import_legacy` writes the cleaned rows, all or none.

The cleaning is plain Python over lookups read once (`load_lookups`, `already_imported`), so that 10,000 rows
cost a few queries, not 10,000. Text, phone and length rules are those of the normal create path
(`validation.clean_ticket_fields`); one exception: an old record may lack the phone (many do), and it is not
marked anonymous for that — the citizen gave their name, the old system just did not keep the number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rexian.core import clock
from rexian.core.errors import ValidationError
from rexian.core.tables import Table, cell_text, parse_moment
from rexian.directory.models import Unit, UnitKind
from rexian.taxonomy.choices import AppealType, Channel
from rexian.taxonomy.models import Category
from rexian.tickets.models import Ticket
from rexian.tickets.validation import clean_ticket_fields
from rexian.tickets.workflow import CallbackOutcome

SOURCE_REF_MAX = 100  # Ticket.source_ref
SUBJECT_FROM_CONTENT = 30  # an untitled order is titled by the first characters of its content
RESULT_MAX = 4000  # as a unit's reply


@dataclass(frozen=True)
class Target:
    """A ticket field a column can fill."""

    name: str
    label: str
    required: bool = False
    synonyms: tuple[str, ...] = ()


TARGETS: tuple[Target, ...] = (
    Target("legacy_number", "原工单编号", True, ("工单编号", "工单号", "编号", "原编号", "单号", "受理编号", "流水号")),
    Target("created_at", "登记时间", True, ("来电时间", "受理时间", "登记日期", "创建时间", "来电日期", "受理日期")),
    Target("citizen_name", "诉求人", False, ("来电人", "姓名", "联系人", "来电人姓名", "反映人", "市民姓名")),
    Target("citizen_phone", "联系电话", False, ("电话", "手机", "手机号", "手机号码", "来电号码", "电话号码")),
    Target("address", "地址", False, ("事发地址", "详细地址", "事发地点", "地点")),
    Target("subject", "标题", False, ("工单标题", "主题")),
    Target("description", "诉求内容", True, ("内容", "问题描述", "来电内容", "反映内容", "诉求描述", "工单内容")),
    Target("appeal_type", "诉求类型", False, ("类型", "工单类型", "诉求性质", "来电类型")),
    Target("category", "分类", False, ("诉求分类", "问题分类", "业务分类", "类别")),
    Target("district", "区县", False, ("所属区县", "区域", "行政区", "区/县")),
    Target("unit", "承办单位", False, ("办理单位", "责任单位", "处理单位", "承办部门", "主办单位")),
    Target("result_text", "办理结果", False, ("处理结果", "答复内容", "办理情况", "处理情况", "回复内容", "答复意见")),
    Target("closed_at", "办结时间", False, ("完成时间", "结案时间", "办结日期", "处理完成时间")),
    Target("satisfaction", "满意度", False, ("满意程度", "回访结果", "评价", "满意度评价")),
    Target("source", "原热线", False, ("来源热线", "热线名称", "原热线名称")),
)
TARGET_BY_NAME: dict[str, Target] = {t.name: t for t in TARGETS}
NUMBER_LABEL = TARGET_BY_NAME["legacy_number"].label
ColumnMap = dict[str, str]  # target name → column header

# What old systems write for a rating, as the callback's outcome codes. "一般" (neutral, on five-point scales) is
# read as 基本满意: not a complaint, not praise. An empty or "no rating" cell is no rating.
SATISFACTION_WORDS: dict[str, str] = {
    **dict.fromkeys(("满意", "非常满意", "很满意", "十分满意", "satisfied"), CallbackOutcome.SATISFIED.value),
    **dict.fromkeys(
        ("基本满意", "比较满意", "较满意", "一般", "basically_satisfied"), CallbackOutcome.BASICALLY_SATISFIED.value
    ),
    **dict.fromkeys(("不满意", "非常不满意", "很不满意", "unsatisfied"), CallbackOutcome.UNSATISFIED.value),
}
NO_RATING = frozenset({"", "无", "未评价", "未回访", "无评价", "-", "—", "/"})
APPEAL_TYPES: dict[str, str] = {name: code for code, label in AppealType.choices for name in (code, str(label))}
# ---- the mapping -------------------------------------------------------------------------------------------


def _normalised(header: str) -> str:
    return re.sub(r"[\s*:：()（）]", "", header).lower()


def guess_mapping(headers: Sequence[str]) -> ColumnMap:
    """Target → header from the header names: the label (or field name) first, then the usual synonyms."""
    by_name = {}
    for header in headers:
        by_name.setdefault(_normalised(header), header)
    mapping: ColumnMap = {}
    used: set[str] = set()
    for pass_names in (lambda t: (t.label, t.name), lambda t: t.synonyms):
        for target in TARGETS:
            if target.name in mapping:
                continue
            for name in pass_names(target):
                header = by_name.get(_normalised(name))
                if header is not None and header not in used:
                    mapping[target.name] = header
                    used.add(header)
                    break
    return mapping


def mapping_problems(mapping: Mapping[str, str], headers: Sequence[str]) -> dict[str, list[str]]:
    """Required fields without a column, unknown fields, columns the file does not have; empty when fine."""
    problems: dict[str, list[str]] = {}
    for name, header in mapping.items():
        if name not in TARGET_BY_NAME:
            problems[name] = [f"未知的字段：{name}。"]
        elif header and header not in headers:
            problems[name] = [f"文件中没有“{header}”列。"]
    for target in TARGETS:
        if target.required and not mapping.get(target.name):
            problems.setdefault(target.name, []).append(f"请为“{target.label}”选择对应的列。")
    return problems


def check_mapping(mapping: Mapping[str, str], headers: Sequence[str]) -> ColumnMap:
    """The mapping without its unmapped fields; a ValidationError naming every problem."""
    problems = mapping_problems(mapping, headers)
    if problems:
        raise ValidationError("列映射有误：" + "".join(p for ps in problems.values() for p in ps), fields=problems)
    return {name: header for name, header in mapping.items() if header}


def mapped_rows(table: Table, mapping: Mapping[str, str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each non-empty data row as {target: cell}; blank lines (common at a sheet's end) are skipped."""
    index = {name: table.headers.index(header) for name, header in mapping.items()}
    for number, cells in table.rows:
        if all(cell_text(c) == "" for c in cells):
            continue
        yield number, {name: cells[i] if i < len(cells) else None for name, i in index.items()}


# ---- one row -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet shows it: the headers are row 1
    field: str  # the target's Chinese label
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class LegacyRow:
    """One old work order, clean: what import_legacy writes."""

    row: int
    legacy_number: str
    source: str
    created_at: datetime
    closed_at: datetime | None
    citizen_name: str
    citizen_phone: str
    address: str
    subject: str
    description: str
    appeal_type: str
    category_id: int | None
    district_id: int | None
    unit_id: int | None
    result_text: str
    satisfaction: str  # a CallbackOutcome code, or "" (not rated)

    @property
    def source_ref(self) -> str:
        return source_ref(self.source, self.legacy_number)


def source_ref(source: str, legacy_number: str) -> str:
    """What Ticket.source_ref keeps: the old hotline's name and its number (numbers repeat across hotlines)."""
    return f"{source}:{legacy_number}" if source else legacy_number


@dataclass
class Lookups:
    """Names and codes the rows may use, read once: code, full name or unique name → id (None: ambiguous)."""

    categories: dict[str, int | None]
    districts: dict[str, int | None]
    units: dict[str, int | None]
    now: datetime = field(default_factory=clock.now)


def load_lookups() -> Lookups:
    """Active categories (code, name, full name) and units other than the centre (code, name, short names)."""
    categories = Category.objects.filter(is_active=True).values_list("pk", "code", "name", "path_name")
    units = list(Unit.objects.filter(is_active=True).exclude(kind=UnitKind.CENTRE))
    names = {unit.pk: (unit.name, *unit.short_name_list) for unit in units}
    return Lookups(
        categories=_index((pk, code, (name, path)) for pk, code, name, path in categories),
        districts=_index((u.pk, u.code, names[u.pk]) for u in units if u.kind == UnitKind.DISTRICT),
        units=_index((u.pk, u.code, names[u.pk]) for u in units),
    )


def _index(rows: Iterable[tuple[int, str, Iterable[str]]]) -> dict[str, int | None]:
    index: dict[str, int | None] = {}
    codes: dict[str, int] = {}
    for pk, code, names in rows:
        codes[code] = pk
        for name in names:
            index[name] = pk if index.get(name, pk) == pk else None  # a name two rows share names neither
    return {**index, **codes}  # a code is never ambiguous


class _Errors:
    def __init__(self, row: int) -> None:
        self.row = row
        self.found: list[RowError] = []

    def add(self, name: str, message: str) -> None:
        self.found.append(RowError(self.row, TARGET_BY_NAME[name].label, message))


def clean_row(
    row: int, values: Mapping[str, Any], lookups: Lookups, default_source: str = ""
) -> tuple[LegacyRow | None, list[RowError]]:
    """One row's cells ({target: cell}) as a LegacyRow, or None and every problem of the row."""
    errors = _Errors(row)
    text = {name: cell_text(values.get(name)) for name in TARGET_BY_NAME}
    appeal = _appeal_fields(errors, text)
    created_at = _moment(errors, "created_at", values.get("created_at"), lookups.now, required=True)
    closed_at = _moment(errors, "closed_at", values.get("closed_at"), lookups.now)
    if created_at and closed_at and closed_at < created_at:
        errors.add("closed_at", "办结时间早于登记时间。")
    source = text["source"] or default_source
    number = _legacy_number(errors, text["legacy_number"], source)
    satisfaction = _satisfaction(errors, text["satisfaction"], finished=bool(text["closed_at"]))
    found = {name: _find(errors, name, text[name], table) for name, table in
             (("category", lookups.categories), ("district", lookups.districts), ("unit", lookups.units))}  # fmt: skip
    if errors.found or created_at is None or appeal is None:
        return None, errors.found
    legacy = LegacyRow(
        row=row, legacy_number=number, source=source, created_at=created_at, closed_at=closed_at, **appeal,
        category_id=found["category"], district_id=found["district"], unit_id=found["unit"],
        result_text=text["result_text"], satisfaction=satisfaction,
    )  # fmt: skip
    return legacy, []


def _appeal_fields(errors: _Errors, text: dict[str, str]) -> dict[str, str] | None:
    """The citizen's and the appeal's text fields, by the rules of the normal create path."""
    appeal_type = APPEAL_TYPES.get(text["appeal_type"] or AppealType.OTHER.value)
    if appeal_type is None:
        labels = "、".join(str(label) for label in AppealType.labels)
        errors.add("appeal_type", f"无法识别的诉求类型“{text['appeal_type']}”，可填：{labels}。")
    if len(text["result_text"]) > RESULT_MAX:
        errors.add("result_text", f"办理结果不能超过 {RESULT_MAX} 个字。")
    data = {name: text[name] for name in ("citizen_name", "citizen_phone", "address", "subject", "description")}
    # Untitled: the content's first characters (a missing content is reported once, under its own name).
    data["subject"] = data["subject"] or " ".join(data["description"].split())[:SUBJECT_FROM_CONTENT] or "—"
    try:
        cleaned = clean_ticket_fields(data, partial=True)  # partial: the phone may be missing (see above)
    except ValidationError as error:
        for name, messages in error.fields.items():
            for message in messages:
                errors.add(name, message)
        return None
    if appeal_type is None:
        return None
    return {**{name: cleaned[name] for name in data}, "appeal_type": appeal_type}


def _legacy_number(errors: _Errors, number: str, source: str) -> str:
    if not number:
        errors.add("legacy_number", "请填写原工单编号。")
    elif len(source_ref(source, number)) > SOURCE_REF_MAX:
        errors.add("legacy_number", f"原热线名称与原工单编号合计不能超过 {SOURCE_REF_MAX - 1} 个字。")
    return number


def _moment(errors: _Errors, name: str, value: Any, now: datetime, *, required: bool = False) -> datetime | None:
    label = TARGET_BY_NAME[name].label
    if cell_text(value) == "":
        if required:
            errors.add(name, f"请填写{label}。")
        return None
    moment = parse_moment(value)
    if moment is None:
        errors.add(name, f"无法识别的{label}“{cell_text(value)}”，请写成 2023-05-01 08:30 或 2023/5/1 8:30。")
    elif moment > now:
        errors.add(name, f"{label}晚于现在。")
    return moment


def _satisfaction(errors: _Errors, text: str, *, finished: bool) -> str:
    if text in NO_RATING:
        return ""
    code = SATISFACTION_WORDS.get(text.lower())
    if code is None:
        errors.add("satisfaction", f"无法识别的满意度“{text}”，可填：满意、基本满意、不满意（或留空）。")
    elif not finished:
        errors.add("satisfaction", "未办结（没有办结时间）的工单不能有满意度。")
    return code or ""


def _find(errors: _Errors, name: str, value: str, table: Mapping[str, int | None]) -> int | None:
    if not value:
        return None
    label = TARGET_BY_NAME[name].label
    if value not in table:
        errors.add(name, f"{label}“{value}”不存在或已停用（可填编码或名称）。")
        return None
    if table[value] is None:
        errors.add(name, f"{label}名称“{value}”不唯一，请填写编码或完整名称。")
    return table[value]


# ---- the whole file ----------------------------------------------------------------------------------------


@dataclass
class CheckResult:
    rows: list[LegacyRow]  # the clean rows; written only when `errors` is empty
    errors: list[RowError]
    processed: int  # data rows read (blank lines not counted)


def check_rows(
    rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    lookups: Lookups,
    default_source: str = "",
    progress: Callable[[int], None] | None = None,
    every: int = 200,
) -> CheckResult:
    """Clean every row, find repeated numbers within the file and numbers already imported. `progress` hears
    the rows read every `every` rows, and once at the end."""
    result = CheckResult([], [], 0)
    first_row: dict[str, int] = {}
    for number, values in rows:
        row, errors = clean_row(number, values, lookups, default_source)
        result.processed += 1
        legacy_number = cell_text(values.get("legacy_number"))
        ref = source_ref(cell_text(values.get("source")) or default_source, legacy_number)
        if legacy_number and ref in first_row:
            errors.append(RowError(number, NUMBER_LABEL, f"原工单编号重复：与第 {first_row[ref]} 行相同。"))
        elif legacy_number:
            first_row[ref] = number
        if row is not None and not errors:
            result.rows.append(row)
        result.errors.extend(errors)
        if progress is not None and result.processed % every == 0:
            progress(result.processed)
    result.errors.extend(_imported_before(result.rows))
    result.errors.sort(key=lambda e: e.row)
    if progress is not None:
        progress(result.processed)
    return result


def _imported_before(rows: Sequence[LegacyRow]) -> list[RowError]:
    by_ref = {row.source_ref: row for row in rows}
    found = already_imported(list(by_ref))
    return [
        RowError(by_ref[ref].row, NUMBER_LABEL, f"该工单已导入过（系统工单 {number}）。")
        for ref, number in sorted(found.items(), key=lambda item: by_ref[item[0]].row)
    ]


def already_imported(refs: Iterable[str]) -> dict[str, str]:
    """Which of these source_ref values an earlier import holds: source_ref → that ticket's number. One pass over
    the imported tickets (source_ref has no index: one scan, not one per chunk of the file)."""
    wanted = set(refs)
    rows = Ticket.objects.filter(channel=Channel.IMPORT).values_list("source_ref", "number").order_by()
    return {ref: number for ref, number in rows.iterator(chunk_size=5000) if ref in wanted}
