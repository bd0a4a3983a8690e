"""Reader bugs found while prototyping the template (issue 10, item 4): one test per bug."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from datetime import date

import pytest

from builders import VI_HEADERS, csv_bytes, department_report, district_report, write, xlsx_bytes
from chiso.context import RunContext
from transforms.csv_reader import read_csv
from transforms.submission import Unreadable
from transforms.xlsx_reader import read_xlsx

REPORT_ROWS = len(district_report().rows)


def rezip(data: bytes, rename=None, edit=None) -> bytes:
    """The same package with parts renamed (old -> new name) or edited (name -> bytes -> bytes)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            body = source.read(entry)
            if edit and entry.filename in edit:
                body = edit[entry.filename](body)
            archive.writestr((rename or {}).get(entry.filename, entry.filename), body)
    return buffer.getvalue()


def _values(data: bytes) -> list:
    return [(r.indicator_code, r.value) for r in read_xlsx(data)[0]]


# --- 1. an extra sheet beside the report counts against the report's size guard ---


def _lookup_list(workbook):
    sheet = workbook.create_sheet("Danh mục")
    for number in range(1, 10_001):
        sheet.append([number, f"Xã số {number}"])


def _summary(workbook):
    sheet = workbook.create_sheet("Tổng hợp")
    for row in range(1, 4):
        sheet.append([row * column for column in range(1, 241)])


@pytest.mark.parametrize("extra", [_lookup_list, _summary], ids=["lookup-10000-rows", "summary-240-columns"])
def test_an_extra_sheet_beside_the_report_does_not_count(extra):
    rows, missing, _ = read_xlsx(xlsx_bytes(district_report(), extra=extra))
    assert missing == [] and len(rows) == REPORT_ROWS


def test_an_oversized_report_is_refused_naming_its_sheet():
    def stray_cell(workbook):
        workbook.active.cell(6000, 2, "x")

    with pytest.raises(Unreadable) as refused:
        read_xlsx(xlsx_bytes(district_report(), extra=stray_cell))
    assert (
        "'Báo cáo'" in refused.value.text.en
        and "«Báo cáo»" in refused.value.text.vi
        and "6000" in refused.value.text.en
    )


def test_a_huge_hidden_sheet_before_the_report_is_not_measured_but_a_huge_report_still_is():
    def hidden_first(workbook):
        sheet = workbook.create_sheet("Ẩn", 0)
        sheet.cell(20_000, 300, 1)
        sheet.sheet_state = "hidden"

    assert len(read_xlsx(xlsx_bytes(district_report(), extra=hidden_first))[0]) == REPORT_ROWS


# --- 2. formula errors are read as '' and a sheet of only errors as empty ---


def _with_errors(data: bytes) -> bytes:
    def errors(xml: bytes) -> bytes:
        xml = xml.replace(b'<c r="F10" t="n"><v>1</v></c>', b'<c r="F10" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
        return xml.replace(b'<c r="F11" t="n"><v>1</v></c>', b"<c r='F11' t='e'><v>#VALUE!</v></c>")

    return rezip(data, edit={"xl/worksheets/sheet1.xml": errors})


def test_a_formula_error_is_read_as_the_error_the_clerk_sees():
    values = _values(_with_errors(xlsx_bytes(district_report())))
    assert values[:3] == [("NV_GIAO", "#DIV/0!"), ("NV_TRIENKHAI", "#VALUE!"), ("NV_CUTHE", 3)]


def test_a_formula_error_is_named_in_the_rule_6_reason(ingest, tmp_path):
    path = write(tmp_path / "errors.xlsx", _with_errors(xlsx_bytes(district_report())))
    verdict = ingest(path)["errors.xlsx"]
    assert [(r.rule, r.rows, r.values) for r in verdict.reasons] == [("6", [10, 11], ["#DIV/0!", "#VALUE!"])]
    assert "Row 10: value '#DIV/0!' of NV_GIAO is not a number" in verdict.reasons[0].en


def test_a_sheet_of_only_formula_errors_is_not_called_empty():
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="e"><f>#REF!+1</f><v>#REF!</v></c><c r="B1" t="e"><v>#N/A</v></c></row>'
        b"</sheetData></worksheet>"
    )
    data = rezip(xlsx_bytes(district_report()), edit={"xl/worksheets/sheet1.xml": lambda _: sheet})
    with pytest.raises(Unreadable) as refused:
        read_xlsx(data)
    assert (
        "#REF! (A1)" in refused.value.text.en
        and "#N/A (B1)" in refused.value.text.en
        and "#REF!" in refused.value.text.vi
    )
    assert "empty" not in refused.value.text.en


# --- 3. parts not at the usual paths are called corrupt ---


def _names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


@pytest.mark.parametrize("variant", ["Xl/Workbook.xml", "XL-folder", "backslashes"])
def test_part_names_in_another_case_or_with_backslashes_are_read(variant):
    """python-calamine finds parts case-insensitively and with Windows separators; the guard did not."""
    data = xlsx_bytes(district_report())
    if variant == "Xl/Workbook.xml":
        changed = rezip(data, rename={"xl/workbook.xml": "Xl/Workbook.xml"})
    elif variant == "XL-folder":
        changed = rezip(data, rename={n: "XL/" + n[3:] for n in _names(data) if n.startswith("xl/")})
    else:
        changed = rezip(data, rename={n: n.replace("/", "\\") for n in _names(data) if n.startswith("xl/")})
    assert _values(changed) == _values(data)


def test_a_workbook_part_with_a_non_standard_name_is_not_called_corrupt():
    """`xl/workbook2.xml`, referenced from `_rels/.rels`, is a valid package (Excel opens it), but
    python-calamine 0.9.1 reads `xl/workbook.xml` only ("Cannot detect file format"): the clerk is told
    so, not that the file is corrupt. Should calamine learn to read it, the rows must be right."""
    data = xlsx_bytes(district_report())
    moved = rezip(
        data,
        rename={"xl/workbook.xml": "xl/workbook2.xml", "xl/_rels/workbook.xml.rels": "xl/_rels/workbook2.xml.rels"},
        edit={
            "_rels/.rels": lambda b: b.replace(b"xl/workbook.xml", b"xl/workbook2.xml"),
            "[Content_Types].xml": lambda b: b.replace(b"/xl/workbook.xml", b"/xl/workbook2.xml"),
        },
    )
    try:
        assert _values(moved) == _values(data)
    except Unreadable as refused:
        assert (
            "is corrupt or not" not in refused.text.en
            and "xl/workbook2.xml" in refused.text.en
            and "xl/workbook2.xml" in refused.text.vi
        )


def test_a_minimal_package_is_read():
    """Only the five parts a reader needs, inline strings, no styles, theme or properties, the sheet
    outside `xl/`: read today (a control). python-calamine needs `_rels/.rels`, and does not resolve a
    relative `../` target (WorksheetNotFound), so the sheet's target is absolute."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    cells = [
        ["Biểu mẫu", "DP-HUYEN"],
        ["Mã đơn vị", "026"],
        ["Kỳ báo cáo", "2017Q2"],
        ["Mã chỉ tiêu", "Giá trị"],
        ["NV_GIAO", 1],
    ]
    rows = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{"AB"[c]}{r}"><v>{v}</v></c>'
            if isinstance(v, int)
            else f'<c r="{"AB"[c]}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
            for c, v in enumerate(row)
        )
        + "</row>"
        for r, row in enumerate(cells, 1)
    )
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Override PartName="/book.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/s.xml"'
        ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="r1" Type="{relationships}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{relationships}">'
        '<sheets><sheet name="S" sheetId="1" r:id="r1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="r1" Type="{relationships}/worksheet" Target="/data/report.xml"/></Relationships>',
        "data/report.xml": f'<worksheet xmlns="{main}"><sheetData>{rows}</sheetData></worksheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    rows, missing, _header = read_xlsx(buffer.getvalue())
    assert missing == [] and [(r.indicator_code, r.value) for r in rows] == [("NV_GIAO", 1)]


# --- 4. lines before a CSV's header get a hint about thousands separators ---

GOOD = csv_bytes(department_report())
SEMICOLON = csv_bytes(department_report(), delimiter=";", headers=VI_HEADERS)


@pytest.mark.parametrize(
    "data, header_line",
    [
        ("# Báo cáo quý 2 năm 2017\r\n".encode() + GOOD, 2),
        ("# Sở KHCN, quý 2, 2017\r\n".encode() + GOOD, 2),
        ("BÁO CÁO QUÝ II;;\r\n".encode() + SEMICOLON, 2),
        ("Báo cáo thực hiện nhiệm vụ đột phá\r\n\r\n".encode() + GOOD, 3),
        (b"sep=,\r\n" + GOOD, 2),
    ],
    ids=["comment", "comment-with-commas", "ragged-title", "title-and-blank-line", "excel-sep-line"],
)
def test_lines_before_the_header_get_the_true_reason(data, header_line):
    with pytest.raises(Unreadable) as refused:
        read_csv(data)
    assert "thousands" not in refused.value.text.en and "hàng nghìn" not in refused.value.text.vi
    assert f"line {header_line}" in refused.value.text.en and f"dòng {header_line}" in refused.value.text.vi
    assert "header" in refused.value.text.en


def test_a_csv_without_any_header_row_is_missing_its_columns():
    rows = b"".join(line for line in GOOD.splitlines(keepends=True)[1:])
    _, missing, _ = read_csv("Báo cáo quý 2\r\n".encode() + rows)
    assert missing == ["Biểu mẫu", "Mã đơn vị", "Kỳ báo cáo", "Mã chỉ tiêu", "Giá trị"]


def test_a_thousands_separator_in_a_comma_file_still_gets_its_hint():
    data = GOOD.replace(b"1250.5", b"1,250.5")
    with pytest.raises(Unreadable, match="thousands separator"):
        read_csv(data)


# --- 5. `chiso validate` on a file refused before reading pays for importing GX ---


@pytest.mark.parametrize("name, content", [("scan.pdf", b"%PDF-1.4 scan"), ("empty.csv", b"")])
def test_validate_of_a_file_refused_unread_does_not_import_gx(tmp_path, name, content):
    path = write(tmp_path / name, content)
    code = (
        "import sys, time; from pathlib import Path; from datetime import date\n"
        "from core.settings import load_settings; from chiso.checker import check_file\n"
        "from chiso.context import RunContext\n"
        f"settings = load_settings(home=Path({str(tmp_path / 'home')!r}))\n"
        f"verdict = check_file(Path({str(path)!r}), RunContext.of(settings, as_of=date(2018, 3, 1)))\n"
        "heavy = [name in sys.modules for name in ('great_expectations', 'pandas')]\n"
        "print(verdict.status, [r.rule for r in verdict.reasons], *heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CHISO_HOME": str(tmp_path / "home")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["rejected", "['1']", "False", "False"]


@pytest.mark.parametrize(
    "name, content", [("scan.pdf", b"%PDF-1.4 scan"), ("empty.csv", b""), ("old.xls", b"\xd0\xcf\x11\xe0")]
)
def test_validate_without_gx_says_what_the_pipeline_says(settings, ingest, tmp_path, name, content):
    from chiso.checker import check_file

    path = write(tmp_path / "in" / name, content)
    quick = check_file(path, RunContext.of(settings, as_of=date(2018, 3, 1)))
    full = ingest(path)[name]
    assert (quick.status, quick.reasons, quick.warnings) == (full.status, full.reasons, full.warnings)
