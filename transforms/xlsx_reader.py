"""Excel reports in the province's template: a header block found by its labels, then a table."""

from __future__ import annotations

import html
import io
import re
import zipfile
import zlib

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from core.text import clean
from transforms.submission import (
    FIELDS,
    HEADER_BLOCK_FIELDS,
    MAX_ROWS,
    TABLE_FIELDS,
    RawRow,
    Unreadable,
    check_cell_lengths,
    field_for,
    vietnamese_label,
)

# A report template is a few dozen rows; these bounds keep hostile workbooks cheap to refuse.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_COLUMNS = 200
MAX_CELLS = 250_000
MAX_ENTRIES = 1000
# A <row> or <c> element in any namespace prefix, and its r="..." attribute in any quoting and order.
_ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_REF_ATTRIBUTE = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REFERENCE = re.compile(r"^\s*\$?([A-Za-z]*)\$?(\d*)\s*$")
# Anything an archive can throw at zipfile: corrupt deflate data, encryption, unknown compression.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)


def _column_number(letters: str) -> int:
    if len(letters) > 4:
        return 1 << 30
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _reference(attributes: bytes) -> tuple[int | None, int | None]:
    """Row and column of an r="B12" (or r="12" on a row) attribute; None for a part not given."""
    found = _REF_ATTRIBUTE.search(attributes)
    if not found:
        return None, None
    text = (found[1] or found[2] or b"").decode("latin-1")
    match = _REFERENCE.match(html.unescape(text) if "&" in text else text)
    if not match:
        return None, None
    letters, digits = match[1], match[2].lstrip("0")
    row = (int(digits or 0) if len(digits) <= 9 else 1 << 30) if match[2] else None
    return row, (_column_number(letters) if letters else None)


def sheet_extent(xml: bytes) -> tuple[int, int, int]:
    """The last row and column a worksheet reaches, and its number of cells, placing cells without
    a reference the way readers do (next row, next column). Stops once past the template's bounds."""
    last_row = last_column = row = column = cells = 0
    for element in _ROW_OR_CELL.finditer(xml):
        given_row, given_column = _reference(element[2])
        if element[1] == b"row":
            row, column = given_row if given_row is not None else row + 1, 0
        else:
            row = given_row if given_row is not None else row
            column = given_column if given_column is not None else column + 1
            cells += 1
        last_row, last_column = max(last_row, row), max(last_column, column)
        if last_row > MAX_ROWS or last_column > MAX_COLUMNS or cells > MAX_CELLS:
            break
    return last_row, last_column, cells


def check_archive(data: bytes) -> None:
    """Refuse corrupt zips, zip bombs and sheets too large for a report before parsing them."""
    corrupt = Unreadable("workbook_corrupt")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except _ZIP_ERRORS:
        raise corrupt from None
    if len(entries) > MAX_ENTRIES:
        raise Unreadable("workbook_parts", parts=len(entries))
    if "xl/workbook.xml" not in archive.namelist():
        raise corrupt
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED_BYTES or total > MAX_COMPRESSION_RATIO * max(len(data), 1):
        raise Unreadable("workbook_expands", size=total)
    # Every part is read (a sheet may live under any name) and checked against its checksum.
    for entry in entries:
        try:
            rows, columns, cells = sheet_extent(archive.read(entry))
        except _ZIP_ERRORS:
            raise corrupt from None
        if rows > MAX_ROWS or columns > MAX_COLUMNS or cells > MAX_CELLS:
            raise Unreadable("sheet_too_large", rows=rows, columns=columns, cells=cells)


def _first_visible_sheet(workbook):
    for index, meta in enumerate(workbook.sheets_metadata):
        if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet:
            return workbook.get_sheet_by_index(index)
    raise Unreadable("no_visible_sheet")


def read_xlsx(data: bytes) -> tuple[list[RawRow], list[str], dict[str, object]]:
    """Rows, missing header fields or columns, and the header block of a workbook in the template."""
    check_archive(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        cells = _first_visible_sheet(workbook).to_python(skip_empty_area=False, nrows=MAX_ROWS)
    except (CalamineError, ValueError, OSError) as error:
        raise Unreadable("workbook_unreadable", error=type(error).__name__) from None
    if not any(clean(cell) is not None for row in cells for cell in row):
        raise Unreadable("first_sheet_empty")
    return parse_template(cells)


def _header_label(row: list) -> tuple[str | None, object]:
    """A header block line: label in column A, value in column B (or after a colon in A)."""
    if not row or not isinstance(row[0], str):
        return None, None
    name = field_for(row[0])
    value = row[1] if len(row) > 1 and clean(row[1]) is not None else None
    if name is None and ":" in row[0]:
        label, _, inline = row[0].partition(":")
        name, value = field_for(label), clean(inline)
    return name, value


def parse_template(cells: list[list]) -> tuple[list[RawRow], list[str], dict[str, object]]:
    header: dict[str, object] = {}
    table_start = None
    for index, row in enumerate(cells):
        check_cell_lengths(row, index + 1)
        columns = {field_for(cell): i for i, cell in enumerate(row) if isinstance(cell, str)}
        if "indicator_code" in columns:
            table_start = index
            break
        name, value = _header_label(row)
        if name in HEADER_BLOCK_FIELDS and value is not None:
            header.setdefault(name, value)

    missing = [vietnamese_label(n) for n in HEADER_BLOCK_FIELDS if n not in header]
    if table_start is None:
        return [], [*missing, vietnamese_label("indicator_code")], header
    columns.pop(None, None)
    missing += [vietnamese_label(n) for n in TABLE_FIELDS if FIELDS[n] and n not in columns]

    rows = []
    for offset, row in enumerate(cells[table_start + 1 :], start=table_start + 2):
        if all(clean(cell) is None for cell in row):
            break
        check_cell_lengths(row, offset)
        pick = {name: (row[i] if i < len(row) else None) for name, i in columns.items() if name in TABLE_FIELDS}
        declared = {name: header.get(name) for name in HEADER_BLOCK_FIELDS}
        rows.append(RawRow(source_row=offset, **declared, **{n: pick.get(n) for n in TABLE_FIELDS}))
    return rows, missing, header
