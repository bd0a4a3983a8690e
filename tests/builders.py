"""Build report files the way reporting units send them, for the tests."""

from __future__ import annotations

import io
import os
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EN_HEADERS = ["dataset", "unit_code", "period", "indicator_code", "disaggregation", "value", "note"]
PROVINCE_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = date(2018, 3, 1)  # the tests' day of ingestion: every 2016-2017 period has ended
VI_HEADERS = ["Biểu mẫu", "Mã đơn vị", "Kỳ báo cáo", "Mã chỉ tiêu", "Phân tổ", "Giá trị", "Ghi chú"]

_FIELD_OF = {h.casefold(): en for en, vi in zip(EN_HEADERS, VI_HEADERS) for h in (en, vi)}


@dataclass(frozen=True)
class Report:
    dataset: str
    unit: object
    period: object
    # (indicator, disaggregation, value, note); a value is a number, or text written as is
    rows: tuple[tuple, ...] = field(default_factory=tuple)

    def with_rows(self, rows) -> Report:
        return replace(self, rows=tuple(rows))

    def without(self, indicator: str, disaggregation: str = "") -> Report:
        return self.with_rows(r for r in self.rows if (r[0], r[1]) != (indicator, disaggregation))

    def setting(self, indicator: str, value, disaggregation: str = "") -> Report:
        return self.with_rows(
            (r[0], r[1], value, r[3]) if (r[0], r[1]) == (indicator, disaggregation) else r for r in self.rows
        )


def department_report(unit="SKHCN", period="2017Q2") -> Report:
    return Report(
        "DP-SN",
        unit,
        period,
        (
            ("NV_GIAO", "", 3, ""),
            ("NV_TRIENKHAI", "", 2, ""),
            ("NV_CUTHE", "", 10, ""),
            ("NV_HOANTHANH", "", 4, "Đã nghiệm thu"),
            ("KP_BOTRI", "", 1250.5, ""),
            ("KP_GIAINGAN", "", 600, ""),
            ("TT_TIN", "", 12, ""),
            ("DVC_TRUCTUYEN_TYLE", "", 45.5, ""),
        ),
    )


def district_report(unit="026", period="2017Q2") -> Report:
    return Report(
        "DP-HUYEN",
        unit,
        period,
        (
            ("NV_GIAO", "", 1, ""),
            ("NV_TRIENKHAI", "", 1, ""),
            ("NV_CUTHE", "", 3, ""),
            ("NV_HOANTHANH", "", 1, ""),
            ("KP_BOTRI", "", 500, ""),
            ("KP_GIAINGAN", "", 120.25, "Quỹ phát triển KHCN"),
            ("MH_NHANRONG", "", 2, ""),
        ),
    )


def survey_report(unit="026", period="2017") -> Report:
    rows = []
    for disaggregation, total, applying in (
        ("TRUONGHOC", 120, 110),
        ("BENHVIEN", 5, 5),
        ("NHAHANG", 30, 20),
        ("KHACHSAN", 12, 9),
    ):
        rows += [("CNTT_TONG", disaggregation, total, ""), ("CNTT_UNGDUNG", disaggregation, applying, "")]
    return Report("CNTT-NAM", unit, period, tuple(rows))


def _number(value, convention: str) -> str:
    if isinstance(value, str):
        return value
    text = repr(float(value)) if isinstance(value, float) else str(value)
    text = text[:-2] if text.endswith(".0") else text
    if convention == "vietnamese":
        whole, _, decimals = text.partition(".")
        grouped = f"{int(whole):,}".replace(",", ".")
        return grouped + ("," + decimals if decimals else "")
    return text


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows tools write it: base letters precomposed, tone marks combining."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        for mark in marks:  # the vowel mark (â, ơ...) precomposed, the tone mark combining
            composed = unicodedata.normalize("NFC", base + mark)
            rest = "".join(m for m in marks if m != mark)
            try:
                out += composed.encode("cp1258") + rest.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            out += (base + "".join(marks)).encode("cp1258")
    return bytes(out)


def csv_bytes(report: Report, delimiter=",", encoding="utf-8", headers=EN_HEADERS, row_overrides=None) -> bytes:
    """A CSV report; `row_overrides` maps a row index to (dataset, unit, period) written on that row."""
    import csv

    convention = "international" if delimiter == "," else "vietnamese"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for index, (indicator, disaggregation, value, note) in enumerate(report.rows):
        head = (row_overrides or {}).get(index, (report.dataset, report.unit, report.period))
        cells = dict(zip(EN_HEADERS, [*head, indicator, disaggregation, _number(value, convention), note]))
        writer.writerow([cells[_FIELD_OF[h.casefold()]] for h in headers])
    text = buffer.getvalue()
    if encoding == "cp1258":
        return to_cp1258(text)
    return text.encode(encoding)


def xlsx_bytes(report: Report, header_fields=None, value_as_text=False, extra=None) -> bytes:
    """A workbook in the province's template: title, header block, blank row, table, blank row."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Báo cáo"
    sheet.append(["BÁO CÁO THỰC HIỆN NHIỆM VỤ ĐỘT PHÁ"])
    sheet.append([])
    fields = (
        header_fields
        if header_fields is not None
        else {
            "Biểu mẫu:": report.dataset,
            "Tên đơn vị:": "Đơn vị thử nghiệm",
            "Mã đơn vị:": report.unit,
            "Kỳ báo cáo:": report.period,
            "Người lập:": "Nguyễn Văn A",
        }
    )
    for label, value in fields.items():
        sheet.append([label, value])
    sheet.append([])
    sheet.append(["STT", "Mã chỉ tiêu", "Tên chỉ tiêu", "Phân tổ", "Đơn vị tính", "Giá trị", "Ghi chú"])
    for number, (indicator, disaggregation, value, note) in enumerate(report.rows, 1):
        cell = _number(value, "vietnamese") if value_as_text else value
        sheet.append([number, indicator, f"Chỉ tiêu {indicator}", disaggregation or None, "", cell, note or None])
    sheet.append([])
    sheet.append(["Ngày 05 tháng 7 năm 2017"])
    if extra:
        extra(workbook)
    workbook.properties.created = workbook.properties.modified = datetime(2017, 7, 5)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write(path: Path, data: bytes, received: str = "2017-07-05 09:00") -> Path:
    """Write a file as received at `received`, in the province's local time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stamp = datetime.fromisoformat(received).replace(tzinfo=PROVINCE_TIME).timestamp()
    os.utime(path, (stamp, stamp))
    return path
