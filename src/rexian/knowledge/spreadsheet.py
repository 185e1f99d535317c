"""Knowledge entries in and out of spreadsheets, as units send their lists: Excel (.xlsx) or CSV, one entry
per row. A row with a 编号 (KB12) changes that entry; a row without one adds an entry.

An import checks every row first and writes nothing unless every row is right: the report names each bad row,
its field and what is wrong, so the unit fixes its file and sends it again. Then all rows are written in one
transaction, each through knowledge.actions (versions, index), so that a failure half-way leaves nothing.
The export writes the same columns, so a unit can export its entries, edit them in Excel and import them back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.db import transaction
from django.http import HttpResponse

from rexian.core.errors import DomainError, ValidationError
from rexian.core.tables import read_table
from rexian.core.xlsx import Column, xlsx_response
from rexian.knowledge import actions
from rexian.knowledge.models import Entry
from rexian.knowledge.rules import Party, Step
from rexian.knowledge.selectors import entry_by_code, visible_entries
from rexian.tickets.access import Actor

MAX_ROWS = 5000
MAX_ERRORS = 500  # a file wrong throughout: the first ones say enough

# (field, header, other headers accepted for it)
COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("code", "编号", ("条目编号", "code")),
    ("title", "标题", ("问题", "知识标题", "title")),
    ("variants", "问法", ("常见问法", "相似问法", "variants")),
    ("answer", "标准答复", ("答复", "答案", "标准答案", "answer")),
    ("plain_answer", "白话版", ("白话答复", "通俗解读", "plain_answer")),
    ("unit", "维护单位", ("单位", "责任单位", "unit")),
    ("categories", "分类", ("分类编码", "categories")),
    ("tags", "标签", ("关键词", "tags")),
    ("links", "相关链接", ("链接", "links")),
    ("effective_from", "生效日期", ("effective_from",)),
    ("expires_on", "失效日期", ("到期日期", "expires_on")),
)
REQUIRED = ("title", "answer", "unit")
LABELS = {name: header for name, header, _ in COLUMNS}


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    @property
    def column(self) -> str:
        return LABELS.get(self.field, self.field)


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_entries(*, actor: Actor, stream: IO[bytes], filename: str, publish: bool = False) -> ImportReport:
    """Check every row, then write them all or none. `publish`: a centre editor's rows go live at once."""
    table = read_table(stream, filename)
    columns = _columns(table.headers)
    rows = []
    for number, cells in table.rows:
        if len(rows) >= MAX_ROWS:
            raise ValidationError(f"一次最多导入 {MAX_ROWS} 行，请分批导入。", fields={"file": ["行数过多。"]})
        values = {name: _cell(cells, at) for name, at in columns.items()}
        if any(v not in ("", None) for v in values.values()):
            rows.append((number, values))
    report = ImportReport(rows=len(rows))
    report.errors = _check(actor, rows)
    if report.errors:
        return report
    with transaction.atomic():
        for _, values in rows:
            _write(actor, values, publish, report)
    return report


def _columns(headers: Sequence[str]) -> dict[str, int]:
    known = {alias.strip().lower(): name for name, header, aliases in COLUMNS for alias in (header, *aliases)}
    found: dict[str, int] = {}
    for at, header in enumerate(headers):
        name = known.get(str(header or "").strip().lower())
        if name and name not in found:
            found[name] = at
    missing = [LABELS[name] for name in REQUIRED if name not in found]
    if missing:
        message = f"文件缺少这些列：{'、'.join(missing)}（第一行应为列名）。"
        raise ValidationError(message, fields={"file": [message]})
    return found


def _cell(cells: Sequence[Any], at: int) -> Any:
    value = cells[at] if at < len(cells) else None
    if isinstance(value, date):
        return value
    return "" if value is None else str(value).strip()


def _check(actor: Actor, rows: Sequence[tuple[int, dict[str, Any]]]) -> list[RowError]:
    """Every problem of every row, without writing anything."""
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    for number, values in rows:
        if len(errors) >= MAX_ERRORS:
            break
        errors += _row_errors(actor, number, values)
        key = (str(values.get("unit", "")), str(values.get("title", "")))
        if not values.get("code") and key in seen:
            errors.append(RowError(number, "title", f"与第 {seen[key]} 行的单位和标题相同。"))
        seen.setdefault(key, number)
    return errors


def _row_errors(actor: Actor, number: int, values: dict[str, Any]) -> list[RowError]:
    try:
        cleaned, _ = actions.clean_entry(values)
    except DomainError as error:
        return [RowError(number, name, message) for name, messages in error.fields.items() for message in messages]
    code = values.get("code")
    entry = _target(actor, code) if code else None
    if code and entry is None:
        return [RowError(number, "code", f"没有编号为“{code}”的条目，或您无权修改。")]
    units = [cleaned["unit"]] + ([entry.unit] if entry is not None else [])
    if any(not actions.parties(actor, unit) & {Party.EDITOR, Party.OWNER} for unit in units):
        return [RowError(number, "unit", f"您不能维护“{cleaned['unit'].name}”的知识条目。")]
    return []


def _target(actor: Actor, code: str) -> Entry | None:
    entry = entry_by_code(code)
    return entry if entry is not None and visible_entries(actor).filter(pk=entry.pk).exists() else None


def _write(actor: Actor, values: dict[str, Any], publish: bool, report: ImportReport) -> None:
    code = values.pop("code", "")
    if not code:
        actions.create_entry(actor=actor, data={**values, "publish": publish}, step=Step.IMPORT)
        report.created += 1
        return
    entry = entry_by_code(code)
    assert entry is not None  # checked above, in this request
    changed = actions.edit_entry(actor=actor, entry_id=entry.pk, version=entry.version, data=values, note="导入")
    if changed.version == entry.version:
        report.unchanged += 1
    else:
        report.updated += 1


EXPORT_COLUMNS = [Column("编号", 10), Column("标题", 30), Column("问法", 40), Column("标准答复", 60),
                  Column("白话版", 40), Column("维护单位", 24), Column("分类", 16), Column("标签", 16),
                  Column("相关链接", 30), Column("生效日期", 12, "yyyy-mm-dd"), Column("失效日期", 12, "yyyy-mm-dd"),
                  Column("状态", 8)]  # fmt: skip


def export_entries(entries: Iterable[Entry], filename: str = "知识库条目") -> HttpResponse:
    """The entries as an .xlsx with the import's columns (and their status), ready to edit and import again."""
    rows = (
        [e.code, e.title, e.variants, e.answer, e.plain_answer, e.unit.name,
         " ".join(sorted(c.code for c in e.categories.all())), e.tags, e.links, e.effective_from, e.expires_on,
         e.get_status_display()]
        for e in entries
    )  # fmt: skip
    return xlsx_response(filename, "知识库条目", EXPORT_COLUMNS, rows)
