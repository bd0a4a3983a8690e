"""Turn GX findings into bilingual reasons, grouped by submission, for the clerk who must fix the file."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime

import pandas as pd

from expectations.validate import Finding

MAX_ITEMS = 20
MAX_QUOTE = 200


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    text = str(value)
    # A reason quotes what is at fault, not a whole hostile cell.
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE] + "…"


def _source_rows(finding: Finding, row: dict, values: pd.DataFrame) -> list[int]:
    """Rows of the file at fault: the row itself, or the rows of the values a pair check compared."""
    if "source_row" in row:
        return [int(row["source_row"])]
    if "column_A" in finding.kwargs and "disaggregation" in row:
        compared = values[
            (values["submission_id"] == row["submission_id"])
            & values["indicator_code"].isin([finding.kwargs["column_A"], finding.kwargs["column_B"]])
            & (values["disaggregation"] == row["disaggregation"])
        ]
        return sorted(int(r) for r in compared["source_row"])
    return []


def build_reasons(findings: list[Finding], frames: dict[str, pd.DataFrame]) -> dict[int, list[dict]]:
    """Every reason found, per submission id: rule, severity, rows, values, Vietnamese and English text."""
    values = frames["value_checks"]
    reasons: dict[int, list[dict]] = defaultdict(list)
    for finding in findings:
        frame = frames[finding.suite]
        failing = frame.iloc[list(finding.row_keys)]
        for submission_id, group in failing.groupby("submission_id", sort=True):
            items_vi, items_en, rows, offending = [], [], [], []
            for record in group.to_dict("records"):
                fields = defaultdict(str, {k: _text(v) for k, v in record.items()})
                fields["breakdown"] = f" ({fields['disaggregation']})" if fields["disaggregation"] else ""
                items_vi.append(finding.meta["vi"].format_map(fields))
                items_en.append(finding.meta["en"].format_map(fields))
                rows += _source_rows(finding, record, values)
                offending.append(fields[finding.meta["value_column"]])
            reasons[int(submission_id)].append(
                {
                    "rule": finding.meta["rule"],
                    "check": finding.meta["check"],
                    "severity": finding.severity,
                    "rows": sorted(set(rows)),
                    "values": offending,
                    "vi": _join(items_vi, "dòng khác", finding.meta["fix_vi"]),
                    "en": _join(items_en, "more rows", finding.meta["fix_en"]),
                }
            )
    for found in reasons.values():
        found.sort(key=lambda r: (not r["rule"].isdigit(), int(r["rule"]) if r["rule"].isdigit() else 0, r["rows"][:1]))
    return reasons


def _join(items: list[str], more: str, fix: str) -> str:
    shown = "; ".join(items[:MAX_ITEMS])
    if len(items) > MAX_ITEMS:
        shown += f"; … (+{len(items) - MAX_ITEMS} {more})"
    text = shown[0].upper() + shown[1:]
    text += "" if text.endswith(".") else "."
    return f"{text} {fix}".strip()
