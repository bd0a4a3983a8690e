"""Excel reports in the province's template: a header block found by its labels, then a table."""

from __future__ import annotations

import io
import re
import zipfile

from transforms.submission import (
    FIELDS,
    HEADER_BLOCK_FIELDS,
    TABLE_FIELDS,
    RawRow,
    Unreadable,
    field_for,
    vietnamese_label,
)
from transforms.text import clean

# A report template is a few dozen rows; these bounds keep hostile workbooks cheap to refuse.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ROWS = 5000
MAX_COLUMNS = 200
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def check_archive(data: bytes) -> None:
    """Refuse corrupt zips, zip bombs and sheets too large for a report before parsing them."""
    corrupt = Unreadable(
        "Tệp Excel bị hỏng hoặc không phải tệp .xlsx thật (có thể đang đặt mật khẩu). Hãy mở bằng Excel và lưu lại dạng .xlsx.",
        "The workbook is corrupt or not a real .xlsx (it may be password-protected). Open it in Excel and save as .xlsx.",
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise corrupt from None
    if "xl/workbook.xml" not in archive.namelist():
        raise corrupt
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED_BYTES or total > MAX_COMPRESSION_RATIO * max(len(data), 1):
        raise Unreadable(
            "Tệp Excel giải nén ra quá lớn so với một biểu mẫu báo cáo (nghi là tệp độc hại). Hãy gửi lại đúng biểu mẫu.",
            f"The workbook expands to {total} bytes, far beyond a report form (a zip bomb?). Send the template itself.",
        )
    for entry in entries:
        if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
            try:
                refs = _CELL_REF.findall(archive.read(entry))
            except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile):
                raise corrupt from None
            rows = max((int(row) for _, row in refs), default=0)
            columns = max((_column_number(col) for col, _ in refs), default=0)
            if rows > MAX_ROWS or columns > MAX_COLUMNS:
                raise Unreadable(
                    f"Trang tính dùng tới dòng {rows}, cột {columns}: quá lớn so với biểu mẫu. Hãy xóa các ô thừa.",
                    f"A worksheet reaches row {rows}, column {columns}: far beyond the template. Delete stray cells.",
                )


def _first_visible_sheet(workbook):
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    for index, meta in enumerate(workbook.sheets_metadata):
        if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet:
            return workbook.get_sheet_by_index(index)
    raise Unreadable("Tệp Excel không có trang tính nào đang hiển thị.", "The workbook has no visible worksheet.")


def read_xlsx(data: bytes) -> tuple[list[RawRow], list[str], dict[str, object]]:
    """Rows, missing header fields or columns, and the header block of a workbook in the template."""
    check_archive(data)
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        cells = _first_visible_sheet(workbook).to_python(skip_empty_area=False, nrows=MAX_ROWS)
    except (CalamineError, ValueError, OSError) as error:
        raise Unreadable(
            "Tệp Excel bị hỏng, không đọc được. Hãy mở bằng Excel và lưu lại dạng .xlsx.",
            f"The workbook cannot be read ({type(error).__name__}). Open it in Excel and save it again as .xlsx.",
        ) from None
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
        columns = {field_for(cell): i for i, cell in enumerate(row) if isinstance(cell, str)}
        if "indicator_code" in columns:
            table_start = index
            break
        name, value = _header_label(row)
        if name in HEADER_BLOCK_FIELDS and value is not None:
            header.setdefault(name, value)

    missing = [vietnamese_label(n) for n in HEADER_BLOCK_FIELDS if n not in header]
    if table_start is None:
        return [], missing + [vietnamese_label("indicator_code")], header
    columns.pop(None, None)
    missing += [vietnamese_label(n) for n in TABLE_FIELDS if FIELDS[n][2] and n not in columns]

    rows = []
    for offset, row in enumerate(cells[table_start + 1 :], start=table_start + 2):
        if all(clean(cell) is None for cell in row):
            break
        pick = {name: (row[i] if i < len(row) else None) for name, i in columns.items() if name in TABLE_FIELDS}
        declared = {name: header.get(name) for name in HEADER_BLOCK_FIELDS}
        rows.append(RawRow(source_row=offset, **declared, **{n: pick.get(n) for n in TABLE_FIELDS}))
    return rows, missing, header
