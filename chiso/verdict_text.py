"""The bilingual verdict a clerk reads: beside a quarantined file and from `chiso validate`."""

from __future__ import annotations

from core.vocabulary import say
from expectations.findings import Finding


def verdict_text(file_name: str, status: str, reasons: list[Finding], warnings: list[Finding]) -> str:
    label, result, verdict = say("verdict.file"), say("verdict.result"), say(f"status.{status}")
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
