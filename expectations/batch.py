"""Validate a batch: build the frames, run every suite once, turn failures into reasons."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import pandas as pd

from core.catalog import Catalog
from expectations.findings import Finding, build_findings
from expectations.frames import consistency_frame, mandatory_frame, submission_frame, timeliness_frame, value_frame
from expectations.validate import load_suites, run_suites


def suite_parameters(catalog: Catalog) -> dict:
    """The catalog as the suites' `$PARAMETER`s: adding a code is a catalog edit, not a suite edit."""
    return {
        "dataset_codes": list(catalog.datasets),
        "unit_codes": list(catalog.units),
        "indicator_codes": list(catalog.indicators),
        "dataset_indicator_keys": catalog.dataset_indicator_keys,
        "disaggregation_keys": catalog.disaggregation_keys,
        "first_year": catalog.first_year,
        "last_year": catalog.last_year,
    }


def validate_batch(
    values: pd.DataFrame,
    declared: pd.DataFrame,
    catalog: Catalog,
    as_of: date,
    history: pd.DataFrame,
    *,
    add_time: Callable[[str, float], None] = lambda stage, started: None,
    slots: pd.DataFrame | None = None,
    sent_together: bool = True,
) -> dict[int, list[Finding]]:
    """Every finding (reasons and warnings), per submission id.

    `history` is each value's own history (outliers), `slots` each file's slot history: the receipt
    of the slot's first accepted file in the warehouse before it (warehouse.load.slot_history).
    Timeliness belongs to the slot, so its suite runs last, on the files the other suites accept:
    a file is the slot's first report, or a correction of it (`sent_together`: the batch's earlier
    accepted files count too; not for dry runs, which are different clerks' files judged alone).
    """
    frames = {
        "submission_checks": submission_frame(declared, values, catalog, as_of),
        "value_checks": value_frame(values, declared, catalog, history),
        "mandatory_checks": mandatory_frame(values, declared, catalog),
        "consistency_checks": consistency_frame(values, catalog),
    }
    started = time.perf_counter()
    load_suites()  # GX's import and context: seconds, once per process
    add_time("gx_startup", started)
    started = time.perf_counter()
    parameters = suite_parameters(catalog)
    failed = run_suites(frames, parameters)
    reasons = {sid for sid, found in build_findings(failed, frames).items() if any(f.is_reason for f in found)}
    accepted = set(declared["submission_id"]) - reasons
    no_slots = pd.DataFrame(
        {
            "submission_id": pd.Series(dtype="int64"),
            "slot_first_accepted_at": pd.Series(),
            "slot_locked_at": pd.Series(),
            "slot_reopened_until": pd.Series(),
        }
    )
    frames["timeliness_checks"] = timeliness_frame(
        frames["submission_checks"], accepted, no_slots if slots is None else slots, sent_together
    )
    failed += run_suites({"timeliness_checks": frames["timeliness_checks"]}, parameters)
    add_time("validate.gx", started)
    return build_findings(failed, frames)
