"""Build the template workbook: the report sheet the reader reads, its locks, validations and colours."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from typing import Literal

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from core.catalog import Catalog, Row
from core.periods import Period
from core.vocabulary import say
from transforms.template.form import Form, FormRow, TemplateError, checked_period, english_date, form_of, period_words
from transforms.template.form import template_file_name as file_name
from transforms.template.guide import guide_lines, write_guide
from transforms.template.stamp import PROPERTY_CHECKSUM, PROPERTY_VERSION, STAMP_NAME, STAMP_SHEET, TEMPLATE_VERSION

TABLE_FIELDS = ("row_number", "indicator_code", "indicator_name", "disaggregation", "measure_unit", "value", "note")
HEADER_FIELDS = ("dataset", "unit_code", "unit_name", "period", "report_date", "prepared_by")
VALUE_COLUMN, NOTE_COLUMN = 6, 7
FIRST_HEADER_ROW = 5
NUMBER_FORMATS = {"count": "#,##0", "amount": "#,##0.00", "percent": "0.0"}
# value type -> DataValidation type, operator, lower bound, upper bound
LIMITS: dict[str, tuple[Literal["whole", "decimal"], Literal["greaterThanOrEqual", "between"], str, str | None]] = {
    "count": ("whole", "greaterThanOrEqual", "0", None),
    "amount": ("decimal", "greaterThanOrEqual", "0", None),
    "percent": ("decimal", "between", "0", "100"),
}
COLUMN_WIDTHS = {"A": 15, "B": 17, "C": 52, "D": 13, "E": 12, "F": 15, "G": 32}


@cache
def styles() -> dict:
    """openpyxl style objects, made once per process (immutable and shared)."""
    thin = Side(style="thin", color="808080")
    return {
        "title": Font(bold=True, size=13),
        "bold": Font(bold=True),
        "small": Font(italic=True, size=9, color="595959"),
        "header_fill": PatternFill("solid", fgColor="D9E1F2"),
        "mandatory_fill": PatternFill("solid", fgColor="FFF2CC"),
        "open_fill": PatternFill("solid", fgColor="EDF7ED"),
        "bad_fill": PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE"),
        "bad_font": Font(bold=True, color="9C0006"),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="center"),
        "center": Alignment(horizontal="center", vertical="center"),
        "unlocked": Protection(locked=False),
    }


def build_template(
    catalog: Catalog, dataset_code: str, unit_code: str, period_code: str, created: datetime | None = None
) -> bytes:
    """The xlsx bytes of the template for one data set, unit and period (`DP-HUYEN`, `026`, `2017Q3`);
    `created` is the document's creation time (default: now)."""
    form = form_of(catalog, dataset_code)
    unit, period = checked_period(catalog, form, unit_code, period_code)
    checksum = form.checksum()
    due = catalog.due_date(dataset_code, period)
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # a new workbook's one sheet
    sheet.title = say("template.report_sheet").vi
    _title_and_header(sheet, catalog, form, unit, period, due)
    table_row = FIRST_HEADER_ROW + len(HEADER_FIELDS) + 1
    rows = _table(sheet, form, table_row)
    _rule9_colours(sheet, form, rows)
    _legend(sheet, table_row + len(form.rows) + 2)
    _protect(sheet, table_row)
    write_guide(
        workbook.create_sheet(say("template.guide_sheet").vi), guide_lines(form, unit, period, due, checksum), styles()
    )
    write_stamp(workbook, checksum, [("dataset", form.dataset_code), ("unit", unit_code), ("period", period.code)])
    workbook.security = WorkbookProtection(lockStructure=True)  # no sheet added before the report, none renamed
    workbook.active = 0
    properties = workbook.properties
    properties.created = properties.modified = created or datetime.now().replace(microsecond=0)
    properties.creator, properties.title = "chiso", f"{form.dataset_code} {unit_code} {period.code}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_stamp(workbook, checksum: str, identity: list[tuple[str, str]]) -> None:
    """Stamp an openpyxl workbook with the template's version and the form's checksum."""
    stamp = workbook.create_sheet(STAMP_SHEET)
    for row in [("version", TEMPLATE_VERSION), ("form_checksum", checksum), *identity]:
        stamp.append(row)
    stamp.sheet_state = "hidden"
    stamp.protection.sheet = True
    workbook.defined_names[STAMP_NAME] = DefinedName(
        STAMP_NAME, attr_text=f'"{TEMPLATE_VERSION};{checksum}"', hidden=True
    )
    workbook.custom_doc_props.append(StringProperty(name=PROPERTY_VERSION, value=TEMPLATE_VERSION))
    workbook.custom_doc_props.append(StringProperty(name=PROPERTY_CHECKSUM, value=checksum))


def _title_and_header(sheet, catalog: Catalog, form: Form, unit: Row, period: Period, due) -> None:
    """Title rows (no cell of which may read as a field label), then the header block in A and B."""
    s = styles()
    for letter, width in COLUMN_WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    province = catalog.units.get(catalog.plan["province_code"], {}).get("unit_name", "")
    sheet["A1"], sheet["A1"].font = province.upper(), s["bold"]
    sheet["A2"], sheet["A2"].font = form.dataset_name.upper(), s["title"]
    words = period_words(period)
    subtitle = say(
        "template.subtitle",
        period_words=words.vi,
        due=due,
        due_en=english_date(due),
        guide=say("template.guide_sheet").vi,
    )
    sheet["A3"], sheet["A3"].font = f"{subtitle.vi} ({subtitle.en})", s["small"]
    values = {
        "dataset": form.dataset_code,
        "unit_code": unit["unit_code"],
        "unit_name": unit["unit_name"],
        "period": period.code,
        "report_date": None,
        "prepared_by": None,
    }
    hints = {
        "dataset": form.dataset_name,
        "period": say("template.period_hint", period_words=words.vi, start=period.start, end=period.end).vi,
        "report_date": str(say("template.date_hint")),
        "prepared_by": str(say("template.author_hint")),
    }
    for offset, name in enumerate(HEADER_FIELDS):
        row = FIRST_HEADER_ROW + offset
        sheet.cell(row, 1, say(f"field.{name}").vi).font = s["bold"]
        cell = sheet.cell(row, 2, values[name])
        cell.border = s["border"]
        if name in hints:
            sheet.cell(row, 3, hints[name]).font = s["small"]
        if values[name] is None:  # the clerk's cells
            cell.protection, cell.fill = s["unlocked"], s["open_fill"]
    date_row = FIRST_HEADER_ROW + HEADER_FIELDS.index("report_date")
    sheet.cell(date_row, 2).number_format = "dd/mm/yyyy"
    sheet.cell(date_row + 1, 2).number_format = "@"
    validation = _date_validation(period)
    validation.add(f"B{date_row}")
    sheet.add_data_validation(validation)


def _table(sheet, form: Form, table_row: int) -> dict[tuple[str, str], int]:
    """The table: its header, one row per form line with its value cell open; the row of each line."""
    s = styles()
    for column, name in enumerate(TABLE_FIELDS, 1):
        cell = sheet.cell(table_row, column, say(f"field.{name}").vi)
        cell.font, cell.fill, cell.border, cell.alignment = s["bold"], s["header_fill"], s["border"], s["center"]
    open_cells: dict[tuple[str, str, str, bool], list[str]] = {}
    rows = {}
    for number, line in enumerate(form.rows, 1):
        row = table_row + number
        _line(sheet, row, number, line)
        key = (line.value_type, line.measure_unit, line.measure_unit_en, line.mandatory)
        open_cells.setdefault(key, []).append(f"F{row}")
        rows[(line.indicator_code, line.disaggregation_code)] = row
    for (value_type, unit, unit_en, mandatory), cells in open_cells.items():
        sheet.add_data_validation(_value_validation(value_type, unit, unit_en, mandatory, cells))
    return rows


def _line(sheet, row: int, number: int, line: FormRow) -> None:
    s = styles()
    name = line.indicator_name + (f" — {line.disaggregation_name}" if line.disaggregation_code else "")
    name += say("template.mandatory_mark").vi if line.mandatory else ""
    for column, content in enumerate(
        [number, line.indicator_code, name, line.disaggregation_code or None, line.measure_unit, None, None], 1
    ):
        sheet.cell(row, column, content).border = s["border"]
    sheet.cell(row, 3).alignment = s["wrap"]
    if line.mandatory:
        sheet.cell(row, 2).font = s["bold"]
    value = sheet.cell(row, VALUE_COLUMN)
    value.protection, value.number_format = s["unlocked"], NUMBER_FORMATS[line.value_type]
    value.fill = s["mandatory_fill"] if line.mandatory else s["open_fill"]
    note = sheet.cell(row, NOTE_COLUMN)
    note.protection, note.number_format = s["unlocked"], "@"  # a note typed as =... stays text


def _value_validation(value_type: str, unit: str, unit_en: str, mandatory: bool, cells: list[str]) -> DataValidation:
    kind, operator, low, high = LIMITS[value_type]
    prompt = say(f"template.prompt_{value_type}", unit=unit, unit_en=unit_en)
    need = say("template.mandatory" if mandatory else "template.optional")
    error = say(f"template.error_{value_type}", unit=unit, unit_en=unit_en)
    validation = DataValidation(
        type=kind,
        operator=operator,
        formula1=low,
        formula2=high,
        allow_blank=True,
        showInputMessage=True,
        promptTitle=str(say("template.prompt_title")),
        prompt=f"{prompt.vi} {need.vi}\n{prompt.en} {need.en}"[:255],
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=say("template.error_title").vi,
        error=f"{error.vi}\n{error.en}"[:255],
    )
    for cell in cells:
        validation.add(cell)
    return validation


def _date_validation(period: Period) -> DataValidation:
    start = period.start
    prompt, error = say("template.date_prompt"), say("template.date_error", start=start)
    return DataValidation(
        type="date",
        operator="greaterThanOrEqual",
        formula1=f"DATE({start.year},{start.month},{start.day})",
        allow_blank=True,
        showInputMessage=True,
        promptTitle=str(say("template.date_prompt_title")),
        prompt=f"{prompt.vi}\n{prompt.en}",
        showErrorMessage=True,
        errorTitle=say("template.date_error_title").vi,
        error=f"{error.vi}\n{error.en}",
    )


def _rule9_colours(sheet, form: Form, rows: dict[tuple[str, str], int]) -> None:
    """A part above its whole (same disaggregation) turns both cells red, as rule 9 would refuse it."""
    s = styles()
    for part, whole in form.pairs:
        for (code, disaggregation), part_row in rows.items():
            whole_row = rows.get((whole, disaggregation)) if code == part else None
            if whole_row is None:
                continue
            a, b = f"$F${part_row}", f"$F${whole_row}"
            rule = FormulaRule(
                formula=[f"AND(ISNUMBER({a}),ISNUMBER({b}),{a}>{b})"],
                fill=s["bad_fill"],
                font=s["bad_font"],
                stopIfTrue=False,
            )
            sheet.conditional_formatting.add(f"F{part_row} F{whole_row}", rule)


def _legend(sheet, first_row: int) -> None:
    """After a blank row: the reader's table ends at the first empty row."""
    for offset, key in enumerate(("template.legend_mandatory", "template.legend_red")):
        sheet.cell(first_row + offset, 1, str(say(key))).font = styles()["small"]


def _protect(sheet, table_row: int) -> None:
    sheet.freeze_panes = f"A{table_row + 1}"
    sheet.print_title_rows = f"{table_row}:{table_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    # Without a password: a guard against accidents, not security. Columns and rows may be resized.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = sheet.protection.formatRows = False


def templates_for_period(
    catalog: Catalog, period_code: str, dataset_codes: list[str] | None = None, created: datetime | None = None
) -> Iterator[tuple[str, bytes]]:
    """(file name, xlsx bytes) for every data set of the period's kind and every unit that sends it then."""
    period = Period.parse(period_code)
    if period is None:
        raise TemplateError(f"period {period_code!r} is not a period code (like 2017 or 2017Q3)")
    for code, dataset in catalog.datasets.items():
        if (dataset_codes and code not in dataset_codes) or dataset["period_type"] != period.type:
            continue
        for unit_code in catalog.units_submitting(code, period):
            yield (
                file_name(code, unit_code, period_code),
                build_template(catalog, code, unit_code, period_code, created),
            )
