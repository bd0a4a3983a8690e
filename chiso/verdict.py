"""A file's verdict, and its bilingual text: beside a quarantined file and from `chiso validate`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from core.kinds import SUBMISSION_STATUSES
from core.vocabulary import say
from expectations.findings import Finding

STATUSES = SUBMISSION_STATUSES.codes


@dataclass
class Verdict:
    submission_id: int
    file_name: str
    path: Path
    status: str
    received_at: datetime
    dataset_code: str | None
    unit_code: str | None
    period: str | None
    reasons: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    stored_path: Path | None = None


def verdict_text(file_name: str, status: str, reasons: list[Finding], warnings: list[Finding]) -> str:
    label, result, verdict = say("verdict.file"), say("verdict.result"), SUBMISSION_STATUSES.text(status)
    lines = [
        f"{label.vi} / {label.en}: {file_name}",
        f"{result.vi} / {result.en}: {verdict.vi.upper()} / {verdict.en.upper()}",
        "",
    ]
    for key, findings in (("verdict.reasons", reasons), ("verdict.warnings", warnings)):
        if findings:
            lines.append(f"{say(key, count=len(findings))}:")
            lines += _items(findings)
    if status == "rejected":
        footer = say("verdict.nothing_loaded")
        lines += [footer.vi, footer.en]
    return "\n".join(lines) + "\n"


def _items(findings: list[Finding]) -> list[str]:
    lines = []
    for number, finding in enumerate(findings, 1):
        rule = str(say("verdict.rule", rule=finding.rule)) if finding.rule.isdigit() else finding.rule
        lines.append(f"  {number}. [{rule}] {finding.vi}")
        lines.append(f"     {finding.en}")
    lines.append("")
    return lines
