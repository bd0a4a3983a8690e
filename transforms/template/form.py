"""What a template shows of the catalog: a data set's form for a unit and a period, and its checksum."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import date

from core.catalog import Catalog, Row
from core.periods import Period
from core.vocabulary import Text, say

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class TemplateError(ValueError):
    """No template can be made for this data set, unit and period; the message says why."""


@dataclass(frozen=True)
class FormRow:
    indicator_code: str
    indicator_name: str
    disaggregation_code: str  # '' when the indicator takes none
    disaggregation_name: str
    measure_unit: str
    measure_unit_en: str
    value_type: str  # count, amount, percent
    mandatory: bool


@dataclass(frozen=True)
class Form:
    """A data set's form: its lines and rule 9's pairs among them."""

    dataset_code: str
    dataset_name: str
    dataset_name_en: str
    submitter_type: str
    period_type: str
    due_days: int
    rows: tuple[FormRow, ...]
    pairs: tuple[tuple[str, str], ...]  # (part, whole), both on the form

    def checksum(self) -> str:
        """What the form's layout and rules come from (not the catalog's files: a new target or
        unit does not make a template outdated, a renamed indicator or a new mandatory line does)."""
        content = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(content.encode("utf-8")).hexdigest()


def form_of(catalog: Catalog, dataset_code: str) -> Form:
    dataset = catalog.datasets.get(dataset_code)
    if dataset is None:
        raise TemplateError(f"unknown data set {dataset_code!r}: the catalog has {', '.join(catalog.datasets)}")
    names = {
        row["disaggregation_code"]: row["disaggregation_name"]
        for rows in catalog.disaggregations.values()
        for row in rows
    }
    rows = tuple(
        FormRow(
            indicator["indicator_code"],
            indicator["indicator_name"],
            code,
            names.get(code, ""),
            indicator["measure_unit"],
            indicator["measure_unit_en"],
            indicator["value_type"],
            mandatory,
        )
        for indicator, code, mandatory in catalog.form_rows(dataset_code)
    )
    on_form = {row.indicator_code for row in rows}
    pairs = tuple((p.part, p.whole) for p in catalog.consistency_pairs if {p.part, p.whole} <= on_form)
    return Form(
        dataset_code,
        dataset["dataset_name"],
        dataset["dataset_name_en"],
        dataset["submitter_type"],
        dataset["period_type"],
        int(dataset["due_days_after_period_end"]),
        rows,
        pairs,
    )


def checked_period(catalog: Catalog, form: Form, unit_code: str, code: str) -> tuple[Row, Period]:
    """The unit and period a template is made for, refused with the reason when the pipeline would refuse them."""
    unit = catalog.units.get(unit_code)
    if unit is None:
        raise TemplateError(f"unknown unit {unit_code!r}")
    period = Period.parse(code)
    if period is None:
        raise TemplateError(f"period {code!r} is not a period code (like 2017 or 2017Q3)")
    if period.type != form.period_type:
        raise TemplateError(f"{form.dataset_code} is reported by {form.period_type}, not by {period.type} ({code})")
    if unit["unit_type"] != form.submitter_type:
        raise TemplateError(
            f"{unit_code} is a {unit['unit_type']}; {form.dataset_code} is sent by {form.submitter_type} units"
        )
    if not catalog.first_year <= period.year <= catalog.last_year:
        raise TemplateError(f"{code} is outside the plan ({catalog.first_year}-{catalog.last_year})")
    if not catalog.unit_exists(unit_code, period):
        successors = [row for row in catalog.successors(unit_code) if row["to_code"]]
        codes = ", ".join(row["to_code"] for row in successors)
        after = f"; its successors report from {successors[0]['effective_date']}: {codes}" if successors else ""
        raise TemplateError(
            f"{unit_code} does not report {code}: a unit reports the periods whose last day falls in its validity"
            f" ({unit['valid_from']} to {unit['valid_to'] or '…'}){after}"
        )
    return unit, period


def period_words(period: Period) -> Text:
    if period.quarter:
        return say("template.quarter_words", roman=_ROMAN[period.quarter], quarter=period.quarter, year=period.year)
    return say("template.year_words", year=period.year)


def english_date(day: date) -> str:
    """`10 October 2017`, whatever the process's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def template_file_name(dataset_code: str, unit_code: str, period: str) -> str:
    """`DP-HUYEN_026_2017Q3.xlsx`: the data set, unit and period codes, safe on every file system."""
    parts = [str(part).strip().upper() for part in (dataset_code, unit_code, period)]
    if not all(re.fullmatch(r"[A-Z0-9-]+", part) for part in parts):
        raise TemplateError(f"codes {parts} cannot make a file name")
    return "_".join(parts) + ".xlsx"
