"""Reading a spreadsheet a user uploads (the first sheet of an .xlsx, or a .csv as Chinese Excel saves it) into
headers and rows: one reader for every import (legacy work orders, the merged hotlines register)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from rexian.core import clock
from rexian.core.errors import ValidationError


@dataclass
class Table:
    """A file's headers and its data rows, each with its number as the spreadsheet shows it (headers: row 1).
    The rows can be walked once."""

    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]


def read_table(stream: IO[bytes], filename: str) -> Table:
    """The first sheet of an .xlsx, or a .csv (UTF-8 with or without BOM, else GB18030, as Chinese Excel
    saves it). Raises ValidationError in Chinese for anything else."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(stream)
    if name.endswith(".csv"):
        return _read_csv(stream.read())
    raise ValidationError("只能导入 .xlsx 或 .csv 文件。", fields={"file": ["只能导入 .xlsx 或 .csv 文件。"]})


def _read_xlsx(stream: IO[bytes]) -> Table:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zip, XML and key errors alike for a damaged or renamed file
        raise _unreadable("无法读取该 Excel 文件（文件损坏，或不是 .xlsx 格式）。") from error
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()  # files written by other tools often misstate their size: read to the real end

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            yield from enumerate((list(r) for r in sheet.iter_rows(min_row=2, values_only=True)), start=2)
        finally:
            workbook.close()

    first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    return Table(_headers(first), rows())


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    if "\x00" in text:
        raise _unreadable("该文件不是文本格式的 CSV（含二进制内容）。")
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 1
        try:
            for number, cells in enumerate(reader, start=2):  # the last number names the bad line
                yield number, cells
        except csv.Error as error:
            raise _unreadable(f"CSV 文件第 {number + 1} 行附近格式有误：{error}") from error

    return Table(_headers(next(reader, [])), rows())


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _unreadable("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码。")


def _unreadable(message: str) -> ValidationError:
    return ValidationError(message, fields={"file": [message]})


def _headers(cells: Sequence[Any]) -> list[str]:
    """Header names, each unique: an empty one is named by its position, a repeated one numbered. Trailing
    empty cells (formatted but unused columns) are no columns."""
    raw = [cell_text(cell) for cell in cells]
    while raw and not raw[-1]:
        raw.pop()
    headers: list[str] = []
    for index, text in enumerate(raw, start=1):
        name = text or f"第{index}列"
        while name in headers:
            name = f"{name}（{index}）"
        headers.append(name)
    return headers


def cell_text(value: Any) -> str:
    """A cell as text: numbers without Excel's ".0" (phone numbers, order numbers), stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# ---- dates in cells ------------------------------------------------------------------------------------------

EXCEL_DAYS = (20000, 80000)  # Excel day numbers read as dates: 1954–2119 (a bare 2023 is no date)
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日",
    "%Y年%m月%d日%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y%m%d",
)  # fmt: skip


def parse_moment(value: Any) -> datetime | None:
    """A date or time as written in old records (or an Excel date cell); naive means Asia/Shanghai."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.min)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = _excel_day(float(value))  # a date cell the sheet did not format as one: Excel's day number
    else:
        moment = _parsed_text(cell_text(value))
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.SHANGHAI)


def _parsed_text(text: str) -> datetime | None:
    text = re.sub(r"\s+", " ", text.replace("：", ":"))
    if re.fullmatch(r"\d+(\.\d+)?", text) and len(text) != 8:  # a day number written out, from a CSV
        return _excel_day(float(text))
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _excel_day(number: float) -> datetime | None:
    low, high = EXCEL_DAYS
    return from_excel(number) if low <= number < high else None
