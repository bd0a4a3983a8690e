"""A filled example of the template: plausible values that pass every rule (`chiso template --example`).

For a newcomer who has no report to try the pipeline with: the same protected workbook the
clerks get, with the report's date (the period's last day), an author and a value on every
line — whole numbers for counts, amounts with decimals, percentages between 0 and 100, and
every part no greater than its whole (rule 9). The values are made from the codes, so the same
command writes the same values.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime

from openpyxl import load_workbook

from core.catalog import Catalog
from core.vocabulary import say
from transforms.template.form import FormRow, checked_period, form_of
from transforms.template.workbook import FIRST_HEADER_ROW, HEADER_FIELDS, VALUE_COLUMN, build_template


def example_values(
    form_rows: tuple[FormRow, ...], pairs: tuple[tuple[str, str], ...], seed: str
) -> dict[tuple[str, str], float]:
    """A value for each (indicator, disaggregation) of the form, every part ≤ its whole."""
    values: dict[tuple[str, str], float] = {}
    for line in form_rows:
        digest = int(
            hashlib.sha256(f"{seed}/{line.indicator_code}/{line.disaggregation_code}".encode()).hexdigest(), 16
        )
        if line.value_type == "count":
            values[(line.indicator_code, line.disaggregation_code)] = 3 + digest % 40
        elif line.value_type == "amount":
            values[(line.indicator_code, line.disaggregation_code)] = round(50 + (digest % 90000) / 100, 2)
        else:  # percent
            values[(line.indicator_code, line.disaggregation_code)] = round(20 + (digest % 600) / 10, 1)
    for _ in range(len(pairs) + 1):  # chains of pairs: raise each whole to its part until none changes
        changed = False
        for part, whole in pairs:
            for (code, disaggregation), value in list(values.items()):
                if code != part or (whole, disaggregation) not in values:
                    continue
                if values[(whole, disaggregation)] < value:
                    values[(whole, disaggregation)], changed = value, True
        if not changed:
            break
    return values


def build_example(catalog: Catalog, dataset_code: str, unit_code: str, period_code: str) -> bytes:
    """The template of `build_template`, filled in as a careful clerk would."""
    form = form_of(catalog, dataset_code)
    _, period = checked_period(catalog, form, unit_code, period_code)
    workbook = load_workbook(io.BytesIO(build_template(catalog, dataset_code, unit_code, period_code)))
    sheet = workbook.worksheets[0]
    sheet.cell(
        FIRST_HEADER_ROW + HEADER_FIELDS.index("report_date"), 2, datetime.combine(period.end, datetime.min.time())
    )
    sheet.cell(FIRST_HEADER_ROW + HEADER_FIELDS.index("prepared_by"), 2, say("example.author").vi)
    values = example_values(form.rows, form.pairs, f"{dataset_code}/{unit_code}/{period.code}")
    first_row = FIRST_HEADER_ROW + len(HEADER_FIELDS) + 2
    for number, row in enumerate(sheet.iter_rows(min_row=first_row), first_row):
        key = (row[1].value, row[3].value or "")
        if key in values:
            sheet.cell(number, VALUE_COLUMN, values[key])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
