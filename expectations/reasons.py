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


def _source_rows(finding: Finding, row: dict, value_rows: dict[tuple, list[int]]) -> list[int]:
    """Rows of the file at fault: the row itself, or the rows of the values a pair check compared."""
    if "source_row" in row:
        return [int(row["source_row"])]
    if "column_A" in finding.kwargs and "disaggregation" in row:
        compared = (finding.kwargs["column_A"], finding.kwargs["column_B"])
        return sorted(r for code in compared for r in value_rows.get((row["submission_id"], code, row["disaggregation"]), []))
    return []


def build_reasons(findings: list[Finding], frames: dict[str, pd.DataFrame]) -> dict[int, list[dict]]:
    """Every reason found, per submission id: rule, severity, rows, values, Vietnamese and English text."""
    values = frames["value_checks"]
    value_rows: dict[tuple, list[int]] = defaultdict(list)
    for key in zip(values["submission_id"], values["indicator_code"], values["disaggregation"], values["source_row"]):
        value_rows[key[:3]].append(int(key[3]))
    reasons: dict[int, list[dict]] = defaultdict(list)
    for finding in findings:
        by_submission: dict[int, list[dict]] = defaultdict(list)
        for record in frames[finding.suite].iloc[list(finding.row_keys)].to_dict("records"):
            by_submission[int(record["submission_id"])].append(record)
        for submission_id in sorted(by_submission):
            reasons[submission_id].append(_reason(finding, by_submission[submission_id], value_rows))
    for found in reasons.values():
        found.sort(key=lambda r: (not r["rule"].isdigit(), int(r["rule"]) if r["rule"].isdigit() else 0, r["rows"][:1]))
    return reasons


def _reason(finding: Finding, records: list[dict], value_rows: dict[tuple, list[int]]) -> dict:
    """One failed expectation as the clerk reads it: each offending row quoted, then the fix."""
    items_vi, items_en, rows, offending = [], [], [], []
    for record in records:
        fields = defaultdict(str, {k: _text(v) for k, v in record.items()})
        fields["breakdown"] = f" ({fields['disaggregation']})" if fields["disaggregation"] else ""
        items_vi.append(finding.meta["vi"].format_map(fields))
        items_en.append(finding.meta["en"].format_map(fields))
        rows += _source_rows(finding, record, value_rows)
        offending.append(fields[finding.meta["value_column"]])
    return {
        "rule": finding.meta["rule"],
        "check": finding.meta["check"],
        "severity": finding.severity,
        "rows": sorted(set(rows)),
        "values": offending,
        "vi": _join(items_vi, "dòng khác", finding.meta["fix_vi"]),
        "en": _join(items_en, "more rows", finding.meta["fix_en"]),
    }


def _join(items: list[str], more: str, fix: str) -> str:
    shown = "; ".join(items[:MAX_ITEMS])
    if len(items) > MAX_ITEMS:
        shown += f"; … (+{len(items) - MAX_ITEMS} {more})"
    text = shown[0].upper() + shown[1:]
    text += "" if text.endswith(".") else "."
    return f"{text} {fix}".strip()
