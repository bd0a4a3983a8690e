"""Every dialect, encoding and way of writing a period the template accepts is some unit's habit."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

from spec_reader import key


def test_dialects_and_forms_all_appear(inbox, catalog) -> None:
    folder, files = inbox
    kinds: set[str] = set()
    periods: set[str] = set()
    for f in files:
        data = (folder / f.file_name).read_bytes()
        if f.file_name.endswith(".xlsx") and data[:2] == b"PK" and f.expected_status != "rejected":
            kinds.add("xlsx")
            import openpyxl

            ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
            for row in ws.iter_rows(max_col=2, values_only=True):
                if row[0] and key(row[0]) == "kỳ báo cáo":
                    periods.add(unicodedata.normalize("NFC", str(row[1])))
                if row[0] and key(row[0]) == "mã đơn vị" and isinstance(row[1], int):
                    kinds.add("xlsx numeric unit")
            continue
        if not f.file_name.endswith(".csv") or not data:
            continue
        if data.startswith(b"\xef\xbb\xbf"):
            kinds.add("utf-8-sig")
            text = data[3:].decode()
        elif data.startswith(b"\xff\xfe"):
            kinds.add("utf-16")
            text = data[2:].decode("utf-16-le")
            assert "\t" in text.splitlines()[0]
        else:
            try:
                text = data.decode("utf-8")
                kinds.add("utf-8")
                if text != unicodedata.normalize("NFC", text):
                    kinds.add("nfd")
            except UnicodeDecodeError:
                text = data.decode("cp1258")
                kinds.add("cp1258")
        lines = text.splitlines()
        head = lines[0]
        kinds.add({"\t": "tab", ";": "semicolon", ",": "comma"}[max(["\t", ";", ","], key=head.count)])
        kinds.add("vi headers" if "Mã chỉ tiêu" in unicodedata.normalize("NFC", head) else "en headers")
        delim = max(["\t", ";", ","], key=head.count)
        for row in csv.reader(io.StringIO(unicodedata.normalize("NFC", text)), delimiter=delim):
            if row and row[0] in catalog.datasets:
                periods.add(row[2])
                if row[1] in ("24", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35"):
                    kinds.add("district code without zero")
                if delim != "," and re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+", row[5] if len(row) > 5 else ""):
                    kinds.add("vn thousands")
    assert kinds >= {
        "xlsx",
        "xlsx numeric unit",
        "utf-8",
        "utf-8-sig",
        "utf-16",
        "cp1258",
        "nfd",
        "tab",
        "semicolon",
        "comma",
        "vi headers",
        "en headers",
        "district code without zero",
    }
    shapes = {
        re.sub(r"\d", "9", p.replace("III", "R").replace("IV", "R").replace("II", "R").replace("I", "R"))
        for p in periods
    }
    assert {"9999Q9", "Quý R/9999", "Quý 9 năm 9999", "Q9/9999", "Quý 9/9999", "Năm 9999", "9999"} <= shapes
