"""Hostile and broken files: each is refused with a clear reason, or accepted safely where the
spec allows it, and none of them stops the rest of its batch.

All the cases sit in ONE inbox with a few good files, and ONE ingest runs over it, moving the
files to the archive and the quarantine as production does. The batch must finish within
generous bounds of time and memory: bounds, not benchmarks.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import math
import os
import random
import resource
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

import pytest

from builders import (
    EN_HEADERS,
    PROVINCE_TIME,
    VI_HEADERS,
    Report,
    csv_bytes,
    department_report,
    district_report,
    survey_report,
    to_cp1258,
    write,
    xlsx_bytes,
)

AS_OF = date(2018, 3, 1)  # as in tests/conftest.py (tests/reliability/conftest.py has its own AS_OF)
BATCH_SECONDS = 60
BATCH_RSS_BYTES = int(1.5 * 1024**3)
REFUSE_SECONDS = 2.0
REPORT_SIZE_LIMIT = 20 * 1024 * 1024  # the default CHISO_MAX_FILE_BYTES, asserted in the fixture
SQL = "'; drop table submissions; --"
SQL_FACTS = "Robert'); DROP TABLE indicator_facts;--"
SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src=x onerror="alert(1)">'
DDE = "=cmd|' /C calc'!A0"
CONTROLS = "bell\x07 esc\x1b[31m red\x1b[0m del\x7f"
SEPARATORS = "a\x0bb\x0cc\u2028d\u2029e\x85f\x1cg"  # Python's splitlines() ends a line at each of them
NOTE = "Đã nghiệm thu"  # the note department_report() carries
SEMI = {"delimiter": ";", "headers": VI_HEADERS}
SHEET, WORKBOOK = "xl/worksheets/sheet1.xml", "xl/workbook.xml"
TRAVERSAL_TARGET = Path("/tmp/chiso_hostile_pwned.txt")
TRAVERSAL_ENTRY = "../../../../../../../.." + str(TRAVERSAL_TARGET)
DEPT_ROWS, SURVEY_ROWS = department_report().rows, survey_report().rows

# Every case gets its own data set, unit and period, so that accepted ones never supersede each other.
DEPARTMENTS = ["SKHCN", "STTTT", "SNNPTNT", "SYT", "SGDDT", "SVHTTDL", "SCT", "SKHDT", "STC", "STNMT", "SGTVT", "SXD"]
_DISTRICTS = ["024", "026", "027", "028", "029", "030", "031", "032", "033", "034", "035"]
_QUARTERS = [f"{year}Q{quarter}" for year in (2016, 2017) for quarter in (1, 2, 3, 4)]
_dept_keys = itertools.cycle(itertools.product(_QUARTERS, DEPARTMENTS))
_district_keys = itertools.cycle(itertools.product(_QUARTERS, _DISTRICTS))
_survey_keys = itertools.cycle(itertools.product(("2016", "2017"), _DISTRICTS))


def dept() -> Report:
    period, unit = next(_dept_keys)
    return department_report(unit, period)


def dist() -> Report:
    period, unit = next(_district_keys)
    return district_report(unit, period)


def survey() -> Report:
    period, unit = next(_survey_keys)
    return survey_report(unit, period)


def noted(report: Report, note: str, indicator: str = "NV_GIAO") -> Report:
    return report.with_rows((i, b, v, note if i == indicator else n) for i, b, v, n in report.rows)


def replaced(data: bytes, old: str, new: str) -> bytes:
    assert old.encode() in data
    return data.replace(old.encode(), new.encode(), 1)


# --- workbook surgery: parts no spreadsheet program writes


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def rezip(data: bytes, change: dict | None = None, add: dict | None = None) -> bytes:
    """The same archive with some parts rewritten (name -> function of the bytes) or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    edits = change or {}
    parts = {e.filename: edits.get(e.filename, lambda b: b)(source.read(e)) for e in source.infolist()}
    return zip_of({**parts, **(add or {})})


def in_sheet(data: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    return rezip(data, {SHEET: edit})


def rows_appended(xml: bytes) -> Callable[[bytes], bytes]:
    return lambda sheet: sheet.replace(b"</sheetData>", xml + b"</sheetData>")


def sheet_states(state: str) -> Callable[[bytes], bytes]:
    """workbook.xml with its first sheet's state changed (Excel refuses to hide every sheet; a file can)."""
    return lambda workbook: workbook.replace(b'state="visible"', f'state="{state}"'.encode(), 1)


def patch_entry(
    data: bytes, name: str, flags: int = 0, method: int | None = None, size: int | None = None, crc: int | None = None
) -> bytes:
    """Rewrite an entry's flags, compression method, declared size or checksum in both of its zip headers."""
    out = bytearray(data)
    local = zipfile.ZipFile(io.BytesIO(data)).getinfo(name).header_offset
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + struct.unpack_from("<H", data, central + 28)[0]] != name.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    for header, (flag_at, method_at, crc_at, size_at) in ((local, (6, 8, 14, 22)), (central, (8, 10, 16, 24))):
        struct.pack_into("<H", out, header + flag_at, struct.unpack_from("<H", out, header + flag_at)[0] | flags)
        for at, value, form in ((method_at, method, "<H"), (crc_at, crc, "<I"), (size_at, size, "<I")):
            if value is not None:
                struct.pack_into(form, out, header + at, value)
    return bytes(out)


def corrupt_deflate(data: bytes) -> bytes:
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    out = bytearray(data)
    for index in range(start + 4, start + 40):
        out[index] ^= 0xFF
    return bytes(out)


def truncated() -> bytes:
    data = xlsx_bytes(dist())
    return data[: len(data) // 2]


def zip_bomb() -> bytes:
    """A real workbook whose sheet is 120 MB of zeros (about 120 KB compressed)."""
    return in_sheet(xlsx_bytes(dist()), lambda _: b"\0" * (120 * 1024 * 1024))


def many_entries() -> bytes:
    return rezip(xlsx_bytes(dist()), add={f"xl/media/part{n}.bin": b"" for n in range(20_000)})


def lying_sizes() -> bytes:
    """A sheet whose headers declare (and checksum) its first few KB, while its stream inflates to 60 MB of rows."""
    data = xlsx_bytes(dist())
    head, tail = zipfile.ZipFile(io.BytesIO(data)).read(SHEET).split(b"</sheetData>")
    declared = head + b"<!--" + b"x" * 4096 + b"-->"
    real = declared + b'<row r="20"><c r="A20"><v>1</v></c></row>' * 1_500_000 + b"</sheetData>" + tail
    return patch_entry(in_sheet(data, lambda _: real), SHEET, size=len(declared), crc=zlib.crc32(declared))


def sheet_disguised_as_image() -> bytes:
    """The sheet moved to xl/media/image1.png (its relationship follows it), reaching cell XFD1048576."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(dist())))
    parts = {entry.filename: source.read(entry) for entry in source.infolist()}
    parts["xl/media/image1.png"] = rows_appended(b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')(
        parts.pop(SHEET)
    )
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(b"worksheets/sheet1.xml", b"media/image1.png")
    return zip_of(parts)


def ole_encrypted() -> bytes:
    """What Excel saves for a password-protected workbook: an OLE compound file, not a zip."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    return header + b"\x00" * 480 + "EncryptedPackage".encode("utf-16-le") + random.Random(7).randbytes(4000)


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    doctype = f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'.encode()
    cell = b'<row r="30"><c r="G30" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    return in_sheet(xlsx_bytes(dist()), lambda sheet: doctype + rows_appended(cell)(sheet))


def external_entity() -> bytes:
    doctype = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return in_sheet(xlsx_bytes(dist()), lambda sheet: doctype + sheet.replace(b"<t>Nguy", b"<t>&xxe;Nguy"))


def entity_expansion_under_guard() -> bytes:
    """docProps/custom.xml (read for the template's stamp) with an entity expanded 98 times: under
    expat's 100x amplification guard, which let an 88 KB upload take 2.35 GB of the portal's memory."""
    properties = "".join(f'<property name="p{n}"><lpwstr>{"&a;" * 98}</lpwstr></property>' for n in range(20))
    custom = (
        f'<?xml version="1.0"?><!DOCTYPE Properties [<!ENTITY a "{"A" * 900}">]>'
        f'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties">{properties}'
        "</Properties>"
    )
    return rezip(xlsx_bytes(dist()), add={"docProps/custom.xml": custom.encode()})


def dtd_in_utf16_part() -> bytes:
    """A DTD in a UTF-16 part: refused whatever the encoding, not only where the bytes spell `<!DOCTYPE`."""
    doctype = '<!DOCTYPE Properties [<!ENTITY a "A">]>'
    custom = f'<?xml version="1.0" encoding="UTF-16"?>{doctype}<Properties>&a;</Properties>'
    return rezip(xlsx_bytes(dist()), add={"docProps/custom.xml": custom.encode("utf-16")})


def shared_string_in_every_cell() -> bytes:
    """One 32,767-character shared string in 240,100 cells: 0.5 MB sent, 7 MB of XML within every bound
    the archive check sets, and 8 GB once the workbook reader gives each cell its own copy."""
    shared = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        f' count="1" uniqueCount="1"><si><t>{"x" * 32767}</t></si></sst>'
    ).encode()
    relationship = (
        b'<Relationship Id="rIdShared" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/sharedStrings"/></Relationships>'
    )
    content_type = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>'
    )
    columns = [chr(65 + n // 26 - 1) * (n >= 26) + chr(65 + n % 26) for n in range(49)]
    cells = "".join(f'<c r="{column}{{row}}" t="s"><v>0</v></c>' for column in columns)
    rows = "".join(f'<row r="{row}">{cells.format(row=row)}</row>' for row in range(100, 5000)).encode()
    return rezip(
        xlsx_bytes(dist()),
        {
            "xl/_rels/workbook.xml.rels": lambda rels: rels.replace(b"</Relationships>", relationship),
            "[Content_Types].xml": lambda types: types.replace(b"</Types>", content_type),
            SHEET: rows_appended(rows),
        },
        add={"xl/sharedStrings.xml": shared},
    )


def megabyte_cell() -> bytes:
    """A 1 MB note (openpyxl, like Excel, cuts a cell at 32,767 characters: the XML is written by hand)."""
    note = "Quỹ phát triển KHCN".encode()
    return in_sheet(xlsx_bytes(dist()), lambda sheet: sheet.replace(note, b"x" * 1_000_000))


def hidden_decoy_first(workbook) -> None:
    decoy = workbook.create_sheet("Hướng dẫn", 0)
    decoy.append(["Mã chỉ tiêu", "Giá trị"])
    decoy.append(["NV_GIAO", 999])
    decoy.sheet_state = "hidden"


def empty_sheet_first(workbook) -> None:
    workbook.create_sheet("Sheet1", 0)


def set_cell(reference: str, value, text: bool = False):
    def edit(workbook) -> None:
        workbook.active[reference] = value
        if text:  # a text cell that merely looks like a formula
            workbook.active[reference].data_type = "s"

    return edit


def merge(*ranges: str):
    def edit(workbook) -> None:
        for cells in ranges:
            workbook.active.merge_cells(cells)

    return edit


def empty_workbook() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


# --- CSV surgery


def csv_with(report: Report, value_text: str, indicator: str = "NV_CUTHE") -> bytes:
    return csv_bytes(report.setting(indicator, value_text))


def mixed_encodings() -> bytes:
    report = dept()
    utf8 = csv_bytes(noted(report.with_rows(report.rows[:4]), "Quỹ phát triển KHCN"))
    rest = csv_bytes(noted(report.with_rows(report.rows[4:]), "Quỹ phát triển KHCN", "TT_TIN")).split(b"\r\n", 1)[1]
    return utf8 + to_cp1258(rest.decode("utf-8"))


def wide_header() -> bytes:
    header = ",".join([*EN_HEADERS, *(f"extra_{n}" for n in range(10_000 - len(EN_HEADERS)))])
    return (header + "\r\n").encode() + csv_bytes(dept()).split(b"\r\n", 1)[1]


def many_rows() -> bytes:
    report = dept()
    return csv_bytes(report) + f"{report.dataset},{report.unit},{report.period},TT_TIN,,1,\r\n".encode() * 200_000


def control_characters() -> bytes:
    report = dept()
    dirty = report.unit[:1] + "\x01" + report.unit[1:]
    return csv_bytes(noted(report, CONTROLS)).replace(f",{report.unit},".encode(), f",{dirty},".encode())


def oversized() -> bytes:
    body = csv_bytes(dept())
    return body + b"#" * (REPORT_SIZE_LIMIT - len(body) + 1)


class Case(NamedTuple):
    make: Callable[[], bytes]  # built only when the batch is written, not when tests are collected
    status: str
    rules: tuple[str, ...] = ()  # rules that must be among the reasons
    says: str = ""  # text the English reason must hold: the reason names the actual problem


def ok(make) -> Case:
    return Case(make, "accepted")


def refused(make, rule: str, says: str = "") -> Case:
    return Case(make, "rejected", (rule,), says)


CASES = {
    # good files in the same batch
    "good_department.csv": ok(lambda: csv_bytes(dept())),
    "good_district.xlsx": ok(lambda: xlsx_bytes(dist())),
    "good_survey_semicolon.csv": ok(lambda: csv_bytes(survey(), **SEMI)),
    # workbooks: the container
    "truncated.xlsx": refused(truncated, "1", "corrupt"),
    "random_bytes.xlsx": refused(lambda: random.Random(1).randbytes(50_000), "1", "corrupt"),
    "zero_bytes.xlsx": refused(lambda: b"", "1", "empty"),
    "docx_renamed.xlsx": refused(lambda: zip_of({"word/document.xml": b"<w:document/>"}), "1", "corrupt"),
    "zip_bomb_big_sheet.xlsx": refused(zip_bomb, "1", "zip bomb"),
    "zip_bomb_many_entries.xlsx": refused(many_entries, "1", "parts, far beyond"),
    "zip_lying_sizes.xlsx": refused(lying_sizes, "1", "cannot be read"),
    "zip_corrupt_deflate.xlsx": refused(lambda: corrupt_deflate(xlsx_bytes(dist())), "1", "corrupt"),
    "zip_encrypted_entry.xlsx": refused(lambda: patch_entry(xlsx_bytes(dist()), SHEET, flags=1), "1", "corrupt"),
    "zip_unknown_compression.xlsx": refused(lambda: patch_entry(xlsx_bytes(dist()), SHEET, method=9), "1", "corrupt"),
    "ole_password_protected.xlsx": refused(ole_encrypted, "1", "password"),
    "zip_entry_path_traversal.xlsx": ok(lambda: rezip(xlsx_bytes(dist()), add={TRAVERSAL_ENTRY: b"pwned"})),
    # workbooks: the sheet
    "cell_at_XFD1048576.xlsx": refused(lambda: xlsx_bytes(dist(), extra=set_cell("XFD1048576", 1)), "1", "far beyond"),
    "cell_ref_attribute_reordered.xlsx": refused(
        lambda: in_sheet(
            xlsx_bytes(dist()), rows_appended(b'<row r="1048576"><c t="n" r="XFD1048576"><v>1</v></c></row>')
        ),
        "1",
        "far beyond",
    ),
    "cell_ref_quoted_and_prefixed.xlsx": refused(
        lambda: in_sheet(
            xlsx_bytes(dist()),
            rows_appended(
                b"<row r='70000'><x:c xmlns:x='http://schemas.openxmlformats.org/spreadsheetml/2006/main' r='XFD70000'>"
                b"<x:v>1</x:v></x:c></row>"
            ),
        ),
        "1",
        "far beyond",
    ),
    "sheet_disguised_as_image.xlsx": refused(sheet_disguised_as_image, "1", "far beyond"),
    "cells_without_reference.xlsx": refused(
        lambda: in_sheet(
            xlsx_bytes(dist()),
            rows_appended(b'<row r="1048576"><c><v>1</v></c></row><row>' + b"<c><v>1</v></c>" * 20_000 + b"</row>"),
        ),
        "1",
        "far beyond",
    ),
    "merged_whole_sheet.xlsx": ok(
        lambda: in_sheet(
            xlsx_bytes(dist()),
            lambda sheet: sheet.replace(
                b"</worksheet>", b'<mergeCells count="1"><mergeCell ref="H1:XFD1048576"/></mergeCells></worksheet>'
            ),
        )
    ),
    "billion_laughs.xlsx": refused(billion_laughs, "1", "declares a DTD"),
    "external_entity.xlsx": refused(external_entity, "1", "declares a DTD"),
    "entity_expansion_under_guard.xlsx": refused(entity_expansion_under_guard, "1", "declares a DTD"),
    "dtd_in_utf16_part.xlsx": refused(dtd_in_utf16_part, "1", "declares a DTD"),
    "shared_string_in_every_cell.xlsx": refused(shared_string_in_every_cell, "1", "MB of memory"),
    "formula_value_no_cache.xlsx": refused(lambda: xlsx_bytes(dist(), extra=set_cell("F12", "=1+0")), "6"),
    "dde_formula_note.xlsx": ok(lambda: xlsx_bytes(dist(), extra=set_cell("G10", DDE, text=True))),
    "merged_title_and_header.xlsx": ok(lambda: xlsx_bytes(dist(), extra=merge("A1:G1", "B4:D4"))),
    # the merged-away cell is blank: not reported, so the mandatory NV_TRIENKHAI is missing (rule 8)
    "merged_value_cells.xlsx": refused(lambda: xlsx_bytes(dist(), extra=merge("F10:F11")), "8"),
    "hidden_first_sheet.xlsx": ok(lambda: xlsx_bytes(dist(), extra=hidden_decoy_first)),
    "very_hidden_first_sheet.xlsx": ok(
        lambda: rezip(xlsx_bytes(dist(), extra=empty_sheet_first), {WORKBOOK: sheet_states("veryHidden")})
    ),
    "only_hidden_sheets.xlsx": refused(
        lambda: rezip(xlsx_bytes(dist()), {WORKBOOK: sheet_states("hidden")}), "1", "no visible worksheet"
    ),
    "empty_first_sheet.xlsx": refused(
        lambda: xlsx_bytes(dist(), extra=empty_sheet_first), "1", "first worksheet is empty"
    ),
    "empty_workbook.xlsx": refused(empty_workbook, "1", "first worksheet is empty"),
    "date_for_number.xlsx": refused(lambda: xlsx_bytes(dist(), extra=set_cell("F12", datetime(2017, 3, 4))), "6"),
    "boolean_for_number.xlsx": refused(lambda: xlsx_bytes(dist(), extra=set_cell("F12", True)), "6"),
    "error_cell_for_number.xlsx": refused(
        lambda: in_sheet(
            xlsx_bytes(dist()),
            lambda sheet: sheet.replace(b'<c r="F12" t="n"><v>3</v></c>', b'<c r="F12" t="e"><v>#DIV/0!</v></c>'),
        ),
        "6",
    ),
    "infinite_numeric_cell.xlsx": refused(
        lambda: in_sheet(
            xlsx_bytes(dist()),
            lambda sheet: sheet.replace(b'<c r="F12" t="n"><v>3</v></c>', b'<c r="F12" t="n"><v>1e309</v></c>'),
        ),
        "6",
    ),
    "negative_zero.xlsx": ok(lambda: xlsx_bytes(dist().setting("MH_NHANRONG", -0.0))),
    "megabyte_cell.xlsx": refused(megabyte_cell, "1", "characters"),
    "html_note.xlsx": ok(lambda: xlsx_bytes(noted(dist(), IMG))),
    "sql_in_note.xlsx": ok(lambda: xlsx_bytes(noted(dist(), SQL))),
    # CSV: bytes and encodings
    "binary.csv": refused(lambda: random.Random(2).randbytes(20_000), "1", "binary"),
    "nul_bytes.csv": refused(lambda: csv_bytes(noted(dept(), "a\0b")), "1", "binary"),
    "mixed_encodings.csv": refused(mixed_encodings, "1", "mixes encodings"),
    "utf16_without_bom.csv": refused(lambda: csv_bytes(dept(), encoding="utf-16-le"), "1", "without a byte order mark"),
    # CSV: shape
    "ten_thousand_columns.csv": refused(wide_header, "1", "10000 columns"),
    "two_hundred_thousand_rows.csv": refused(many_rows, "1", "rows"),
    "header_only.csv": refused(lambda: ",".join(EN_HEADERS).encode() + b"\r\n", "1", "no data rows"),
    "blank_lines_only.csv": refused(lambda: b"\r\n" * 500 + b"   \r\n\t\r\n", "1", "empty"),
    "unclosed_quote.csv": refused(lambda: replaced(csv_bytes(dept()), NOTE, '"' + NOTE), "1", "quote"),
    "stray_quote.csv": refused(lambda: replaced(csv_bytes(dept()), NOTE, '"Đã" nghiệm thu'), "1", "quote"),
    "thousands_unquoted.csv": refused(
        lambda: replaced(csv_bytes(dept()), "KP_BOTRI,,1250.5,", "KP_BOTRI,,1,250,"), "1", "thousands separator"
    ),
    "too_large.csv": refused(oversized, "1", "too large"),
    # CSV: cells
    "megabyte_note.csv": refused(lambda: csv_bytes(noted(dept(), "n" * 1_000_000)), "1", "characters"),
    "hundred_kb_unit_code.csv": refused(
        lambda: csv_bytes(Report("DP-SN", "U" * 100_000, "2017Q1", DEPT_ROWS)), "1", "characters"
    ),
    "control_characters.csv": ok(control_characters),
    "line_separators_in_note.csv": ok(lambda: csv_bytes(noted(dept(), SEPARATORS))),
    "multiline_note.csv": ok(lambda: csv_bytes(noted(dept(), "dòng 1\ndòng 2, còn nữa"))),
    "html_note.csv": ok(lambda: csv_bytes(noted(dept(), SCRIPT))),
    # CSV: values that are not numbers in the template
    "date_for_number.csv": refused(lambda: csv_with(dept(), "2017-03-04"), "6"),
    "nan.csv": refused(lambda: csv_with(dept(), "NaN"), "6"),
    "inf.csv": refused(lambda: csv_with(dept(), "inf"), "6"),
    "minus_inf.csv": refused(lambda: csv_with(dept(), "-inf"), "6"),
    "overflow_1e309.csv": refused(lambda: csv_with(dept(), "1e309"), "6"),
    "overflow_400_digits.csv": refused(lambda: csv_with(dept(), "9" * 400, "KP_BOTRI"), "6"),
    "exponent_1e5.csv": refused(lambda: csv_with(dept(), "1e5"), "6"),
    "hex_0x10.csv": refused(lambda: csv_with(dept(), "0x10"), "6"),
    "arabic_indic_digits.csv": refused(lambda: csv_with(dept(), "١٢"), "6"),
    "full_width_digits.csv": refused(lambda: csv_with(dept(), "１２"), "6"),
    "thousands_quoted.csv": refused(lambda: csv_with(dept(), "1,250", "KP_BOTRI"), "6"),
    "negative_zero.csv": ok(lambda: csv_with(dept(), "-0", "TT_TIN")),
    # file names
    "x..%2F..%2Fetc%2Fpasswd.csv": ok(lambda: csv_bytes(dept())),
    "Báo cáo quý 2 – Sở Y tế 📊 (bản cuối).xlsx": ok(lambda: xlsx_bytes(dist())),
    "line\nbreak\\back slash\ttab.csv": ok(lambda: csv_bytes(dept())),
    f"{SQL}.csv": ok(lambda: csv_bytes(dept())),
    "no_extension": refused(lambda: csv_bytes(dept()), "1", "not accepted"),
    "UPPER_CASE.CSV": ok(lambda: csv_bytes(dept())),
    "UPPER_CASE.XLSX": ok(lambda: xlsx_bytes(dist())),
    # injection payloads in every text field: refused, or stored verbatim and harmless
    "sql_in_dataset.csv": refused(lambda: csv_bytes(Report(SQL, "SKHCN", "2017Q1", DEPT_ROWS)), "3"),
    "sql_in_unit.csv": refused(lambda: csv_bytes(Report("DP-SN", SQL, "2017Q1", DEPT_ROWS)), "3"),
    "sql_in_period.csv": refused(lambda: csv_bytes(Report("DP-SN", "SKHCN", SQL, DEPT_ROWS)), "4"),
    "sql_in_indicator.csv": refused(lambda: csv_bytes(dept().with_rows([*DEPT_ROWS, (SQL, "", 1, "")])), "3"),
    "sql_in_disaggregation.csv": refused(
        lambda: csv_bytes(survey().with_rows([*SURVEY_ROWS, ("CNTT_TONG", SQL, 1, "")])), "3"
    ),
    "sql_in_header.csv": refused(lambda: replaced(csv_bytes(dept()), "unit_code", SQL), "2"),
    "sql_in_note.csv": ok(lambda: csv_bytes(noted(dept(), SQL_FACTS))),
}
DUPLICATE = ("duplicate_a.csv", "duplicate_b.csv")  # byte-identical: the second (by name) is the duplicate
LINK = "link_to_outside.csv"  # a symbolic link to a good report outside the inbox
DOTFILE = "..%2F..%2Fetc"  # a name starting with "." is a hidden file: left alone, never read
PAYLOAD_NOTES = {
    "sql_in_note.csv": SQL_FACTS,
    "sql_in_note.xlsx": SQL,
    "html_note.csv": SCRIPT,
    "html_note.xlsx": IMG,
    "dde_formula_note.xlsx": DDE,
}
EXPECTED = {
    **{name: case.status for name, case in CASES.items()},
    DUPLICATE[0]: "accepted",
    DUPLICATE[1]: "duplicate",
    LINK: "rejected",
}


# The batch runs in a child process: a native crash (a Rust abort in a reader) then fails this
# module's tests instead of killing the test session, and the child's peak RSS is the batch's own.
_INGEST = """
import json, resource, sys, time
from datetime import date
from chiso.context import RunContext
from chiso.pipeline import inbox_destinations, ingest_paths
from core.settings import load_settings

settings = load_settings(home=sys.argv[1])
started = time.perf_counter()
context = RunContext.of(settings, as_of=date.fromisoformat(sys.argv[2]))
report = ingest_paths([settings.inbox], context, destinations=inbox_destinations(settings))
seconds = time.perf_counter() - started
verdicts = [
    {"submission_id": v.submission_id, "file_name": v.file_name, "status": v.status, "unit_code": v.unit_code,
     "reasons": [f.as_dict() for f in v.reasons], "warnings": [f.as_dict() for f in v.warnings],
     "stored_path": str(v.stored_path)}
    for v in report.verdicts
]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
json.dump({"seconds": seconds, "rss_peak": rss, "verdicts": verdicts}, sys.stdout, ensure_ascii=True, default=str)
"""


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One ingest over the whole inbox, files moved as in production: verdicts, settings, seconds, peak RSS."""
    from builders import PROJECT_ROOT
    from core.settings import load_settings

    root = tmp_path_factory.mktemp("hostile")
    settings = load_settings(home=root / "home")
    assert settings.max_file_bytes == REPORT_SIZE_LIMIT
    for name, case in CASES.items():
        write(settings.inbox / name, case.make())
    for name in DUPLICATE:
        write(settings.inbox / name, csv_bytes(department_report("SXD", "2017Q4")))
    os.symlink(
        write(root / "outside" / "report.csv", csv_bytes(department_report("SGTVT", "2017Q4"))), settings.inbox / LINK
    )
    write(settings.inbox / DOTFILE, b"root:x:0:0:root:/root:/bin/bash\n")
    TRAVERSAL_TARGET.unlink(missing_ok=True)

    done = subprocess.run(
        [sys.executable, "-c", _INGEST, str(settings.home), AS_OF.isoformat()],
        cwd=PROJECT_ROOT,
        env={**os.environ, "GX_ANALYTICS_ENABLED": "false"},
        capture_output=True,
        text=True,
        timeout=10 * BATCH_SECONDS,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    result = json.loads(done.stdout)
    for verdict in result["verdicts"]:
        verdict["stored_path"] = Path(verdict["stored_path"])
    return {**result, "verdicts": {v["file_name"]: v for v in result["verdicts"]}, "config": settings}


@pytest.fixture(scope="module")
def warehouse(batch):
    import duckdb

    def run(sql, params=None):
        with duckdb.connect(str(batch["config"].warehouse), read_only=True) as connection:
            return connection.execute(sql, params or []).fetchall()

    return run


def notes(batch, warehouse, name: str) -> dict[str, str]:
    sid = batch["verdicts"][name]["submission_id"]
    return dict(warehouse("select indicator_code, note from indicator_values where submission_id = ?", [sid]))


def test_at_least_forty_hostile_kinds_are_covered():
    hostile = [name for name in CASES if not name.startswith("good_")]
    assert len(hostile) + len([DUPLICATE, LINK, DOTFILE]) >= 40


@pytest.mark.parametrize("name", CASES)
def test_verdict(batch, name):
    case = CASES[name]
    verdict = batch["verdicts"][name]
    assert verdict["status"] == case.status, verdict["reasons"]
    assert set(case.rules) <= {reason["rule"] for reason in verdict["reasons"]}, verdict["reasons"]
    if case.status == "accepted":
        assert not verdict["reasons"]
    if case.says:
        assert any(case.says.casefold() in reason["en"].casefold() for reason in verdict["reasons"]), verdict["reasons"]


@pytest.mark.parametrize("name", [name for name, status in EXPECTED.items() if status == "rejected"])
def test_reasons_are_bilingual_and_short(batch, name):
    for reason in batch["verdicts"][name]["reasons"]:
        assert reason["vi"] and reason["en"] and reason["vi"] != reason["en"]
        if reason["rule"] == "1":
            assert len(reason["vi"]) < 1000 and len(reason["en"]) < 1000, "a sentence for the clerk, not a dump"


def test_the_whole_batch_finished_within_bounds(batch):
    assert sorted(batch["verdicts"]) == sorted(EXPECTED)
    assert batch["seconds"] < BATCH_SECONDS
    assert batch["rss_peak"] < BATCH_RSS_BYTES


def test_good_files_of_the_same_batch_are_loaded(batch, warehouse):
    accepted = {batch["verdicts"][name]["submission_id"] for name, status in EXPECTED.items() if status == "accepted"}
    loaded = warehouse("select distinct submission_id from indicator_values")
    assert {row[0] for row in loaded} == accepted
    assert warehouse(
        "select count(*) from indicator_facts where submission_id not in (select unnest(?::integer[]))",
        [sorted(accepted)],
    ) == [(0,)]


def test_same_file_twice_in_a_batch_is_a_duplicate(batch):
    first, second = (batch["verdicts"][name] for name in DUPLICATE)
    assert (first["status"], second["status"]) == ("accepted", "duplicate")
    assert second["reasons"][0]["values"] == [str(first["submission_id"])]


def test_a_link_is_not_followed_out_of_the_inbox(batch, warehouse):
    verdict = batch["verdicts"][LINK]
    assert [reason["rule"] for reason in verdict["reasons"]] == ["1"]
    assert "link" in verdict["reasons"][0]["en"]
    assert warehouse("select count(*) from indicator_values where unit_code = 'SGTVT' and period = '2017Q4'") == [(0,)]


def test_a_hidden_file_is_left_alone(batch):
    assert DOTFILE not in batch["verdicts"]
    assert [p.name for p in batch["config"].inbox.iterdir()] == [DOTFILE]


def test_injection_payloads_harm_nothing_and_are_stored_verbatim(batch, warehouse):
    tables = {row[0] for row in warehouse("select table_name from information_schema.tables")}
    assert {"submissions", "indicator_facts", "indicator_values", "units", "datasets", "indicators"} <= tables
    assert warehouse("select count(*) from submissions") == [(len(EXPECTED),)]
    # two provinces (02, 08), 12 departments, SNNMT and 8 -TQ, 11 districts, 124 communes: every row still there
    assert warehouse("select count(*) from units") == [(2 + 12 + 1 + 8 + 11 + 124,)]
    for name, note in PAYLOAD_NOTES.items():
        assert notes(batch, warehouse, name)["NV_GIAO"] == note, name
    assert warehouse("select count(*) from submissions where file_name = ?", [f"{SQL}.csv"]) == [(1,)]
    assert warehouse(
        "select unit_code from submissions where submission_id = ?",
        [batch["verdicts"]["sql_in_unit.csv"]["submission_id"]],
    ) == [(SQL.upper(),)]


def test_formula_like_text_is_kept_as_data_with_a_warning(batch):
    warnings = batch["verdicts"]["dde_formula_note.xlsx"]["warnings"]
    assert [w["check"] for w in warnings if w["check"] != "late"] == ["formula_text"]


def test_control_characters_are_dropped_and_line_separators_kept_inside_their_cell(batch, warehouse):
    assert notes(batch, warehouse, "control_characters.csv")["NV_GIAO"] == "bell esc[31m red[0m del"
    assert batch["verdicts"]["control_characters.csv"]["unit_code"] in DEPARTMENTS
    separated = notes(batch, warehouse, "line_separators_in_note.csv")
    assert len(separated) == len(DEPT_ROWS)
    assert separated["NV_GIAO"] == "abc\u2028d\u2029e\x85fg"
    assert notes(batch, warehouse, "multiline_note.csv")["NV_GIAO"] == "dòng 1\ndòng 2, còn nữa"


def test_negative_zero_is_stored_as_zero(batch, warehouse):
    for name, indicator in (("negative_zero.csv", "TT_TIN"), ("negative_zero.xlsx", "MH_NHANRONG")):
        sid = batch["verdicts"][name]["submission_id"]
        ((value,),) = warehouse(
            "select value from indicator_values where submission_id = ? and indicator_code = ?", [sid, indicator]
        )
        assert value == 0 and math.copysign(1, value) == 1


def test_a_hidden_decoy_sheet_is_not_read(batch, warehouse):
    sid = batch["verdicts"]["hidden_first_sheet.xlsx"]["submission_id"]
    assert warehouse(
        "select value from indicator_values where submission_id = ? and indicator_code = 'NV_GIAO'", [sid]
    ) == [(1,)]


def test_files_land_in_the_archive_or_quarantine_and_nowhere_else(batch):
    settings = batch["config"]
    for verdict in batch["verdicts"].values():
        root = settings.quarantine if verdict["status"] == "rejected" else settings.archive
        assert verdict["stored_path"].is_file() or verdict["stored_path"].is_symlink()
        assert verdict["stored_path"].parent.parent == root
        if verdict["status"] == "rejected":
            assert verdict["stored_path"].with_name(verdict["stored_path"].name + ".reasons.txt").is_file()
    assert not TRAVERSAL_TARGET.exists()
    assert sorted(p.name for p in settings.home.parent.iterdir()) == ["home", "outside"]


@pytest.mark.parametrize(
    "name",
    [
        "zip_bomb_big_sheet.xlsx",
        "zip_bomb_many_entries.xlsx",
        "zip_lying_sizes.xlsx",
        "cell_at_XFD1048576.xlsx",
        "cell_ref_attribute_reordered.xlsx",
        "cells_without_reference.xlsx",
        "sheet_disguised_as_image.xlsx",
        "merged_whole_sheet.xlsx",
        "billion_laughs.xlsx",
        "entity_expansion_under_guard.xlsx",
        "dtd_in_utf16_part.xlsx",
    ],
)
def test_hostile_workbooks_are_dealt_with_quickly(tmp_path, name):
    from transforms.read import read_submission

    path = write(tmp_path / name, CASES[name].make())
    started = time.perf_counter()
    submission = read_submission(path, REPORT_SIZE_LIMIT, PROVINCE_TIME)
    assert time.perf_counter() - started < REFUSE_SECONDS
    assert (submission.read_error is not None) == (CASES[name].status == "rejected")


def test_the_size_limit_setting_is_honoured(tmp_path):
    from transforms.read import read_submission

    path = write(tmp_path / "report.csv", csv_bytes(department_report()))
    submission = read_submission(path, 100, PROVINCE_TIME)
    assert "too large" in submission.read_error.text.en and "limit 100)" in submission.read_error.text.en
    assert submission.size_bytes == path.stat().st_size and len(submission.sha256) == 64


# File names the file system allows but a naive loader would choke on, once and on every later run.


def test_a_long_vietnamese_file_name_does_not_stop_the_batch(ingest, settings):
    from chiso.pipeline import inbox_destinations

    write(
        settings.inbox / ("ệ" * 82 + ".csv"), csv_bytes(department_report("SYT", "2017Q1"))
    )  # 250 bytes: a valid name
    write(settings.inbox / "good.csv", csv_bytes(department_report("SCT", "2017Q1")))
    verdicts = ingest(settings.inbox, destinations=inbox_destinations(settings))
    assert verdicts["good.csv"].status == "accepted"


def test_a_file_name_that_is_not_utf8_does_not_stop_the_batch(ingest, settings):
    from chiso.pipeline import inbox_destinations

    settings.inbox.mkdir(parents=True)
    Path(os.fsdecode(os.fsencode(settings.inbox) + b"/B\xe1o c\xe1o.csv")).write_bytes(
        csv_bytes(department_report("SYT"))
    )
    write(settings.inbox / "good.csv", csv_bytes(department_report("SCT", "2017Q1")))
    verdicts = ingest(settings.inbox, destinations=inbox_destinations(settings))
    assert verdicts["good.csv"].status == "accepted"


# Reading in reader processes (transforms.sandbox): a file's cost falls on its reader, never on the caller.


def _budget(**changes):
    from transforms.sandbox import ReadingBudget

    # A budget of its own per test: its own pool of readers, started with this test's environment.
    return ReadingBudget(REPORT_SIZE_LIMIT, **{"memory_mb": 256, "seconds": 20, "processes": 2, **changes})


def _reader_pids() -> set[int]:
    """This process's reader processes (another pytest worker's are not ours to kill)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rpartition(")")[2].split()[1])
            if parent == os.getpid() and b"transforms.sandbox" in (stat.parent / "cmdline").read_bytes():
                found.add(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def test_workbooks_that_ask_for_gigabytes_are_refused_ten_at_once_and_the_caller_stays_small(tmp_path):
    from transforms.sandbox import read_submissions

    bomb = shared_string_in_every_cell()
    paths = [write(tmp_path / f"bomb{n}.xlsx", bomb) for n in range(10)]
    good = write(tmp_path / "good.xlsx", xlsx_bytes(dist()))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.perf_counter()
    read = list(read_submissions([*paths, good], _budget(memory_mb=320), PROVINCE_TIME))
    assert time.perf_counter() - started < BATCH_SECONDS
    assert [s.read_error.key for s in read[:-1]] == ["over_memory"] * 10
    assert "320 MB" in read[0].read_error.text.en and "320 MB" in read[0].read_error.text.vi
    assert read[-1].read_error is None and read[-1].rows and read[-1].path == good
    assert read[0].sha256 == hashlib.sha256(bomb).hexdigest() and read[0].size_bytes == len(bomb)
    # The 8 GB were asked of the readers, under their cap: this process grew by a few MB at most.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before < 64 * 1024**2


def test_a_reader_that_hangs_is_stopped_at_its_time_limit_and_replaced(tmp_path):
    from transforms.sandbox import read_one

    never_written = tmp_path / "never_written.csv"
    os.mkfifo(never_written)  # reading it blocks until a writer comes: none will
    budget = _budget(seconds=1, processes=1)
    started = time.perf_counter()
    hung = read_one(never_written, budget, PROVINCE_TIME)
    assert 1 <= time.perf_counter() - started < 5
    assert hung.read_error.key == "over_time" and "1 seconds" in hung.read_error.text.en
    good = read_one(write(tmp_path / "good.csv", csv_bytes(dept())), budget, PROVINCE_TIME)
    assert good.read_error is None and len(good.rows) == len(DEPT_ROWS)


def test_a_reader_killed_in_the_middle_of_a_file_refuses_that_file_once_and_reads_the_next(tmp_path):
    import signal
    import threading

    from transforms.sandbox import read_one

    never_written = tmp_path / "never_written.csv"
    os.mkfifo(never_written)
    budget = _budget(processes=1, memory_mb=300)
    before = _reader_pids()
    result = {}
    reading = threading.Thread(target=lambda: result.update(read=read_one(never_written, budget, PROVINCE_TIME)))
    reading.start()
    deadline = time.monotonic() + 10
    while not (_reader_pids() - before) and time.monotonic() < deadline:
        time.sleep(0.05)
    (reader,) = _reader_pids() - before
    time.sleep(0.3)  # the reader has the file open and waits on it
    os.kill(reader, signal.SIGSEGV)
    reading.join(timeout=10)
    assert result["read"].read_error.key == "reader_crashed"
    assert "never retried" in result["read"].read_error.text.en
    good = read_one(write(tmp_path / "good.xlsx", xlsx_bytes(dist())), budget, PROVINCE_TIME)
    assert good.read_error is None and good.rows
    assert reader not in _reader_pids()


def test_a_reason_read_in_a_reader_process_crosses_back_whole():
    import pickle

    from transforms.submission import Unreadable

    reason = pickle.loads(pickle.dumps(Unreadable("too_large", size=30, limit=20)))
    assert (reason.key, reason.fields) == ("too_large", {"size": 30, "limit": 20})
    assert reason.text.vi.startswith("Tệp quá lớn") and "limit 20" in reason.text.en
