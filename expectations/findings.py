"""Turn GX failures into findings: what the clerk must fix (reasons) or should know (warnings).

A finding names its rule, its check, the source rows and the values at fault, in Vietnamese
and English; its words are the vocabulary's `finding.<check>` (one per offending row) and
`fix.<check>` (said once), filled from the checked frame's columns.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from core.vocabulary import fill, say

SUITES_DIR = Path(__file__).resolve().parent / "suites"
SUITE_NAMES = ("submission_checks", "value_checks", "mandatory_checks", "consistency_checks", "timeliness_checks")

MAX_ITEMS = 20
MAX_QUOTE = 200


@dataclass(frozen=True)
class Failure:
    """One failed expectation over one frame: which rows of the frame fail it."""

    suite: str
    severity: str
    meta: dict
    kwargs: dict
    row_keys: tuple[int, ...]


@dataclass(frozen=True)
class Finding:
    rule: str  # "1".."9", or a warning's name ("late", "correction", "outlier", "formula_text"), or "duplicate"
    check: str  # the expectation's check name: the vocabulary id of its words
    severity: str  # critical (a reason to reject), warning, info
    vi: str
    en: str
    rows: list[int] = field(default_factory=list)
    values: list[str] = field(default_factory=list)

    @property
    def is_reason(self) -> bool:
        return self.severity == "critical"

    def as_dict(self) -> dict:
        return asdict(self)


def load_suite_json(name: str) -> dict:
    return json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ == "NAType":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    text = str(value)
    # A finding quotes what is at fault, not a whole hostile cell.
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE] + "…"


def _source_rows(record: dict, value_rows: dict[tuple, list[int]]) -> list[int]:
    """Rows of the file at fault: the row itself, or the rows of the two values a pair compared."""
    if "source_row" in record:
        return [int(record["source_row"])]
    if "part_code" in record:
        key = (record["submission_id"], record["disaggregation"])
        return sorted(
            row for code in (record["part_code"], record["whole_code"]) for row in value_rows.get((*key, code), [])
        )
    return []


def build_findings(failures: list[Failure], frames: dict) -> dict[int, list[Finding]]:
    """Every finding, per submission id, reasons by rule number first."""
    values = frames["value_checks"]
    value_rows: dict[tuple, list[int]] = defaultdict(list)
    for key in zip(values["submission_id"], values["disaggregation"], values["indicator_code"], values["source_row"]):
        value_rows[key[:3]].append(int(key[3]))
    found: dict[int, list[Finding]] = defaultdict(list)
    for failure in failures:
        by_submission: dict[int, list[dict]] = defaultdict(list)
        for record in frames[failure.suite].iloc[list(failure.row_keys)].to_dict("records"):
            by_submission[int(record["submission_id"])].append(record)
        for submission_id in sorted(by_submission):
            found[submission_id].append(_finding(failure, by_submission[submission_id], value_rows))
    for findings in found.values():
        findings.sort(key=lambda f: (not f.rule.isdigit(), int(f.rule) if f.rule.isdigit() else 0, f.rows[:1]))
    return found


def finding_of(suite: str, check: str, records: list[dict]) -> Finding:
    """The finding an expectation of a suite gives for these failing rows: the words GX's failure would get."""
    expectation = next(e for e in load_suite_json(suite)["expectations"] if e["meta"]["check"] == check)
    failure = Failure(suite, expectation["severity"], expectation["meta"], expectation["kwargs"], ())
    return _finding(failure, records, {})


def _finding(failure: Failure, records: list[dict], value_rows: dict[tuple, list[int]]) -> Finding:
    """One failed expectation as the clerk reads it: each offending row quoted, then the fix."""
    check = failure.meta["check"]
    items, rows, offending = [], [], []
    for record in records:
        fields = {key: _text(value) for key, value in record.items()}
        fields["disaggregation_suffix"] = f" ({fields['disaggregation']})" if fields.get("disaggregation") else ""
        items.append(fill(f"finding.{check}", fields))
        rows += _source_rows(record, value_rows)
        offending.append(fields.get(failure.meta["value_column"], ""))
    fix = fill(f"fix.{check}", {key: _text(value) for key, value in records[0].items()})
    return Finding(
        rule=failure.meta["rule"],
        check=check,
        severity=failure.severity,
        vi=join_items([item.vi for item in items], fix.vi, "vi"),
        en=join_items([item.en for item in items], fix.en, "en"),
        rows=sorted(set(rows)),
        values=offending,
    )


def join_items(items: list[str], fix: str, language: str) -> str:
    """`Item; item; … (+n more rows). Fix.` with the first letter upper-cased."""
    shown = "; ".join(items[:MAX_ITEMS])
    if len(items) > MAX_ITEMS:
        shown += "; " + getattr(say("verdict.more", count=len(items) - MAX_ITEMS), language)
    text = shown[0].upper() + shown[1:]
    text += "" if text.endswith(".") else "."
    return f"{text} {fix}".strip()
