"""The frames the suites validate, prepared from a batch's canonical tables.

Only what GX cannot express directly is prepared here: catalog look-ups joined in, the
period's dates, the pivot that puts related indicators side by side. Every decision is
left to the expectation suites. A value that does not apply is left null, and GX skips
nulls, so one fault is reported once (an unknown unit is not also "not allowed").
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from chiso.catalog import Catalog
from transforms.periods import PERIOD_CODE, period_bounds, period_type

PERIOD_TYPE_VI = {"quarter": "quý", "year": "năm"}
UNIT_TYPE_VI = {"department": "sở, ngành", "district": "huyện, thành phố", "province": "tỉnh"}
OUTLIER_MIN_HISTORY = 4


def _lookup(codes: pd.Series, table: dict[str, dict[str, str]], column: str) -> pd.Series:
    return codes.map(lambda c: table[c][column] if c in table else None)


def submission_frame(submissions: pd.DataFrame, values: pd.DataFrame, catalog: Catalog, as_of: date) -> pd.DataFrame:
    """One row per received file."""
    frame = submissions.copy()
    readable = frame["read_error_vi"].isna()
    parsed = frame["period"].map(lambda p: period_bounds(p) if isinstance(p, str) else None)
    frame["period_start"] = parsed.map(lambda b: b[0] if b else None)
    frame["period_end"] = parsed.map(lambda b: b[1] if b else None)
    frame["period_year"] = frame["period"].map(_year).astype("Int64")
    frame["period_type"] = frame["period"].map(lambda p: period_type(p) if isinstance(p, str) else None)
    frame["unit_type"] = _lookup(frame["unit_code"], catalog.units, "unit_type")
    frame["unit_valid_from"] = _lookup(frame["unit_code"], catalog.units, "valid_from").map(_date)
    frame["unit_valid_to"] = _lookup(frame["unit_code"], catalog.units, "valid_to").map(_date)
    frame["submitter_type"] = _lookup(frame["dataset_code"], catalog.datasets, "submitter_type")
    frame["unit_type_vi"] = frame["unit_type"].map(lambda t: UNIT_TYPE_VI.get(t, t))
    frame["submitter_type_vi"] = frame["submitter_type"].map(lambda t: UNIT_TYPE_VI.get(t, t))
    frame["plan_first_year"], frame["plan_last_year"] = catalog.first_year, catalog.last_year
    frame["expected_period_type"] = _lookup(frame["dataset_code"], catalog.datasets, "period_type")
    frame["expected_period_type_vi"] = frame["expected_period_type"].map(PERIOD_TYPE_VI)
    due_days = _lookup(frame["dataset_code"], catalog.datasets, "due_days_after_period_end")
    frame["due_date"] = [
        end + timedelta(days=int(days)) if end and days and expected == kind else None
        for end, days, expected, kind in zip(
            frame["period_end"], due_days, frame["expected_period_type"], frame["period_type"]
        )
    ]
    frame["received_date"] = frame["received_at"].map(lambda t: t.date())
    frame["as_of_date"] = as_of
    counts = values.groupby("submission_id").size()
    frame["value_rows"] = frame["submission_id"].map(counts).fillna(0).astype("Int64")
    frame.loc[~readable | frame["missing_fields"].notna(), "value_rows"] = pd.NA
    return _with_row_key(frame)


def _year(period: object) -> int | None:
    match = PERIOD_CODE.match(period) if isinstance(period, str) else None
    return int(match[1]) if match else None


def _date(text: object) -> date | None:
    return date.fromisoformat(text) if isinstance(text, str) and text else None


def value_frame(values: pd.DataFrame, submissions: pd.DataFrame, catalog: Catalog, history: pd.DataFrame) -> pd.DataFrame:
    """One row per submitted value, with the file's declared data set, unit and period beside it."""
    declared = submissions.set_index("submission_id")[["dataset_code", "unit_code", "period", "file_name"]]
    frame = values.join(declared.add_prefix("file_").rename(columns={"file_file_name": "file_name"}), on="submission_id")
    frame["value_type"] = _lookup(frame["indicator_code"], catalog.indicators, "value_type")
    known_dataset = frame["dataset_code"].isin(catalog.datasets.keys())
    known_indicator = frame["indicator_code"].isin(catalog.indicators.keys())
    frame["form_key"] = (frame["dataset_code"] + "/" + frame["indicator_code"]).where(known_dataset & known_indicator)
    frame["breakdown_key"] = (frame["indicator_code"] + "/" + frame["disaggregation"]).where(known_indicator)
    frame = frame.merge(history, on=["unit_code", "indicator_code", "disaggregation", "period"], how="left")
    enough = frame["history_count"].fillna(0) >= OUTLIER_MIN_HISTORY
    score = (frame["value"] - frame["history_median"]) / frame["history_scale"]
    frame["outlier_score"] = score.where(enough & (frame["history_scale"] > 0))
    return _with_row_key(frame)


def mandatory_frame(values: pd.DataFrame, submissions: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """One row per mandatory (indicator, breakdown) expected from each checkable submission."""
    expected = pd.DataFrame(catalog.mandatory_items, columns=["dataset_code", "indicator_code", "disaggregation"])
    checkable = submissions[submissions["read_error_vi"].isna() & submissions["missing_fields"].isna()]
    frame = checkable[["submission_id", "file_name", "dataset_code"]].merge(expected, on="dataset_code")
    given = values.groupby(["submission_id", "indicator_code", "disaggregation"]).size().rename("rows_given")
    frame = frame.join(given, on=["submission_id", "indicator_code", "disaggregation"])
    frame["rows_given"] = frame["rows_given"].fillna(0).astype("int64")
    return _with_row_key(frame)


def consistency_frame(values: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """One row per submission and breakdown, one column per indicator: related values side by side."""
    numbers = values.dropna(subset=["value"]).drop_duplicates(["submission_id", "indicator_code", "disaggregation"])
    wide = numbers.pivot(index=["submission_id", "disaggregation"], columns="indicator_code", values="value")
    wide = wide.reindex(columns=list(catalog.indicators), fill_value=None).astype("float64")
    wide.columns.name = None
    return _with_row_key(wide.reset_index())


def _with_row_key(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame.insert(0, "row_key", range(len(frame)))
    return frame
