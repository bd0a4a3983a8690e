"""Excel reports in the province's template: a header block found by its labels, then a table."""

from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

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
# What Excel declares a sheet spans: `<dimension ref="A1:XFD7000"/>` (its last cell).
_DIMENSION = re.compile(
    rb"""<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?ref\s*=\s*["'][^"':]*:?([A-Za-z]{0,4}\d{1,9})["']"""
)
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
    a reference the way readers do (next row, next column). Once past the template's bounds, the rest
    is measured by its references alone, in C-level passes, so the reason states the sheet's size."""
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
            return _whole_extent(xml, element.end(), last_row, last_column, cells)
    return last_row, last_column, cells


def _whole_extent(xml: bytes, start: int, rows: int, columns: int, cells: int) -> tuple[int, int, int]:
    """An oversized sheet's size for its reason, in constant time past the counted part: the sheet's own
    `<dimension>`, its last row and its last cell (spreadsheet programs write them in order), and a count
    of the cell elements left."""
    dimension = _DIMENSION.search(xml)
    for found in (dimension[1] if dimension else None, *(_last(xml, start, name) for name in (b"<row", b"<c "))):
        if found:
            row, column = _reference(b' r="' + found + b'"')
            rows, columns = max(rows, row or 0), max(columns, column or 0)
    return rows, columns, cells + sum(xml.count(element, start) for element in (b"<c ", b"<c>", b"<c/>"))


def _last(xml: bytes, start: int, element: bytes) -> bytes | None:
    at = xml.rfind(element, start)
    found = _REF_ATTRIBUTE.search(xml, at, xml.find(b">", at)) if at >= 0 else None
    return (found[1] or found[2]) if found else None


_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_RELATIONSHIP = re.compile(rb"<" + _PREFIX + rb"Relationship(?=[\s/>])([^>]*)>")
_SHEET = re.compile(rb"<" + _PREFIX + rb"sheet(?=[\s/>])([^>]*)>")
_ATTRIBUTE = re.compile(rb"""([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# A cell of type "e" (a formula error as the clerk sees it: #DIV/0!, #VALUE!, #REF!...) and its value.
_ERROR_TYPE = re.compile(rb"""(?:^|\s)t\s*=\s*(?:"e"|'e')""")
_VALUE = re.compile(rb"<" + _PREFIX + rb"v(?:\s[^>]*)?>([^<]*)<")
_FORMULA = re.compile(rb"<" + _PREFIX + rb"f(?=[\s/>])[^>]*?(?:/>|>([^<]*)<)")


@dataclass
class ReportPart:
    """Where a package keeps its report, found as readers find it: `_rels/.rels` -> the workbook
    part -> its first visible worksheet. Part names compare as python-calamine compares them:
    case-insensitively, with `\\` read as `/`. None where it cannot be found."""

    workbook: str | None = None
    sheet_name: str | None = None
    sheet_part: str | None = None
    sheet_xml: bytes = b""


def _part_key(name: str) -> str:
    return name.replace("\\", "/").casefold()


def _attributes(text: bytes) -> dict[str, str]:
    """Attributes by name; a prefixed one (`r:id`) by `:` and its local name (`:id`)."""
    found = {}
    for prefix, name, double, single in _ATTRIBUTE.findall(text):
        found[(":" if prefix else "") + name.decode()] = html.unescape((double or single).decode("utf-8", "replace"))
    return found


def _resolve(folder: str, target: str) -> str:
    path = target if target.startswith("/") else f"{folder}/{target}"
    parts: list[str] = []
    for piece in path.replace("\\", "/").split("/"):
        if piece == "..":
            parts = parts[:-1]
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _relationships(read, part: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, resolved target) of a part's internal relationships."""
    folder, _, name = part.rpartition("/")
    found = {}
    for element in _RELATIONSHIP.finditer(
        read(f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels") or b""
    ):
        attributes = _attributes(element[1])
        if attributes.get("TargetMode", "").casefold() != "external" and "Target" in attributes:
            found[attributes.get("Id", "")] = (attributes.get("Type", ""), _resolve(folder, attributes["Target"]))
    return found


def report_part(archive: zipfile.ZipFile) -> ReportPart:
    """The workbook part and its first visible worksheet: the sheet `read_xlsx` reads."""
    parts = {_part_key(entry.filename): entry for entry in archive.infolist()}

    def read(name: str) -> bytes | None:
        entry = parts.get(_part_key(name))
        return archive.read(entry) if entry is not None else None

    found = ReportPart()
    documents = [target for kind, target in _relationships(read, "").values() if kind.endswith("/officeDocument")]
    if not documents:
        return found
    found.workbook = documents[0]
    targets = _relationships(read, found.workbook)
    for element in _SHEET.finditer(read(found.workbook) or b""):
        attributes = _attributes(element[1])
        kind, target = targets.get(attributes.get(":id", ""), ("", ""))
        if attributes.get("state", "visible") == "visible" and kind.endswith("/worksheet"):  # not a chart sheet
            found.sheet_name, found.sheet_part = attributes.get("name"), target
            break
    return found


def unshown_values(xml: bytes) -> dict[tuple[int, int], str]:
    """(row, column) -> what the clerk sees in a cell python-calamine reads as blank: a formula error
    (`#DIV/0!`, `#VALUE!`…), or a formula no program has computed yet (`=F13+F14`, no cached value).
    One pass: a cell's content is looked for only up to the next row or cell element."""
    if not _ERROR_TYPE.search(xml) and not _FORMULA.search(xml):
        return {}
    found: dict[tuple[int, int], str] = {}
    pending = None  # the cell whose content comes before the next element
    for element in _ROW_OR_CELL.finditer(xml):
        if pending is not None:
            _add_unshown(found, pending, xml[pending[1] : element.start()])
        pending = (element[2], element.end()) if element[1] == b"c" and not element[2].rstrip().endswith(b"/") else None
    if pending is not None:
        _add_unshown(found, pending, xml[pending[1] :])
    return found


def _add_unshown(found: dict, cell: tuple[bytes, int], content: bytes) -> None:
    attributes, _ = cell
    row, column = _reference(attributes)
    if not (row and column):
        return
    value = _VALUE.search(content)
    cached = clean(html.unescape(value[1].decode("utf-8", "replace"))) if value else None
    if _ERROR_TYPE.search(attributes):
        found[(row, column)] = cached or "#ERROR"
    elif cached is None and (formula := _FORMULA.search(content)):
        found[(row, column)] = "=" + (clean(html.unescape((formula[1] or b"").decode("utf-8", "replace"))) or "…")


class _Prolog(Exception):
    """The prolog of an XML part has been read: the root element starts, or a DTD does."""

    def __init__(self, declares_dtd: bool):
        self.declares_dtd = declares_dtd


def _end_of_prolog(declares_dtd: bool):
    def handler(*_):
        raise _Prolog(declares_dtd)

    return handler


def declares_dtd(part: bytes) -> bool:
    """Whether an XML part has a document type declaration (where entities are declared). Office never
    writes one; an entity expanded under expat's amplification guard turned an 88 KB upload into
    2.35 GB. Only the prolog is parsed (it ends at the root element), in any encoding expat reads."""
    if part.lstrip()[:1] not in (b"<", b"\xef", b"\xff", b"\xfe"):
        return False  # not XML: a picture, a printer's settings
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _end_of_prolog(True)
    parser.StartElementHandler = _end_of_prolog(False)
    try:
        for start in range(0, len(part), 1 << 16):
            parser.Parse(part[start : start + (1 << 16)], False)
        parser.Parse(b"", True)
    except _Prolog as prolog:
        return prolog.declares_dtd
    except expat.ExpatError:
        return False  # not well-formed: the reader says so in its own words
    return False


def _check_extent(xml: bytes, sheet_name: str | None) -> None:
    rows, columns, cells = sheet_extent(xml)
    if rows > MAX_ROWS or columns > MAX_COLUMNS or cells > MAX_CELLS:
        key = "named_sheet_too_large" if sheet_name else "sheet_too_large"
        raise Unreadable(key, sheet=sheet_name, rows=rows, columns=columns, cells=cells)


def check_archive(data: bytes) -> ReportPart:
    """Refuse corrupt zips, zip bombs and report sheets too large for a report before parsing them;
    return where the report is, for the reader."""
    corrupt = Unreadable("workbook_corrupt")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except _ZIP_ERRORS:
        raise corrupt from None
    if len(entries) > MAX_ENTRIES:
        raise Unreadable("workbook_parts", parts=len(entries))
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED_BYTES or total > MAX_COMPRESSION_RATIO * max(len(data), 1):
        raise Unreadable("workbook_expands", size=total)
    try:
        report = report_part(archive)
    except _ZIP_ERRORS:
        raise corrupt from None
    names = {_part_key(entry.filename) for entry in entries}
    if report.workbook is None and "xl/workbook.xml" not in names:
        raise corrupt
    if report.workbook is not None and _part_key(report.workbook) != "xl/workbook.xml":
        raise Unreadable("workbook_part_elsewhere", part=report.workbook)
    # Every part is read, and so checked against its checksum. Only the report's sheet is measured;
    # every part is when the report's sheet cannot be told (a sheet may live under any name).
    sheet = _part_key(report.sheet_part) if report.sheet_part and _part_key(report.sheet_part) in names else None
    for entry in entries:
        try:
            xml = archive.read(entry)
        except _ZIP_ERRORS:
            raise corrupt from None
        if declares_dtd(xml):
            raise Unreadable("workbook_dtd", part=entry.filename[:80])
        if sheet is None:
            _check_extent(xml, None)
        elif _part_key(entry.filename) == sheet:
            _check_extent(xml, report.sheet_name)
            report.sheet_xml = xml
    if sheet is None:
        report.sheet_name = None
    return report


def _first_visible_sheet(workbook) -> tuple[int, str]:
    for index, meta in enumerate(workbook.sheets_metadata):
        if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet:
            return index, meta.name
    raise Unreadable("no_visible_sheet")


_UTF16_STARTS = {b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16", b"<\x00": "utf-16-le", b"\x00<": "utf-16-be"}
_DECLARED_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])[^"']*""")


def utf8_parts(data: bytes) -> bytes:
    """The package with its UTF-16 XML parts (some Office builds write them) re-encoded as UTF-8, which
    is all the workbook reader takes; the bytes unchanged when no part is UTF-16, or when the package
    is not one `check_archive` would let through (it then says why)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
            return data
        encodings = {}
        for entry in entries:
            with archive.open(entry) as stream:
                encodings[entry.filename] = _UTF16_STARTS.get(stream.read(2))
        if not any(encodings.values()):
            return data
        rebuilt = io.BytesIO()
        with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as target:
            for entry in entries:
                part = archive.read(entry)
                encoding = encodings[entry.filename]
                if encoding:
                    text = part.decode(encoding)
                    part = _DECLARED_ENCODING.sub(r"\g<1>UTF-8", text.lstrip("\ufeff"), count=1).encode("utf-8")
                target.writestr(entry.filename, part)
        return rebuilt.getvalue()
    except (*_ZIP_ERRORS, UnicodeError):
        return data


def read_xlsx(data: bytes) -> tuple[list[RawRow], list[str], dict[str, object]]:
    """Rows, missing header fields or columns, and the header block of a workbook in the template."""
    data = utf8_parts(data)
    report = check_archive(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        index, name = _first_visible_sheet(workbook)
        if report.sheet_name is not None and name != report.sheet_name:
            # Not the sheet measured (a package read differently): measure every part, as before.
            archive = zipfile.ZipFile(io.BytesIO(data))
            for entry in archive.infolist():
                _check_extent(archive.read(entry), None)
            report.sheet_xml = b""
        cells = workbook.get_sheet_by_index(index).to_python(skip_empty_area=False, nrows=MAX_ROWS)
    except (CalamineError, ValueError, OSError) as error:
        raise Unreadable("workbook_unreadable", error=type(error).__name__) from None
    # python-calamine reads a formula error, or a formula never computed, as '': the clerk sees #DIV/0! or
    # the formula, and so must the reason (a blank value is "not reported", these are not blank).
    errors = unshown_values(report.sheet_xml)
    for (row, column), shown_error in errors.items():
        if row <= len(cells) and column <= len(cells[row - 1]) and clean(cells[row - 1][column - 1]) is None:
            cells[row - 1][column - 1] = shown_error
    filled = [(r, c) for r, row in enumerate(cells, 1) for c, cell in enumerate(row, 1) if clean(cell) is not None]
    if not filled:
        raise Unreadable("first_sheet_empty")
    if all(cell in errors for cell in filled):
        shown = ", ".join(f"{errors[cell]} ({_cell_name(*cell)})" for cell in filled[:5]) + (
            ", …" if len(filled) > 5 else ""
        )
        raise Unreadable("only_formula_errors", sheet=name, errors=shown)
    return parse_template(cells)


def _cell_name(row: int, column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


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
