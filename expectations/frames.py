"""The frames the suites validate, prepared from a batch's canonical tables.

Only what GX cannot express directly is prepared here: catalog look-ups joined in, the
period's dates, the pairs of related values side by side. Every decision is left to the
expectation suites. A value that does not apply is left null, and GX skips nulls, so one
fault is reported once (an unknown unit is not also "not allowed"). The catalog's words a
reason quotes (unit type names, the data sets a unit submits) are joined in as columns.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

from core.catalog import Catalog
from core.periods import Period, code_year
from core.vocabulary import Text, say
from transforms.template.form import form_of
from transforms.template.stamp import TEMPLATE_VERSION

OUTLIER_MIN_HISTORY = 4


def _lookup(codes: pd.Series, table: dict[str, dict[str, str]], column: str) -> pd.Series:
    return codes.map(lambda code: table[code][column] if code in table else None)


def _date(text: object) -> date | None:
    return date.fromisoformat(text) if isinstance(text, str) and text else None


def submission_frame(submissions: pd.DataFrame, values: pd.DataFrame, catalog: Catalog, as_of: date) -> pd.DataFrame:
    """One row per received file."""
    frame = submissions.copy()
    readable = frame["read_error_vi"].isna()
    periods = frame["period"].map(Period.parse)
    frame["period_start"] = periods.map(lambda period: period.start if period else None)
    frame["period_end"] = periods.map(lambda period: period.end if period else None)
    frame["period_year"] = frame["period"].map(code_year).astype("Int64")
    frame["period_type"] = periods.map(lambda period: period.type if period else None)
    frame["plan_first_year"], frame["plan_last_year"] = catalog.first_year, catalog.last_year
    _unit_columns(frame, catalog)
    _dataset_columns(frame, catalog)
    frame["due_date"] = [
        catalog.due_date(dataset, period) if period and expected == period.type else None
        for dataset, period, expected in zip(frame["dataset_code"], periods, frame["expected_period_type"])
    ]
    frame["received_date"] = frame["received_at"].map(lambda moment: moment.date())
    frame["lock_after_days"] = (
        frame["dataset_code"]
        .map({code: catalog.days(code, "lock_after_days") for code in catalog.datasets})
        .astype("Int64")
    )
    frame["slot_closes_on"] = [
        slot_closes_on(catalog, dataset, period) if due else None
        for dataset, period, due in zip(frame["dataset_code"], periods, frame["due_date"])
    ]
    frame["as_of_date"] = as_of
    counts = values.groupby("submission_id").size()
    frame["value_rows"] = frame["submission_id"].map(counts).fillna(0).astype("Int64")
    frame.loc[~readable | frame["missing_fields"].notna(), "value_rows"] = pd.NA
    return _with_row_key(frame)


def slot_closes_on(catalog: Catalog, dataset_code: str, period: Period) -> date | None:
    """The last day a slot of the data set takes files (its due date + `lock_after_days`); None: never
    closes. A file received after it is refused unless the province reopened the slot (the
    timeliness suite's `slot_closed`); the province may reopen a slot once today is past it."""
    days = catalog.days(dataset_code, "lock_after_days")
    return None if days is None else catalog.due_date(dataset_code, period) + timedelta(days=days)


def _unit_columns(frame: pd.DataFrame, catalog: Catalog) -> None:
    """The unit's type and validity, and the words a reason about them needs."""
    frame["unit_type"] = _lookup(frame["unit_code"], catalog.units, "unit_type")
    frame["unit_valid_from"] = _lookup(frame["unit_code"], catalog.units, "valid_from").map(_date)
    frame["unit_valid_to"] = _lookup(frame["unit_code"], catalog.units, "valid_to").map(_date)
    _successor_columns(frame, catalog)
    frame["unit_type_name"] = _lookup(frame["unit_type"], catalog.unit_types, "unit_type_name")
    frame["unit_type_name_en"] = _lookup(frame["unit_type"], catalog.unit_types, "unit_type_name_en")
    frame["datasets_for_unit"] = frame["unit_type"].map(lambda kind: ", ".join(catalog.datasets_for(kind)))
    examples = [catalog.units_submitting(code)[:1] for code in catalog.datasets]
    frame["unit_examples"] = ", ".join(dict.fromkeys(code for first in examples for code in first))


def _successor_columns(frame: pd.DataFrame, catalog: Catalog) -> None:
    """The words naming a ceased unit's successors (code and name, from `unit_successors.csv`), which the
    reason of rule 3's `unit_no_longer_existing` quotes: empty for a unit in force or ceased without one."""
    words: dict[str, Text] = {}
    for code in frame["unit_code"].dropna().unique():
        if code in catalog.units and catalog.units[code]["valid_to"]:
            named = [
                f"{row['to_code']} {catalog.units[row['to_code']]['unit_name']}"
                for row in catalog.successors(code)
                if row["to_code"]
            ]
            if named:
                words[code] = say("unit_successors.named", successors=", ".join(named))
    frame["unit_successors_vi"] = frame["unit_code"].map(lambda code: words[code].vi if code in words else "")
    frame["unit_successors_en"] = frame["unit_code"].map(lambda code: words[code].en if code in words else "")


def _dataset_columns(frame: pd.DataFrame, catalog: Catalog) -> None:
    """Who submits the data set and how often, and the words a reason about them needs."""
    frame["submitter_type"] = _lookup(frame["dataset_code"], catalog.datasets, "submitter_type")
    frame["submitter_type_name"] = _lookup(frame["submitter_type"], catalog.unit_types, "unit_type_name")
    frame["submitter_type_name_en"] = _lookup(frame["submitter_type"], catalog.unit_types, "unit_type_name_en")
    frame["expected_period_type"] = _lookup(frame["dataset_code"], catalog.datasets, "period_type")
    kinds = frame["expected_period_type"].dropna().unique()  # looked up once a kind, not once a file
    frame["expected_period_type_vi"] = frame["expected_period_type"].map(
        {kind: say(f"period_type.{kind}").vi for kind in kinds}
    )
    frame["period_example"] = frame["expected_period_type"].map(
        {kind: catalog.periods(kind)[2 if kind == "quarter" else 0].code for kind in kinds}
    )
    frame["known_datasets"] = ", ".join(catalog.datasets)
    stamps = {code: f"{TEMPLATE_VERSION}:{form_of(catalog, code).checksum()}" for code in catalog.datasets}
    frame["current_template_stamp"] = frame["dataset_code"].map(stamps).where(frame["template_stamp"].notna())


def value_frame(
    values: pd.DataFrame, submissions: pd.DataFrame, catalog: Catalog, history: pd.DataFrame
) -> pd.DataFrame:
    """One row per submitted value, with the file's declared data set, unit and period beside it."""
    declared = submissions.set_index("submission_id")[["dataset_code", "unit_code", "period", "file_name"]]
    frame = values.join(
        declared.add_prefix("file_").rename(columns={"file_file_name": "file_name"}), on="submission_id"
    )
    frame["value_type"] = _lookup(frame["indicator_code"], catalog.indicators, "value_type")
    known_dataset = frame["dataset_code"].isin(catalog.datasets.keys())
    known_indicator = frame["indicator_code"].isin(catalog.indicators.keys())
    frame["dataset_indicator_key"] = (frame["dataset_code"] + "/" + frame["indicator_code"]).where(
        known_dataset & known_indicator
    )
    frame["disaggregation_key"] = (frame["indicator_code"] + "/" + frame["disaggregation"]).where(known_indicator)
    frame["allowed_disaggregations"] = frame["indicator_code"].map(
        lambda code: ", ".join(row["disaggregation_code"] for row in catalog.disaggregations.get(code, [])) or "—"
    )
    frame = frame.merge(history, on=["unit_code", "indicator_code", "disaggregation", "period"], how="left")
    enough = frame["history_count"].fillna(0) >= OUTLIER_MIN_HISTORY
    score = (frame["value"] - frame["history_median"]) / frame["history_scale"]
    frame["outlier_score"] = score.where(enough & (frame["history_scale"] > 0))
    return _with_row_key(frame)


def mandatory_frame(values: pd.DataFrame, submissions: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """One row per mandatory (indicator, disaggregation) expected from each checkable submission."""
    expected = pd.DataFrame(catalog.mandatory_items, columns=["dataset_code", "indicator_code", "disaggregation"])
    checkable = submissions[submissions["read_error_vi"].isna() & submissions["missing_fields"].isna()]
    frame = checkable[["submission_id", "file_name", "dataset_code"]].merge(expected, on="dataset_code")
    given = values.groupby(["submission_id", "indicator_code", "disaggregation"]).size().rename("rows_given")
    frame = frame.join(given, on=["submission_id", "indicator_code", "disaggregation"])
    frame["rows_given"] = frame["rows_given"].fillna(0).astype("int64")
    return _with_row_key(frame)


def consistency_frame(values: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """One row per submission, disaggregation and rule 9 pair given: the part's value beside the whole's."""
    numbers = values.dropna(subset=["value"]).drop_duplicates(["submission_id", "indicator_code", "disaggregation"])
    keyed = numbers[["submission_id", "disaggregation", "indicator_code", "value"]]
    pairs = pd.DataFrame(
        [(pair.part, pair.whole) for pair in catalog.consistency_pairs], columns=["part_code", "whole_code"]
    )
    parts = keyed.rename(columns={"indicator_code": "part_code", "value": "part_value"}).merge(pairs, on="part_code")
    wholes = keyed.rename(columns={"indicator_code": "whole_code", "value": "whole_value"})
    frame = parts.merge(wholes, on=["submission_id", "disaggregation", "whole_code"])
    for side in ("part", "whole"):
        names = frame[f"{side}_code"]
        frame[f"{side}_name"] = _lookup(names, catalog.indicators, "indicator_name")
        frame[f"{side}_name_en"] = _lookup(names, catalog.indicators, "indicator_name_en")
    return _with_row_key(frame.sort_values(["submission_id", "disaggregation", "part_code"]))


def timeliness_frame(
    submissions: pd.DataFrame, accepted: set[int], slots: pd.DataFrame, sent_together: bool
) -> pd.DataFrame:
    """One row per file the other suites accept: its slot (data set × unit × period), due date and
    receipt, the receipt of the slot's first accepted file received before it (null when this
    file is the slot's first report): the warehouse's (`slots`), or this batch's when its files
    were sent together; when the province accepted the slot (null: not locked); and until when
    the slot takes files, its data set's closing or the province's reopening, the later (null:
    never closes). GX decides what that makes the file: late, a correction, or refused as locked
    or closed."""
    slot = ["dataset_code", "unit_code", "period"]
    columns = ["submission_id", "file_name", *slot, "due_date", "received_at", "received_date"]
    columns += ["lock_after_days", "slot_closes_on"]
    frame = submissions.loc[submissions["submission_id"].isin(accepted), columns].copy()
    frame["received_at"] = pd.to_datetime(frame["received_at"])
    stored = dict(zip(slots["submission_id"], pd.to_datetime(slots["slot_first_accepted_at"])))
    frame["slot_first_accepted_at"] = pd.to_datetime(frame["submission_id"].map(stored))
    locked = dict(zip(slots["submission_id"], pd.to_datetime(slots["slot_locked_at"])))
    frame["slot_locked_at"] = pd.to_datetime(frame["submission_id"].map(locked))
    frame["slot_locked_date"] = frame["slot_locked_at"].map(lambda moment: None if pd.isna(moment) else moment.date())
    _open_until_columns(frame, slots)
    if sent_together:
        frame = frame.sort_values(["received_at", "submission_id"])
        in_batch = frame.groupby(slot)["received_at"].transform("first").where(frame.duplicated(slot))
        frame["slot_first_accepted_at"] = pd.concat([frame["slot_first_accepted_at"], in_batch], axis=1).min(axis=1)
    frame["slot_first_accepted_date"] = frame["slot_first_accepted_at"].map(
        lambda moment: None if pd.isna(moment) else moment.date()
    )
    return _with_row_key(frame.sort_values("submission_id"))


def _open_until_columns(frame: pd.DataFrame, slots: pd.DataFrame) -> None:
    """`slot_open_until`: the moment the slot stops taking files, the end of its data set's last day
    (`slot_closes_on`) or of the province's reopening (`slot_reopened_until`), whichever is later;
    with the words a reason quotes about the reopening."""
    reopened = dict(zip(slots["submission_id"], pd.to_datetime(slots["slot_reopened_until"])))
    frame["slot_reopened_until"] = pd.to_datetime(frame["submission_id"].map(reopened))
    closing = pd.to_datetime(
        frame["slot_closes_on"].map(lambda day: None if day is None else datetime.combine(day, datetime.min.time()))
    ) + pd.Timedelta(days=1)
    later = pd.concat([closing, frame["slot_reopened_until"]], axis=1).max(axis=1)
    frame["slot_open_until"] = pd.to_datetime(later.where(closing.notna()))
    last_days = (frame["slot_reopened_until"] - pd.Timedelta(microseconds=1)).dt.date
    words = {day: say("timeliness.reopened_until", until=day) for day in last_days.dropna().unique()}
    frame["slot_reopened_vi"] = last_days.map(lambda day: words[day].vi if day in words else "")
    frame["slot_reopened_en"] = last_days.map(lambda day: words[day].en if day in words else "")


def _with_row_key(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame.insert(0, "row_key", range(len(frame)))
    return frame
