"""Excel (.xlsx) downloads of lists: one call for every export of the project.

openpyxl's write-only mode streams the rows to a temporary file as they come, so a queryset's
`.iterator()` of 100,000 tickets is never held in memory as cells; only the compressed file is.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Text starting with one of these is taken for a formula by Excel once the cell is edited (or, with "=",
# by openpyxl at once): a citizen's "=HYPERLINK(...)" must stay the text it was.
FORMULA_PREFIXES = ("=", "+", "-", "@")
SHEET_TITLE_LENGTH = 31
SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]\x00-\x1f]")


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 16
    # An Excel number format, e.g. "0.0%" or "yyyy-mm-dd hh:mm"; None keeps openpyxl's default for the type.
    number_format: str | None = None


def xlsx_response(filename: str, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """An .xlsx download of `rows` under a bold, frozen, filterable header. Aware datetimes are written in
    local time (Asia/Shanghai unless TIME_ZONE says otherwise): Excel cannot store a time zone."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    _prepare(sheet, columns)
    try:
        count = _append_rows(sheet, columns, rows)
    except Exception:
        # Finish the half-written sheet so that openpyxl's temporary file goes now, not at the process's exit.
        sheet.close()
        sheet._writer.cleanup()
        raise
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    content = io.BytesIO()
    workbook.save(content)
    name = filename if filename.lower().endswith(".xlsx") else f"{filename}.xlsx"
    return HttpResponse(
        content.getvalue(),
        content_type=CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(as_attachment=True, filename=name)},
    )


def sheet_title(title: str) -> str:
    """`title` as Excel accepts a sheet name: at most 31 characters, none of \\ / * ? : [ ], no edge quote."""
    return SHEET_TITLE_FORBIDDEN.sub(" ", title)[:SHEET_TITLE_LENGTH].strip(" '") or "Sheet1"


def _prepare(sheet: WriteOnlyWorksheet, columns: Sequence[Column]) -> None:
    # A write-only sheet writes its column widths and panes before the first row: set them first.
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, _text(column.header))
        cell.font = bold
        header.append(cell)
    sheet.append(header)


def _append_rows(sheet: WriteOnlyWorksheet, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> int:
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, value, column) for value, column in zip(row, columns, strict=True)])
        count += 1
    return count


def _text(value: str) -> str:
    # Control characters (from pasted text) are not allowed in the file: openpyxl would refuse the row.
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _cell(sheet: WriteOnlyWorksheet, value: Any, column: Column) -> Any:
    """The value as written: a plain value when it needs nothing, else a cell carrying its format."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value).replace(tzinfo=None)
    elif isinstance(value, str):
        value = _text(value)
    guarded = isinstance(value, str) and (value.startswith(FORMULA_PREFIXES) or value in ERROR_CODES)
    if value is None or not (guarded or column.number_format):
        return value
    cell = WriteOnlyCell(sheet, value)
    if guarded:
        # Stored as text with Excel's hidden leading apostrophe: shown as written, still text when edited.
        cell.data_type = "s"
        cell.quotePrefix = True
    if column.number_format:
        cell.number_format = column.number_format
    return cell
