"""The reporting template: one protected workbook per data set, unit and period, made from the catalog.

The first worksheet is the report exactly as `transforms.xlsx_reader` reads it (header block with
labels in column A and values in column B, then the table); every identity cell is locked and the
sheet is protected without a password, only the value cells are open, each with Excel data
validation for its value type, and rule 9's pairs turn red when broken. A second sheet holds the
due date and the instructions; a hidden third sheet, two custom document properties and a defined
name carry the template's version and a checksum of the data set's form, so that a workbook made
from an outdated catalog can be told apart (`read_stamp`, `stamp_status`).

The only project dependency is the catalog object, duck-typed (`chiso.catalog.Catalog` today,
`core.catalog.Catalog` tomorrow): its attributes `datasets`, `indicators`, `breakdowns`, `form_keys`,
`mandatory_items`, `units`, `plan`, `first_year`, `last_year`, and `derived_indicators` if it has
them, else `directory / "derived_indicators.csv"`. openpyxl is imported inside `build_template`:
importing this module costs nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

TEMPLATE_VERSION = "1"
REPORT_SHEET = "Báo cáo"
GUIDE_SHEET = "Hướng dẫn"
STAMP_SHEET = "chiso"
STAMP_NAME = "chiso_template"  # the defined name: "version;checksum"
PROPERTY_VERSION = "chiso_template_version"
PROPERTY_CHECKSUM = "chiso_form_checksum"
TABLE_HEADER = ("STT", "Mã chỉ tiêu", "Tên chỉ tiêu", "Phân tổ", "Đơn vị tính", "Giá trị", "Ghi chú")
VALUE_COLUMN = "F"
MANDATORY_MARK = " (*)"
_PERIOD = re.compile(r"^(\d{4})(?:Q([1-4]))?$")
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip


class TemplateError(ValueError):
    """No template can be made for this data set, unit and period."""


# --- what the template needs from the catalog ---


@dataclass(frozen=True)
class FormRow:
    indicator_code: str
    indicator_name: str
    breakdown_code: str  # '' when the indicator takes no breakdown
    breakdown_name: str
    measure_unit: str
    value_type: str  # count, amount, percent
    mandatory: bool


@dataclass(frozen=True)
class Form:
    dataset_code: str
    dataset_name: str
    submitter_type: str
    period_type: str
    due_days: int
    rows: tuple[FormRow, ...]
    pairs: tuple[tuple[str, str], ...]  # rule 9: (numerator, denominator) both on the form

    def checksum(self) -> str:
        """SHA-256 of everything the form's layout and rules come from (not of the catalog's files:
        a new target or unit does not make a template outdated, a renamed indicator does)."""
        content = json.dumps(_as_list(self), ensure_ascii=False)
        return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _as_list(form: Form) -> list:
    return [form.dataset_code, form.dataset_name, form.submitter_type, form.period_type, form.due_days,
            [list(vars(row).values()) for row in form.rows], [list(p) for p in form.pairs]]  # fmt: skip


def _derived_pairs(catalog) -> list[tuple[str, str]]:
    """catalog/derived_indicators.csv's (numerator, denominator): rule 9's pairs."""
    rows = getattr(catalog, "derived_indicators", None)
    if rows is None:
        import csv

        with (Path(catalog.directory) / "derived_indicators.csv").open(encoding="utf-8", newline="") as stream:
            rows = list(csv.DictReader(stream))
    rows = rows.values() if isinstance(rows, dict) else rows
    return [(row["numerator_code"], row["denominator_code"]) for row in rows]


def catalog_view(catalog, dataset_code: str) -> Form:
    """The data set's form from the catalog (`chiso.catalog.Catalog`, or any object with its attributes:
    datasets, indicators, breakdowns, form_keys, mandatory_items, and derived indicators)."""
    dataset = catalog.datasets.get(dataset_code)
    if dataset is None:
        raise TemplateError(f"unknown data set {dataset_code!r}; the catalog has {sorted(catalog.datasets)}")
    mandatory = {(i, b) for d, i, b in catalog.mandatory_items if d == dataset_code}
    mandatory_indicators = {i for i, _ in mandatory}
    codes = [key.split("/", 1)[1] for key in catalog.dataset_indicator_keys if key.split("/", 1)[0] == dataset_code]
    rows = []
    for code in codes:
        indicator = catalog.indicators[code]
        breakdowns = catalog.disaggregations.get(code) or [{"disaggregation_code": "", "disaggregation_name": ""}]
        for breakdown in breakdowns:
            b_code = breakdown["disaggregation_code"]
            rows.append(FormRow(
                code, indicator["indicator_name"], b_code, breakdown["disaggregation_name"],
                indicator["measure_unit"], indicator["value_type"],
                (code, b_code) in mandatory or (not b_code and code in mandatory_indicators),
            ))  # fmt: skip
    pairs = tuple((n, d) for n, d in _derived_pairs(catalog) if n in codes and d in codes)
    return Form(dataset_code, dataset["dataset_name"], dataset["submitter_type"], dataset["period_type"],
                int(dataset["due_days_after_period_end"]), tuple(rows), pairs)  # fmt: skip


def _unit(catalog, unit_code: str) -> dict[str, str]:
    unit = catalog.units.get(unit_code)
    if unit is None:
        raise TemplateError(f"unknown unit {unit_code!r}")
    return unit


def _province_name(catalog) -> str:
    plan = getattr(catalog, "plan", {}) or {}
    province = catalog.units.get(plan.get("province_code", ""), {})
    return province.get("unit_name", "")


# --- periods (a few lines here rather than a second project dependency) ---


def period_bounds(period: str) -> tuple[date, date]:
    match = _PERIOD.match(period)
    if not match:
        raise TemplateError(f"period {period!r} is not a period code (2017 or 2017Q3)")
    year = int(match[1])
    if not match[2]:
        return date(year, 1, 1), date(year, 12, 31)
    quarter = int(match[2])
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end - timedelta(days=1)


def _period_words(period: str) -> tuple[str, str]:
    match = _PERIOD.match(period)
    if match[2]:
        quarter = int(match[2])
        return f"Quý {_ROMAN[quarter]} năm {match[1]}", f"quarter {quarter} of {match[1]}"
    return f"Năm {match[1]}", f"year {match[1]}"


def _english(day: date) -> str:
    """`10 October 2017`, whatever the process's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def due_date(catalog, dataset_code: str, period: str) -> date:
    form = catalog_view(catalog, dataset_code)
    return period_bounds(period)[1] + timedelta(days=form.due_days)


def _check(catalog, form: Form, unit: dict[str, str], period: str) -> None:
    start, end = period_bounds(period)
    kind = "quarter" if "Q" in period else "year"
    if kind != form.period_type:
        raise TemplateError(f"{form.dataset_code} is reported by {form.period_type}, not by {kind} ({period})")
    if unit["unit_type"] != form.submitter_type:
        raise TemplateError(
            f"{unit['unit_code']} is a {unit['unit_type']}; {form.dataset_code} is sent by {form.submitter_type}s"
        )
    first, last = getattr(catalog, "first_year", None), getattr(catalog, "last_year", None)
    if first is not None and not first <= start.year <= last:
        raise TemplateError(f"{period} is outside the plan ({first}-{last})")
    valid_from, valid_to = unit.get("valid_from") or "0001-01-01", unit.get("valid_to") or "9999-12-31"
    if not (date.fromisoformat(valid_from) <= end and start <= date.fromisoformat(valid_to)):
        raise TemplateError(f"{unit['unit_code']} does not exist in {period} ({valid_from} to {valid_to})")


def template_file_name(dataset_code: str, unit_code: str, period: str) -> str:
    """`DP-HUYEN_026_2017Q3.xlsx`: the data set, unit and period codes, safe on every file system."""
    parts = [str(p).strip().upper() for p in (dataset_code, unit_code, period)]
    if not all(re.fullmatch(r"[A-Z0-9-]+", p) for p in parts):
        raise TemplateError(f"codes {parts} cannot make a file name")
    return "_".join(parts) + ".xlsx"


# --- the workbook ---

_TEXTS = {
    # value type -> (number format, validation type, operator, formula1, formula2, prompt vi, prompt en, error vi, error en)
    "count": ("#,##0", "whole", "greaterThanOrEqual", "0", None,
              "Nhập số nguyên ≥ 0 (0, 1, 2...).", "Whole number ≥ 0.",
              "Chỉ tiêu này là số đếm: chỉ nhập số nguyên ≥ 0, không nhập chữ, số âm hay số thập phân.",
              "A count: a whole number ≥ 0 only."),
    "amount": ("#,##0.00", "decimal", "greaterThanOrEqual", "0", None,
               "Nhập số tiền (triệu đồng) ≥ 0, được có phần thập phân.", "Million VND ≥ 0, decimals allowed.",
               "Chỉ tiêu này là số tiền (triệu đồng): chỉ nhập số ≥ 0, không nhập chữ hay số âm.",
               "An amount in million VND: a number ≥ 0 only."),
    "percent": ("0.0", "decimal", "between", "0", "100",
                "Nhập tỷ lệ từ 0 đến 100, ví dụ 45,5 (không gõ dấu %).", "0 to 100, e.g. 45.5 (no % sign).",
                "Chỉ tiêu này là tỷ lệ phần trăm: chỉ nhập số từ 0 đến 100, không gõ dấu %.",
                "A percentage: a number from 0 to 100 only, without the % sign."),
}  # fmt: skip
_REQUIRED = ("Bắt buộc nhập.", "Mandatory.")
_OPTIONAL = ("Để trống nếu không có số liệu.", "Leave blank if not reported.")
_COLUMN_WIDTHS = {"A": 15, "B": 17, "C": 52, "D": 13, "E": 12, "F": 15, "G": 32}


@lru_cache(maxsize=1)
def _styles():
    """openpyxl style objects, made once per process (they are immutable and shared)."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    thin = Side(style="thin", color="808080")
    return {
        "title": Font(bold=True, size=13),
        "bold": Font(bold=True),
        "small": Font(italic=True, size=9, color="595959"),
        "header_fill": PatternFill("solid", fgColor="D9E1F2"),
        "input_fill": PatternFill("solid", fgColor="FFF2CC"),  # mandatory value cells
        "open_fill": PatternFill("solid", fgColor="EDF7ED"),  # optional value cells, open header cells
        "bad_fill": PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE"),
        "bad_font": Font(bold=True, color="9C0006"),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="center"),
        "center": Alignment(horizontal="center", vertical="center"),
        "unlocked": Protection(locked=False),
    }


def _validation(value_type: str, mandatory: bool, cells: list[str]):
    from openpyxl.worksheet.datavalidation import DataValidation

    fmt, kind, operator, low, high, prompt_vi, prompt_en, error_vi, error_en = _TEXTS[value_type]
    extra_vi, extra_en = _REQUIRED if mandatory else _OPTIONAL
    prompt = f"{prompt_vi} {extra_vi}\n{prompt_en} {extra_en}"
    error = f"{error_vi}\n{error_en}"
    assert len(prompt) <= 255 and len(error) <= 255, (len(prompt), len(error))  # Excel's limits
    validation = DataValidation(
        type=kind, operator=operator, formula1=low, formula2=high, allow_blank=True,
        showInputMessage=True, promptTitle="Giá trị / Value", prompt=prompt,
        showErrorMessage=True, errorStyle="stop", errorTitle="Giá trị không hợp lệ", error=error,
    )  # fmt: skip
    for cell in cells:
        validation.add(cell)
    return validation


def build_template(
    catalog, dataset_code: str, unit_code: str, period: str, *, created: datetime | None = None
) -> bytes:
    """The xlsx bytes of the template for one data set, unit and period (codes as in the catalog:
    `DP-HUYEN`, `026`, `2017Q3`). `created` sets the document's creation date (default: now)."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.workbook.protection import WorkbookProtection

    form = catalog_view(catalog, dataset_code)
    unit = _unit(catalog, unit_code)
    _check(catalog, form, unit, period)
    checksum = form.checksum()
    start, end = period_bounds(period)
    due = end + timedelta(days=form.due_days)
    words_vi, words_en = _period_words(period)
    s = _styles()

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = REPORT_SHEET
    for letter, width in _COLUMN_WIDTHS.items():
        sheet.column_dimensions[letter].width = width

    # Title rows: no cell here may read as a field label (the reader looks for them).
    sheet["A1"] = (_province_name(catalog) or "").upper()
    sheet["A1"].font = s["bold"]
    sheet["A2"] = form.dataset_name.upper()
    sheet["A2"].font = s["title"]
    sheet["A3"] = f"{words_vi} — hạn gửi {due:%d/%m/%Y} (due {_english(due)}); hướng dẫn ở trang '{GUIDE_SHEET}'"
    sheet["A3"].font = s["small"]
    header = [
        ("Biểu mẫu", form.dataset_code, form.dataset_name),
        ("Mã đơn vị", unit["unit_code"], None),
        ("Tên đơn vị", unit["unit_name"], None),
        ("Kỳ báo cáo", period, f"{words_vi} ({start:%d/%m/%Y} – {end:%d/%m/%Y})"),
        ("Ngày báo cáo", None, "Ngày lập báo cáo (ngày/tháng/năm) / date of the report"),
        ("Người lập", None, "Họ tên người lập / prepared by"),
    ]
    first_header_row = 5
    for offset, (label, value, hint) in enumerate(header):
        row = first_header_row + offset
        sheet.cell(row, 1, label).font = s["bold"]
        cell = sheet.cell(row, 2, value)
        cell.border = s["border"]
        if hint:
            sheet.cell(row, 3, hint).font = s["small"]
        if value is None:  # the clerk's cells
            cell.protection, cell.fill = s["unlocked"], s["open_fill"]
    date_cell, author_cell = f"B{first_header_row + 4}", f"B{first_header_row + 5}"
    sheet[date_cell].number_format = "dd/mm/yyyy"
    sheet[author_cell].number_format = "@"

    table_row = first_header_row + len(header) + 1
    for column, label in enumerate(TABLE_HEADER, 1):
        cell = sheet.cell(table_row, column, label)
        cell.font, cell.fill, cell.border, cell.alignment = s["bold"], s["header_fill"], s["border"], s["center"]

    value_cells: dict[tuple[str, bool], list[str]] = {}
    row_of: dict[tuple[str, str], int] = {}
    for number, item in enumerate(form.rows, 1):
        row = table_row + number
        name = item.indicator_name + (f" — {item.breakdown_name}" if item.breakdown_code else "")
        cells = [number, item.indicator_code, name + (MANDATORY_MARK if item.mandatory else ""),
                 item.breakdown_code or None, item.measure_unit, None, None]  # fmt: skip
        for column, content in enumerate(cells, 1):
            cell = sheet.cell(row, column, content)
            cell.border = s["border"]
        sheet.cell(row, 3).alignment = s["wrap"]
        value = sheet.cell(row, 6)
        value.protection = s["unlocked"]
        value.fill = s["input_fill"] if item.mandatory else s["open_fill"]
        value.number_format = _TEXTS[item.value_type][0]
        note = sheet.cell(row, 7)
        note.protection, note.number_format = s["unlocked"], "@"  # a note typed as =... stays text
        if item.mandatory:
            sheet.cell(row, 2).font = s["bold"]
        value_cells.setdefault((item.value_type, item.mandatory), []).append(f"{VALUE_COLUMN}{row}")
        row_of[(item.indicator_code, item.breakdown_code)] = row
    last_row = table_row + len(form.rows)

    for (value_type, mandatory), cells in value_cells.items():
        sheet.add_data_validation(_validation(value_type, mandatory, cells))
    date_validation = _date_validation(start)
    date_validation.add(date_cell)
    sheet.add_data_validation(date_validation)

    # Rule 9: a numerator above its denominator (same breakdown) turns both cells red.
    for numerator, denominator in form.pairs:
        for (code, breakdown), n_row in row_of.items():
            d_row = row_of.get((denominator, breakdown)) if code == numerator else None
            if d_row is None:
                continue
            n, d = f"$F${n_row}", f"$F${d_row}"
            rule = FormulaRule(formula=[f"AND(ISNUMBER({n}),ISNUMBER({d}),{n}>{d})"], fill=s["bad_fill"],
                               font=s["bad_font"], stopIfTrue=False)  # fmt: skip
            sheet.conditional_formatting.add(f"F{n_row} F{d_row}", rule)

    # Legend after a blank row: the reader's table ends at the first empty row.
    legend = [
        "(*) Chỉ tiêu bắt buộc (ô màu vàng); ô màu xanh: không bắt buộc, để trống nếu không có số liệu."
        " / (*) mandatory (yellow); green: optional, leave blank if not reported.",
        "Ô chuyển màu đỏ: số liệu mâu thuẫn (ví dụ số đã triển khai lớn hơn số được giao)."
        " / A red cell: inconsistent values (e.g. deployed above assigned).",
    ]
    for offset, text in enumerate(legend):
        sheet.cell(last_row + 2 + offset, 1, text).font = s["small"]

    sheet.freeze_panes = f"A{table_row + 1}"
    sheet.print_title_rows = f"{table_row}:{table_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    # Protected without a password: an accident guard, not security. Columns and rows may be resized.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = sheet.protection.formatRows = False

    _guide_sheet(workbook.create_sheet(GUIDE_SHEET), catalog, form, unit, period, due, checksum)

    stamp = workbook.create_sheet(STAMP_SHEET)
    for row in (("version", TEMPLATE_VERSION), ("form_checksum", checksum), ("dataset", form.dataset_code),
                ("unit", unit["unit_code"]), ("period", period)):  # fmt: skip
        stamp.append(row)
    stamp.sheet_state = "hidden"
    stamp.protection.sheet = True
    workbook.defined_names[STAMP_NAME] = DefinedName(
        STAMP_NAME, attr_text=f'"{TEMPLATE_VERSION};{checksum}"', hidden=True
    )
    workbook.custom_doc_props.append(StringProperty(name=PROPERTY_VERSION, value=TEMPLATE_VERSION))
    workbook.custom_doc_props.append(StringProperty(name=PROPERTY_CHECKSUM, value=checksum))
    # The structure is locked too: no sheet added before the report, none renamed or unhidden.
    workbook.security = WorkbookProtection(lockStructure=True)
    workbook.active = 0

    stamp_time = created or datetime.now().replace(microsecond=0)
    workbook.properties.created = workbook.properties.modified = stamp_time
    workbook.properties.creator = "chiso"
    workbook.properties.title = f"{form.dataset_code} {unit['unit_code']} {period}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _date_validation(start: date):
    from openpyxl.worksheet.datavalidation import DataValidation

    return DataValidation(
        type="date", operator="greaterThanOrEqual", formula1=f"DATE({start.year},{start.month},{start.day})",
        allow_blank=True, showInputMessage=True, promptTitle="Ngày báo cáo / Date",
        prompt="Nhập ngày lập báo cáo, dạng ngày/tháng/năm.\nThe date of the report.",
        showErrorMessage=True, errorTitle="Ngày không hợp lệ",
        error=f"Hãy nhập một ngày, từ {start:%d/%m/%Y} trở đi.\nEnter a date, from {start:%d/%m/%Y} on.",
    )  # fmt: skip


def _guide_sheet(sheet, catalog, form: Form, unit, period: str, due: date, checksum: str) -> None:
    s = _styles()
    sheet.column_dimensions["A"].width = 4
    sheet.column_dimensions["B"].width = 70
    sheet.column_dimensions["C"].width = 60
    words_vi, words_en = _period_words(period)
    names = {row.indicator_code: row.indicator_name for row in form.rows}
    lines: list[tuple[str, str]] = [
        ("HƯỚNG DẪN ĐIỀN BIỂU MẪU", "HOW TO FILL IN THE FORM"),
        ("", ""),
        (f"Biểu mẫu {form.dataset_code}: {form.dataset_name}", f"Form {form.dataset_code}"),
        (f"Đơn vị: {unit['unit_code']} — {unit['unit_name']}", f"Reporting unit {unit['unit_code']}"),
        (f"Kỳ báo cáo: {period} ({words_vi})", f"Period {period} ({words_en})"),
        (
            f"HẠN GỬI: {due:%d/%m/%Y} ({form.due_days} ngày sau khi hết kỳ)",
            f"DUE DATE: {_english(due)} ({form.due_days} days after the period ends)",
        ),
        ("", ""),
        (
            f"1. Chỉ nhập số liệu vào cột 'Giá trị' và 'Ghi chú' của trang '{REPORT_SHEET}', cùng ngày báo cáo và người lập."
            " Các ô khác đã khóa.",
            f"1. Enter values in the 'Giá trị' (value) and 'Ghi chú' (note) columns of sheet '{REPORT_SHEET}', and the date"
            " and author. Every other cell is locked.",
        ),
        (
            "2. Chỉ tiêu có dấu (*) và ô màu vàng là bắt buộc. Ô màu xanh không bắt buộc: để trống nếu không có số liệu.",
            "2. Rows marked (*) (yellow cells) are mandatory. Green cells are optional: leave blank if not reported.",
        ),
        (
            "3. Số đếm là số nguyên ≥ 0; kinh phí tính bằng triệu đồng, được có phần thập phân; tỷ lệ là số từ 0 đến 100"
            " (gõ 45,5 chứ không gõ 45%).",
            "3. Counts are whole numbers ≥ 0; amounts are million VND, decimals allowed; percentages are 0 to 100"
            " (type 45.5, not 45%).",
        ),
        (
            "4. Ô chuyển màu đỏ khi số liệu mâu thuẫn: báo cáo như vậy sẽ bị từ chối.",
            "4. A cell turns red when values are inconsistent: such a report is refused.",
        ),
        (
            "5. Không đổi tên, thêm, xóa hay sắp xếp lại trang tính; không dán đè lên các ô (dán bỏ qua kiểm tra)."
            " Lưu dạng .xlsx và gửi nguyên tên tệp.",
            "5. Do not rename, add, delete or reorder sheets; do not paste over cells (pasting skips the checks)."
            " Save as .xlsx and keep the file name.",
        ),
    ]
    if form.pairs:
        lines.append(("", ""))
        lines.append(("Các cặp số liệu phải nhất quán (số bên trái không lớn hơn số bên phải):",
                      "Pairs that must agree (the left one is not above the right one):"))  # fmt: skip
        for numerator, denominator in form.pairs:
            lines.append((f"   {numerator} ≤ {denominator}", f"   {names[numerator]} ≤ {names[denominator]}"))
    lines += [("", ""), (f"Phiên bản biểu mẫu {TEMPLATE_VERSION}, mã kiểm tra {checksum[:12]}",
                         f"Template version {TEMPLATE_VERSION}, form checksum {checksum[:12]}")]  # fmt: skip
    for number, (vi, en) in enumerate(lines, 1):
        sheet.cell(number, 2, vi).alignment = s["wrap"]
        sheet.cell(number, 3, en).alignment = s["wrap"]
    for cell in (sheet["B1"], sheet["C1"], sheet["B6"], sheet["C6"]):
        cell.font = s["title"] if cell.row == 1 else s["bold"]
    sheet.protection.sheet = True


def templates_for_period(catalog, period: str, dataset_codes: list[str] | None = None) -> Iterator[tuple[str, bytes]]:
    """(file name, xlsx bytes) for every data set of the period's type and every unit that sends it
    and exists in the period."""
    kind = "quarter" if "Q" in period else "year"
    start, end = period_bounds(period)
    for code, dataset in catalog.datasets.items():
        if (dataset_codes and code not in dataset_codes) or dataset["period_type"] != kind:
            continue
        for unit_code, unit in catalog.units.items():
            if unit["unit_type"] != dataset["submitter_type"]:
                continue
            if not (date.fromisoformat(unit["valid_from"] or "0001-01-01") <= end
                    and start <= date.fromisoformat(unit["valid_to"] or "9999-12-31")):  # fmt: skip
                continue
            yield template_file_name(code, unit_code, period), build_template(catalog, code, unit_code, period)


# --- reading the stamp back (stdlib only: no openpyxl, no calamine) ---

_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def read_stamp(data: bytes) -> dict[str, str] | None:
    """The template version and form checksum a workbook carries, from its custom document
    properties, else its defined name; None for a workbook not made by `build_template`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "docProps/custom.xml" in names:
            found = {}
            for prop in ElementTree.fromstring(archive.read("docProps/custom.xml")).iter(f"{_CUSTOM}property"):
                text = "".join(prop.itertext()).strip()
                found[prop.get("name")] = text
            if PROPERTY_VERSION in found and PROPERTY_CHECKSUM in found:
                return {
                    "version": found[PROPERTY_VERSION],
                    "checksum": found[PROPERTY_CHECKSUM],
                    "source": "properties",
                }
        if "xl/workbook.xml" in names:
            for defined in ElementTree.fromstring(archive.read("xl/workbook.xml")).iter(f"{_MAIN}definedName"):
                if defined.get("name") == STAMP_NAME:
                    version, _, checksum = (defined.text or "").strip().strip('"').partition(";")
                    return {"version": version, "checksum": checksum, "source": "defined name"}
    except (zipfile.BadZipFile, ElementTree.ParseError, OSError, ValueError, KeyError):
        return None
    return None


def stamp_status(catalog, data: bytes, dataset_code: str) -> str:
    """`current`, `outdated` (made from another version of the form) or `unknown` (no stamp)."""
    stamp = read_stamp(data)
    if stamp is None:
        return "unknown"
    try:
        current = catalog_view(catalog, dataset_code).checksum()
    except TemplateError:
        return "unknown"
    return "current" if stamp["version"] == TEMPLATE_VERSION and stamp["checksum"] == current else "outdated"
