"""The canonical long table of a batch: one row per submitted value, codes normalised.

Normalisation never drops what it cannot read: an unreadable period or code is kept as
written, so that validation can quote it back to the clerk.
"""

from __future__ import annotations

import pandas as pd

from core.catalog import Catalog
from core.periods import normalise_period
from core.text import clean, code, fold, unit_code
from transforms.numbers import canonical, parse_number
from transforms.submission import RawSubmission

SUBMISSION_COLUMNS = [
    "submission_id",
    "file_name",
    "sha256",
    "size_bytes",
    "received_at",
    "file_format",
    "read_error_vi",
    "read_error_en",
    "missing_fields",
    "dataset_code",
    "unit_code",
    "period",
    "template_stamp",
]
VALUE_COLUMNS = [
    "submission_id",
    "source_row",
    "dataset_code",
    "unit_code",
    "period",
    "indicator_code",
    "disaggregation",
    "value_raw",
    "value",
    "value_canonical",
    "note",
]


def _raw_text(value: object) -> str | None:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(value)


def canonical_values(submissions: list[RawSubmission], catalog: Catalog) -> pd.DataFrame:
    disaggregation_names = catalog.disaggregation_codes_by_name
    unit_numbers = catalog.unit_codes_by_number
    records = []
    for submission in submissions:
        convention = submission.number_convention
        if convention is None:  # not read (unreadable): no rows
            continue
        for row in submission.rows:
            if clean(row.value) is None:
                continue  # not reported (a template's line left blank), or a heading row: no value
            number = parse_number(row.value, convention)
            disaggregation = clean(row.disaggregation)
            records.append(
                (
                    submission.submission_id,
                    row.source_row,
                    code(row.dataset),
                    unit_code(row.unit_code, unit_numbers),
                    normalise_period(row.period),
                    code(row.indicator_code),
                    disaggregation_names.get(fold(disaggregation), disaggregation.upper()) if disaggregation else "",
                    _raw_text(row.value),
                    float(number) if number is not None else None,
                    canonical(number) if number is not None else None,
                    clean(row.note),
                )
            )
    frame = pd.DataFrame.from_records(records, columns=VALUE_COLUMNS)
    return frame.astype({"submission_id": "int64", "source_row": "int64", "value": "float64"})


def canonical_submissions(submissions: list[RawSubmission], catalog: Catalog) -> pd.DataFrame:
    """One row per file, with the data set, unit and period it declares."""
    records = [
        (
            s.submission_id,
            s.file_name,
            s.sha256,
            s.size_bytes,
            s.received_at,
            s.file_format,
            s.read_error.text.vi if s.read_error else None,
            s.read_error.text.en if s.read_error else None,
            ", ".join(s.missing_fields) or None,
            code(s.declared.get("dataset")),
            unit_code(s.declared.get("unit_code"), catalog.unit_codes_by_number),
            normalise_period(s.declared.get("period")),
            s.template_stamp,
        )
        for s in submissions
    ]
    return pd.DataFrame.from_records(records, columns=SUBMISSION_COLUMNS).astype({"submission_id": "int64"})
