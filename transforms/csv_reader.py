"""CSV reports: encoding, delimiter and number convention detected, one row per value."""

from __future__ import annotations

import csv
import re

from transforms.numbers import INTERNATIONAL, VIETNAMESE
from transforms.submission import FIELDS, RawRow, Unreadable, field_for, vietnamese_label

DELIMITERS = (",", ";", "\t")
# A UTF-8 multi-byte sequence: its presence in a file that is not valid UTF-8 means mixed encodings.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
_MAX_FIELDS = 64


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1258, as the template allows."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise Unreadable(
                "Tệp UTF-16 bị hỏng, không đọc được. Hãy lưu lại tệp dưới dạng CSV UTF-8.",
                f"Corrupt UTF-16 text ({error.reason} at byte {error.start}). Save the file again as CSV UTF-8.",
            ) from None
    if b"\x00" in data:
        raise Unreadable(
            "Tệp không phải là văn bản CSV (có byte nhị phân). Hãy xuất lại từ Excel bằng 'CSV UTF-8'.",
            "The file is not CSV text (it holds binary bytes). Export it again from Excel as 'CSV UTF-8'.",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if len(_UTF8_SEQUENCE.findall(data)) >= 2:
        raise Unreadable(
            "Tệp trộn lẫn nhiều bảng mã (một phần UTF-8, một phần không). Hãy lưu lại toàn bộ tệp dưới dạng CSV UTF-8.",
            "The file mixes encodings (part UTF-8, part not). Save the whole file again as CSV UTF-8.",
        )
    return data.decode("cp1258", errors="replace")


def sniff_delimiter(first_line: str) -> str:
    return max(DELIMITERS, key=first_line.count)


def read_csv(data: bytes) -> tuple[list[RawRow], list[str], str]:
    """Rows, missing required columns, and the number convention of a CSV report."""
    text = decode(data)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise Unreadable("Tệp không có nội dung.", "The file has no content.")
    delimiter = sniff_delimiter(first)
    convention = INTERNATIONAL if delimiter == "," else VIETNAMESE
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(row for row in reader if any(cell.strip() for cell in row))
    except csv.Error as error:
        raise Unreadable("Dòng tiêu đề của tệp CSV bị hỏng.", f"The CSV header row is malformed: {error}.") from None
    if len(header) > _MAX_FIELDS:
        raise Unreadable(
            f"Dòng tiêu đề có {len(header)} cột; mẫu báo cáo chỉ có {len(FIELDS)} cột.",
            f"The header row has {len(header)} columns; the template has {len(FIELDS)}.",
        )
    columns: dict[str, int] = {}
    for index, label in enumerate(header):
        name = field_for(label)
        if name and name not in columns:
            columns[name] = index
    missing = [vietnamese_label(n) for n, (_, _, required) in FIELDS.items() if required and n not in columns]

    rows = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            pick = {name: (cells[i] if i < len(cells) else None) for name, i in columns.items()}
            rows.append(RawRow(source_row=reader.line_num, **{n: pick.get(n) for n in FIELDS}))
    except csv.Error as error:
        raise Unreadable(
            f"Tệp CSV bị hỏng ở dòng {reader.line_num}.", f"The CSV is malformed at line {reader.line_num}: {error}."
        ) from None
    if not rows and not missing:
        raise Unreadable("Tệp chỉ có dòng tiêu đề, không có số liệu.", "The file has a header row but no data rows.")
    return rows, missing, convention
