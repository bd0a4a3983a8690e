"""Export one warehouse view or table to CSV, Excel or Parquet (`chiso export`).

The files go to spreadsheets, so CSV and XLSX are safe to open: a text cell that starts like a
formula (`=`, `+`, `-`, `@`, or a tab or carriage return: OWASP's CSV-injection list) gets a
leading `'` and is written as text; numbers stay numbers, and text that is just a number
(`-5`, `+1,5`) is left as it is: a spreadsheet reads it as that number, never as a formula.
Parquet is not opened by spreadsheets and keeps every value verbatim.

The VIEW argument is user input: it must name one of the warehouse's tables or views (checked
against information_schema), and only then is that stored name quoted as an identifier.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.vocabulary import say
from warehouse.db import connect_read_only

FORMATS = ("csv", "xlsx", "parquet")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Text that is only a number (a sign, digits, decimal or grouping marks, an exponent).
PLAIN_NUMBER = r"[+-]?(\d+([.,]\d+)*|[.,]\d+)([eE][+-]?\d+)?"
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER, re.ASCII)
# DuckDB types written as they are; every other type is text in a spreadsheet and is neutralised.
NATIVE_TYPES = {
    "boolean",
    "tinyint",
    "smallint",
    "integer",
    "bigint",
    "hugeint",
    "utinyint",
    "usmallint",
    "uinteger",
    "ubigint",
    "uhugeint",
    "float",
    "double",
    "decimal",
    "varint",
    "bignum",
    "date",
    "time",
    "timestamp",
    "timestamp_s",
    "timestamp_ms",
    "timestamp_ns",
    "timestamp with time zone",
    "time with time zone",
    "interval",
}
EXCEL_NATIVE = (bool, int, float, Decimal, date, time, timedelta, str)
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL = 32_767
BATCH = 10_000


class ExportError(ValueError):
    """A request the user can correct (unknown view, unsupported format, too many rows for Excel)."""


def neutralise(text: str) -> str:
    """`'=1+1` for `=1+1`: a spreadsheet shows it as text instead of evaluating it."""
    if text and text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _neutralise_sql(expression: str) -> str:
    """The SQL twin of `neutralise`, applied by DuckDB while it writes the CSV."""
    starts = _literal("^[=+\\-@\t\r]")
    return (
        f"case when regexp_matches({expression}, {starts})"
        f" and not regexp_full_match({expression}, {_literal(PLAIN_NUMBER)})"
        f" then '''' || {expression} else {expression} end"
    )


def relations(connection) -> list[str]:
    """The warehouse's tables and views, by name."""
    rows = connection.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = current_database() and table_schema = current_schema() order by table_name"
    ).fetchall()
    return [name for (name,) in rows]


def resolve(connection, view: str) -> str:
    """The stored name of the table or view `view` names (case-insensitively, as SQL does)."""
    names = relations(connection)
    found = {name.lower(): name for name in names}.get(view.strip().lower())
    if found is None:
        raise ExportError(f"{view!r} is not a view or table of this warehouse; choose one of: {', '.join(names)}")
    return found


def export_view(warehouse: Path, view: str, fmt: str, output: Path | None = None) -> tuple[Path, int]:
    """Write `view` of `warehouse` to `output` (default `<view>.<fmt>` here); returns the file and its rows."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    with connect_read_only(warehouse) as connection:
        name = resolve(connection, view)
        output = output or Path(f"{name}.{fmt}")
        source = quote_identifier(name)
        [(rows,)] = connection.execute(f"select count(*) from {source}").fetchall()
        if fmt == "xlsx" and rows >= EXCEL_MAX_ROWS:
            raise ExportError(f"{name} has {rows} rows, more than an Excel sheet holds: export it as csv or parquet")
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
        try:
            relation = connection.sql(f"select * from {source}")
            if fmt == "parquet":
                relation.write_parquet(str(partial))
            elif fmt == "csv":
                _write_csv(connection, relation, source, partial)
            else:
                _write_xlsx(relation, name, partial)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    return output, rows


def _write_csv(connection, relation, source: str, target: Path) -> None:
    """DuckDB writes the file (fast), formula-like text neutralised in SQL; UTF-8 with a BOM for Excel."""
    columns = []
    for column, kind in zip(relation.columns, relation.types):
        quoted, header = quote_identifier(column), quote_identifier(neutralise(column))
        if kind.id in NATIVE_TYPES:
            columns.append(f"{quoted} as {header}")
        else:
            columns.append(f"{_neutralise_sql(f'cast({quoted} as varchar)')} as {header}")
    body = target.with_name(target.name + ".body")
    try:
        connection.sql(f"select {', '.join(columns)} from {source}").write_csv(str(body), header=True)
        with target.open("wb") as out, body.open("rb") as data:
            out.write(b"\xef\xbb\xbf")
            while chunk := data.read(1 << 20):
                out.write(chunk)
    finally:
        body.unlink(missing_ok=True)


def _write_xlsx(relation, title: str, target: Path) -> None:
    write_sheet(relation.columns, relation.limit(200).fetchall(), relation.iter_rows(BATCH), title, target)


def write_sheet(columns: list[str], sample: list, rows, title: str, target) -> None:
    """One sheet `title` of `columns` then `rows` (any iterable of tuples; `sample` sizes the columns), written
    to `target` (a path or a binary file): formula-like text neutralised, every text cell a string."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", "_", title)[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value, font=None):
        if isinstance(value, (datetime, time)) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)  # Excel has no time zones: the wall-clock time DuckDB gave
        if isinstance(value, float) and not math.isfinite(value):
            value = str(value)
        elif value is not None and not isinstance(value, EXCEL_NATIVE):
            value = str(value)  # lists, structs, UUIDs, blobs: as text
        if isinstance(value, str):
            value = neutralise(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
            if len(value) > EXCEL_MAX_CELL:
                truncated = f" … [{say('export.truncated')}]"
                value = value[: EXCEL_MAX_CELL - len(truncated)] + truncated
        result = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            result.data_type = "s"  # never a formula, whatever the text
        if font is not None:
            result.font = font
        return result

    for index, column in enumerate(columns, 1):
        width = max([len(column), *(len(str(row[index - 1])) for row in sample if row[index - 1] is not None)])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, width + 2)
    sheet.append([cell(column, bold) for column in columns])
    for row in rows:
        sheet.append([cell(value) for value in row])
    workbook.save(target)


def csv_text(columns: list[str], rows) -> bytes:
    """A small table as CSV for spreadsheets (UTF-8 with a BOM), formula-like text neutralised as in `_write_csv`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(column) for column in columns])
    for row in rows:
        writer.writerow(
            ["" if value is None else neutralise(value) if isinstance(value, str) else value for value in row]
        )
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")
