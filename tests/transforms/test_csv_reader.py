import pytest

from builders import EN_HEADERS, VI_HEADERS, csv_bytes, department_report, to_cp1258
from transforms.csv_reader import decode, read_csv
from transforms.submission import Unreadable

TEXT = "Biểu mẫu,Ghi chú\nDP-SN,Sở Khoa học và Công nghệ đã triển khai\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        TEXT.encode("utf-8-sig"),
        TEXT.encode("utf-16"),
        TEXT.encode("utf-16-be").join([b"\xfe\xff", b""]),
        to_cp1258(TEXT),
    ],
    ids=["utf8", "utf8-bom", "utf16-le-bom", "utf16-be-bom", "windows-1258"],
)
def test_every_allowed_encoding_decodes_to_nfc(data):
    import unicodedata

    assert unicodedata.normalize("NFC", decode(data)) == TEXT


def test_mixed_encodings_are_refused():
    with pytest.raises(Unreadable, match="mixes encodings"):
        decode("Sở Khoa học ".encode() + to_cp1258("và Công nghệ") + " triển khai".encode())


def test_binary_is_refused():
    with pytest.raises(Unreadable, match="binary"):
        decode(b"PK\x03\x04\x00\x00garbage")


@pytest.mark.parametrize("delimiter, convention", [(",", "international"), (";", "vietnamese"), ("\t", "vietnamese")])
def test_delimiter_sets_number_convention(delimiter, convention):
    rows, missing, found = read_csv(csv_bytes(department_report(), delimiter=delimiter))
    assert (missing, found) == ([], convention)
    assert [r.indicator_code for r in rows][:2] == ["NV_GIAO", "NV_TRIENKHAI"]


def test_headers_in_either_language_any_case_and_order():
    headers = [h.upper() for h in reversed(VI_HEADERS)]
    rows, missing, _ = read_csv(csv_bytes(department_report(), headers=headers))
    assert missing == []
    assert (rows[0].unit_code, rows[0].indicator_code, rows[0].source_row) == ("SKHCN", "NV_GIAO", 2)


def test_missing_required_columns_are_listed_in_vietnamese():
    data = csv_bytes(department_report(), headers=[h for h in EN_HEADERS if h not in ("period", "value")])
    _, missing, _ = read_csv(data)
    assert missing == ["Kỳ báo cáo", "Giá trị"]


def test_header_only_file_is_unreadable():
    with pytest.raises(Unreadable, match="no data rows"):
        read_csv(",".join(EN_HEADERS).encode())


def test_nul_bytes_and_control_characters_never_reach_the_data():
    data = csv_bytes(department_report()).replace(b"\xc3\x90", b"").replace(b"SKHCN", b"SKH\x07CN")
    rows, _, _ = read_csv(data)
    assert rows[0].unit_code == "SKH\x07CN"  # kept raw here: code normalisation strips it


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_the_delimiter_is_sniffed_on_the_first_record_not_its_first_line(delimiter):
    """A header cell with a line break (Alt+Enter) and commas inside its quotes: the first physical line
    holds more commas than delimiters, the first record does not."""
    header = delimiter.join([*VI_HEADERS[:-1], '"Ghi chú (ví dụ: a, b, c, d, e, f, g, h)\n(nếu có)"'])
    lines = [header] + [delimiter.join(["DP-SN", "SKHCN", "2017Q2", code, "", "3", '"x, y"']) for code in ("NV_GIAO",)]
    rows, missing, convention = read_csv("\r\n".join(lines).encode("utf-8"))
    assert missing == [] and [(row.indicator_code, row.value) for row in rows] == [("NV_GIAO", "3")]
    assert convention == ("international" if delimiter == "," else "vietnamese")
