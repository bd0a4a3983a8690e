import io
import zipfile

import pytest

from builders import district_report, xlsx_bytes
from transforms.submission import Unreadable
from transforms.xlsx_reader import parse_template, read_xlsx


def test_template_header_block_and_table():
    rows, missing, header = read_xlsx(xlsx_bytes(district_report(26, "Quý II/2017")))
    assert missing == []
    assert header == {"dataset": "DP-HUYEN", "unit_code": 26, "period": "Quý II/2017"}
    assert [(r.source_row, r.indicator_code, r.value) for r in rows[:2]] == [
        (10, "NV_GIAO", 1),
        (11, "NV_TRIENKHAI", 1),
    ]
    assert len(rows) == len(district_report().rows)  # the signature line after the blank row is not data


def test_labels_anywhere_inline_values_columns_in_any_order():
    cells = [
        ["UBND TỈNH HÀ GIANG"],
        [],
        ["biểu mẫu", "DP-HUYEN"],
        ["Ghi chú chung"],
        ["Kỳ báo cáo: Quý 2/2017"],
        [],
        ["MÃ ĐƠN VỊ:", "027"],
        ["Giá trị", "Ghi chú", "Mã chỉ tiêu"],
        [5, None, "NV_GIAO"],
        ["", "", ""],
        [9, None, "X"],
    ]
    rows, missing, header = parse_template(cells)
    assert missing == []
    assert header == {"dataset": "DP-HUYEN", "period": "Quý 2/2017", "unit_code": "027"}
    assert [(r.source_row, r.indicator_code, r.value) for r in rows] == [(9, "NV_GIAO", 5)]


def test_missing_table_and_fields_are_listed():
    _, missing, _ = parse_template([["Biểu mẫu", "DP-SN"], ["STT", "Tên chỉ tiêu"]])
    assert missing == ["Mã đơn vị", "Kỳ báo cáo", "Mã chỉ tiêu"]
    _, missing, _ = parse_template(
        [["Biểu mẫu", "DP-SN"], ["Mã đơn vị", "SYT"], ["Kỳ báo cáo", "2017"], ["Mã chỉ tiêu"]]
    )
    assert missing == ["Giá trị"]


def test_first_visible_sheet_is_the_report():
    def hide_first(workbook):
        decoy = workbook.create_sheet("Hướng dẫn", 0)
        decoy.append(["Mã chỉ tiêu", "Giá trị"])
        decoy.append(["NV_GIAO", 999])
        decoy.sheet_state = "hidden"

    rows, _, _ = read_xlsx(xlsx_bytes(district_report(), extra=hide_first))
    assert rows[0].value == 1


def test_merged_cells_and_formulas_keep_their_values():
    def merge_and_formula(workbook):
        sheet = workbook.active
        sheet.merge_cells("A1:G1")
        sheet["F10"] = "=1+0"  # no cached value, as written by a library: not a number

    rows, _, _ = read_xlsx(xlsx_bytes(district_report(), extra=merge_and_formula))
    assert rows[0].indicator_code == "NV_GIAO"
    assert rows[0].value == "=1+0"  # never computed: the formula the clerk sees, not a blank "not reported"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"not a zip at all", "corrupt"),
        (_zip({"word/document.xml": b"<w/>"}), "corrupt"),
        (_zip({"xl/workbook.xml": b"<x/>", "xl/worksheets/sheet1.xml": b"\0" * 60_000_000}), "zip bomb"),
        (_zip({"xl/workbook.xml": b"<x/>", "xl/worksheets/sheet1.xml": b'<c r="XFD1048576"/>'}), "far beyond"),
    ],
    ids=["not-zip", "not-workbook", "zip-bomb", "huge-sheet"],
)
def test_hostile_workbooks_are_refused_before_parsing(data, message):
    with pytest.raises(Unreadable, match=message):
        read_xlsx(data)


def _with_parts(data: bytes, edit) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, edit(entry.filename, source.read(entry)))
    return rebuilt.getvalue()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_workbook_whose_xml_parts_are_utf16_is_read(encoding):
    """Office on some devices writes UTF-16 parts; the workbook reader takes UTF-8 only."""

    def utf16(name: str, part: bytes) -> bytes:
        if not name.endswith((".xml", ".rels")):
            return part
        text = part.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
        return text.encode(encoding)

    original = xlsx_bytes(district_report())
    rows, missing, header = read_xlsx(_with_parts(original, utf16))
    expected = read_xlsx(original)
    assert (rows, missing, header) == expected and len(rows) == len(district_report().rows)


def test_an_oversized_sheet_is_refused_with_its_real_size_not_where_counting_stopped():
    wide = (
        b'<row r="12000">' + b"".join(b'<c r="%s12000"><v>1</v></c>' % _letters(n) for n in range(1, 302)) + b"</row>"
    )

    def oversized(name: str, part: bytes) -> bytes:
        return part.replace(b"</sheetData>", wide + b"</sheetData>") if name == "xl/worksheets/sheet1.xml" else part

    with pytest.raises(Unreadable) as refused:
        read_xlsx(_with_parts(xlsx_bytes(district_report()), oversized))
    assert "row 12000, column 301" in refused.value.text.en and "dòng 12000, cột 301" in refused.value.text.vi


def _letters(column: int) -> bytes:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters.encode()
