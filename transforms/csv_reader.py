"""CSV reports: encoding, delimiter and number convention detected, one row per value."""

from __future__ import annotations

import csv
import io
import re

from transforms.numbers import INTERNATIONAL, VIETNAMESE
from transforms.submission import (
    FIELDS,
    MAX_ROWS,
    RawRow,
    Unreadable,
    cell_too_long,
    check_cell_lengths,
    field_for,
    vietnamese_label,
)

DELIMITERS = (",", ";", "\t")
# A UTF-8 multi-byte sequence: its presence in a file that is not valid UTF-8 means mixed encodings.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
_MAX_FIELDS = 64
# How far down a header row preceded by title or comment lines is looked for, to say so.
_PREAMBLE_LINES = 20


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1258, as the template allows."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise Unreadable("utf16_corrupt", error=f"{error.reason} at byte {error.start}") from None
    if b"\x00" in data:
        if _looks_like_utf16(data):
            raise Unreadable("utf16_without_bom")
        raise Unreadable("binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if len(_UTF8_SEQUENCE.findall(data)) >= 2:
        raise Unreadable("mixed_encodings")
    return data.decode("cp1258", errors="replace")


def _looks_like_utf16(data: bytes) -> bool:
    """ASCII text in UTF-16 without a BOM: a NUL in every other byte, and only there."""
    sample = data[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    return max(even, odd) >= len(sample) // 4 and min(even, odd) == 0


def _malformed(error: csv.Error, line: int) -> Unreadable:
    if "field larger than field limit" in str(error):
        return cell_too_long(line)
    return Unreadable("csv_malformed", line=line, error=error)


def _extra_cells(cells: list[str], header: list[str], line: int) -> Unreadable:
    return Unreadable("extra_cells", line=line, cells=len(cells), columns=len(header))


def sniff_delimiter(text: str) -> str:
    """The delimiter used most in the first record, counted outside quotes: a header cell may hold a
    line break (Alt+Enter in a spreadsheet) or a comma inside its quotes."""
    return max(DELIMITERS, key=first_record_counts(text).__getitem__)


def first_record_counts(text: str, limit: int = 65536) -> dict[str, int]:
    """How often each delimiter appears outside quotes in the text's first record (its first `limit` characters)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text[:limit]:
        if char == '"':
            quoted = not quoted  # a doubled quote inside a cell toggles twice
        elif quoted:
            continue
        elif char in counts:
            counts[char] += 1
        elif char in "\r\n":
            break
    return counts


def _header_further_down(text: str) -> tuple[int, str] | None:
    """The line of the template's header row and the first line, when lines come before the header
    (a title, a comment, Excel's `sep=`): each line is tried with its own delimiter."""
    first = None
    for number, line in enumerate(io.StringIO(text, newline=""), 1):
        if number > _PREAMBLE_LINES:
            break
        if not line.strip():
            continue
        first = first or (number, line.strip())
        try:
            cells = next(csv.reader([line], delimiter=sniff_delimiter(line)), [])
        except csv.Error:
            continue
        if sum(field_for(cell) is not None for cell in cells) >= 2:
            return (number, first[1]) if number != first[0] else None
    return None


def _lines_before_header(line: int, first: str) -> Unreadable:
    quoted = first if len(first) <= 60 else first[:60] + "…"
    return Unreadable("lines_before_header", line=line, first=quoted)


def read_csv(data: bytes) -> tuple[list[RawRow], list[str], str]:
    """Rows, missing required columns, and the number convention of a CSV report."""
    text = decode(data)
    # Only CR and LF end a line: other line separators (VT, FF, U+2028...) may sit inside a cell.
    first = next((line for line in io.StringIO(text, newline="") if line.strip()), None)
    if first is None:
        raise Unreadable("no_content")
    delimiter = sniff_delimiter(text[text.index(first) :])
    convention = INTERNATIONAL if delimiter == "," else VIETNAMESE
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(row for row in reader if any(cell.strip() for cell in row))
    except csv.Error as error:
        raise _malformed(error, reader.line_num) from None
    if len(header) > _MAX_FIELDS:
        raise Unreadable("too_many_columns", columns=len(header), template_columns=len(FIELDS))
    check_cell_lengths(header, reader.line_num)
    columns: dict[str, int] = {}
    for index, label in enumerate(header):
        name = field_for(label)
        if name and name not in columns:
            columns[name] = index
    missing = [vietnamese_label(n) for n, required in FIELDS.items() if required and n not in columns]
    if len(columns) < 2:
        below = _header_further_down(text)
        if below:
            raise _lines_before_header(*below)

    rows: list[RawRow] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            check_cell_lengths(cells, reader.line_num)
            if len(cells) > len(header) and columns:  # without a header row, rule 2 says what is missing
                raise _extra_cells(cells, header, reader.line_num)
            if len(rows) == MAX_ROWS:
                raise Unreadable("too_many_rows", limit=MAX_ROWS)
            pick = {name: (cells[i] if i < len(cells) else None) for name, i in columns.items()}
            rows.append(RawRow(source_row=reader.line_num, **{n: pick.get(n) for n in FIELDS}))
    except csv.Error as error:
        raise _malformed(error, reader.line_num) from None
    if not rows and not missing:
        raise Unreadable("header_only")
    return rows, missing, convention
