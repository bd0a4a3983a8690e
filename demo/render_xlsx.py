"""A report as a workbook, in two steps: `choose_sheet_content` makes every choice a clerk
makes (sheet name, label colons, the date's form, which columns and in which order, amounts as
text, a signature, an instruction sheet), and a layout places that content: most clerks fill
the protected template chiso generates (`fill_template`), some still keep a workbook of their
own (`lay_out_workbook`), and a file a scenario breaks on purpose is always their own.

Labels and column headers come from the vocabulary (`field.*`); names, measure units and
disaggregation names from the catalog. Same scripted file -> same bytes (see demo.reproducible_zip).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from core.catalog import Catalog
from core.vocabulary import say
from demo.habits import NUMERIC_YEAR, period_text
from demo.model import Report, ScriptedFile
from demo.plan import disaggregation_name, form_has_disaggregations, period_end
from demo.render_text import province_heading, unit_code_as_typed, vietnamese_number
from demo.reproducible_zip import repack
from demo.story import CLERKS
from transforms.template.workbook import FIRST_HEADER_ROW, HEADER_FIELDS, VALUE_COLUMN, build_template

TABLE_COLUMNS = ["row_number", "indicator_code", "indicator_name", "disaggregation", "measure_unit", "value", "note"]
NAME_BEFORE_CODE = ["row_number", "indicator_name", "indicator_code"]
SHEET_TITLES = ["Báo cáo", "Sheet1", "Bieu 01", "BC"]
SIGNATURES = ("Người lập biểu", "Thủ trưởng đơn vị")  # prepared by, head of the unit
INSTRUCTIONS = ("Hướng dẫn", "Ghi số liệu vào cột Giá trị; không sửa cột Mã chỉ tiêu.")
OWN_WORKBOOK = 0.2  # the share of clerks who keep their own workbook rather than the template


@dataclass
class SheetContent:
    """Everything a report workbook shows, every choice made; fields are named as in the vocabulary."""

    from_template: bool
    sheet_title: str
    headings: list[str]  # province, unit, then (bold) the form's name, above the header block
    header: list[tuple[str, object]]  # (field, value) of the header block, in order
    label_suffix: str  # ":" after each label, or nothing
    columns: list[str]  # the table's fields, in order
    rows: list[dict[str, object]]  # the table's cells by field
    clerk: str
    signed: bool
    instructions: bool
    form_name: str
    created: datetime  # naive UTC
    saved: datetime  # naive UTC


def local(catalog: Catalog, utc: datetime) -> datetime:
    """A naive UTC time as the province's naive local time."""
    return utc.replace(tzinfo=UTC).astimezone(catalog.timezone).replace(tzinfo=None)


def header_block(scripted: ScriptedFile, catalog: Catalog, rng: random.Random) -> list[tuple[str, object]]:
    report = scripted.report
    if scripted.style.period_form == NUMERIC_YEAR and report.period_text is None:
        period: object = int(report.period)
    else:
        period = report.period_text or period_text(report.period, scripted.style.period_form)
    signed_on = local(catalog, scripted.received_at).date() - timedelta(days=rng.choice([0, 0, 1, 2]))
    signed_on = max(signed_on, period_end(report.period))  # signed once the period has ended
    block = [
        ("dataset", report.dataset_text or report.dataset),
        ("unit_name", catalog.units[report.unit]["unit_name"]),
        ("unit_code", unit_code_as_typed(report, rng, in_workbook=True)),
        ("period", period),
        ("report_date", report_date_cell(signed_on, rng)),
        ("prepared_by", CLERKS[(scripted.render_seed >> 3) % len(CLERKS)]),
    ]
    return [(field, value) for field, value in block if not (field == "period" and report.left_out == "period")]


def report_date_cell(day: date, rng: random.Random) -> object:
    """The report's date as a date cell or as text (`05/07/2017`), half the time each."""
    return datetime(day.year, day.month, day.day) if rng.random() < 0.5 else day.strftime("%d/%m/%Y")


def table_rows(report: Report, catalog: Catalog, amounts_as_text: bool) -> list[dict[str, object]]:
    rows = []
    for number, row in enumerate(report.rows, 1):
        indicator = catalog.indicators.get(row.indicator, {})
        name = indicator.get("indicator_name", "")
        if row.disaggregation:
            name = f"{name} - {disaggregation_name(catalog, row.indicator, row.disaggregation)}"
        value = row.value
        if isinstance(value, float) and amounts_as_text and indicator.get("value_type") == "amount":
            value = vietnamese_number(value)
        rows.append(
            {
                "row_number": number,
                "indicator_code": row.written_code or row.indicator,
                "indicator_name": name,
                "disaggregation": row.disaggregation,
                "measure_unit": indicator.get("measure_unit", ""),
                "value": value,
                "note": row.note or None,
            }
        )
    return rows


def choose_sheet_content(scripted: ScriptedFile, catalog: Catalog) -> SheetContent:
    report = scripted.report
    assert report is not None
    rng = random.Random(scripted.render_seed)
    saved = scripted.received_at - timedelta(minutes=rng.randint(5, 120))
    sheet_title = rng.choice(SHEET_TITLES)
    label_suffix = ":" if rng.random() < 0.8 else ""
    header = header_block(scripted, catalog, rng)
    columns = list(TABLE_COLUMNS)
    if not form_has_disaggregations(catalog, report.dataset) and rng.random() < 0.3:
        columns.remove("disaggregation")
    if rng.random() < 0.15:
        columns = NAME_BEFORE_CODE + [column for column in columns if column not in NAME_BEFORE_CODE]
    amounts_as_text = rng.random() < 0.25
    form_name = catalog.datasets[report.dataset]["dataset_name"]
    return SheetContent(
        from_template=template_fits(scripted) and rng.random() >= OWN_WORKBOOK,
        sheet_title=sheet_title,
        headings=[province_heading(catalog), catalog.units[report.unit]["unit_name"].upper(), form_name.upper()],
        header=header,
        label_suffix=label_suffix,
        columns=columns,
        rows=table_rows(report, catalog, amounts_as_text),
        clerk=dict(header)["prepared_by"],
        signed=rng.random() < 0.6,
        instructions=rng.random() < 0.3,
        form_name=form_name,
        created=saved - timedelta(days=rng.randint(30, 400)),
        saved=saved,
    )


def template_fits(scripted: ScriptedFile) -> bool:
    """A report the template can hold as it is: nothing a scenario broke on purpose."""
    report = scripted.report
    wrote_over = (report.dataset_text, report.unit_text, report.period_text, report.left_out)
    rows_as_scripted = all(row.written_code is None and row.period is None for row in report.rows)
    return not scripted.rejected and wrote_over == (None, None, None, None) and rows_as_scripted


def fill_template(content: SheetContent, scripted: ScriptedFile, catalog: Catalog) -> Workbook:
    """The template chiso makes for the slot, filled in as a clerk does: values, notes, date, author."""
    report = scripted.report
    data = build_template(catalog, report.dataset, report.unit, report.period, created=content.created)
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    header = dict(content.header)
    for field in ("report_date", "prepared_by"):
        sheet.cell(FIRST_HEADER_ROW + HEADER_FIELDS.index(field), 2, header[field])
    lines = {}
    for row in sheet.iter_rows(min_row=FIRST_HEADER_ROW + len(HEADER_FIELDS) + 2):
        if row[1].value:
            lines[(row[1].value, row[3].value or "")] = row[0].row
    for cells in content.rows:
        line = lines[(cells["indicator_code"], cells["disaggregation"] or "")]
        sheet.cell(line, VALUE_COLUMN, cells["value"])
        if cells["note"]:
            sheet.cell(line, VALUE_COLUMN + 1, cells["note"]).data_type = "s"  # a note starting with '=' is text
    workbook.properties.creator = workbook.properties.lastModifiedBy = content.clerk
    return workbook


def lay_out_workbook(content: SheetContent) -> Workbook:
    """A clerk's own workbook: headings, the header block, the table, the signature."""
    bold = Font(bold=True)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = content.sheet_title
    province, unit, form = content.headings
    for line in ([province], [unit], [], [form], []):
        sheet.append(line)
    sheet["A4"].font = bold
    for field, value in content.header:
        sheet.append([say(f"field.{field}").vi + content.label_suffix, value])
        if isinstance(value, datetime):
            sheet.cell(sheet.max_row, 2).number_format = "dd/mm/yyyy"
    sheet.append([])
    sheet.append([say(f"field.{column}").vi for column in content.columns])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    note_column = content.columns.index("note") + 1
    for row in content.rows:
        sheet.append([row[column] for column in content.columns])
        note = sheet.cell(sheet.max_row, note_column)
        if isinstance(note.value, str):
            note.data_type = "s"  # a note starting with '=' is text, not a formula
    sheet.append([])
    if content.signed:
        sheet.append([None, SIGNATURES[0], None, None, None, SIGNATURES[1]])
        sheet.append([None, content.clerk])
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["C"].width = 48
    if content.instructions:
        title, text = INSTRUCTIONS
        workbook.create_sheet(title).append([text])
    properties = workbook.properties
    properties.creator = properties.lastModifiedBy = content.clerk
    properties.created = content.created
    properties.title = content.form_name
    return workbook


def render_xlsx(scripted: ScriptedFile, catalog: Catalog) -> bytes:
    content = choose_sheet_content(scripted, catalog)
    buffer = io.BytesIO()
    workbook = fill_template(content, scripted, catalog) if content.from_template else lay_out_workbook(content)
    workbook.save(buffer)
    return repack(buffer.getvalue(), content.saved, local(catalog, content.saved))
