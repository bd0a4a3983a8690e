"""The verdict a send gets at once, until the warehouse confirms or replaces it.

When a unit sends a file, the portal judges the very bytes that will land (a dry run: the pipeline's
`judge`, the same suites and catalog, the snapshot's history) before it lands them, and keeps that
verdict beside the send (`send_verdicts` in the portal's SQLite). The send's page and API show it at
once, marked as being loaded. Once the loader has judged the file, the warehouse's verdict is the one
that counts: the provisional one is then *confirmed* when the two agree (the same status, the same
checks on the same rows), or *replaced*, with the reason, when they do not — a newer file for the same
report, files for the same report (or with the same bytes) that reached the warehouse between the
check and the load, or a catalog or rule changed in between.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from chiso.verdict import Verdict
from core.settings import Settings
from core.vocabulary import Text
from expectations.findings import SUITES_DIR, Finding
from portal.accounts import Accounts, now_text
from portal.render import say
from warehouse.db import query_rows

ARRIVED_BETWEEN = Path(__file__).resolve().parent / "queries" / "arrived_between.sql"

# What a send's verdict is, as the page and the API say it (portal.toml `verdict_state_*`).
BEING_LOADED, CONFIRMED, REPLACED = "being_loaded", "confirmed", "replaced"
VERDICT_STATES = (BEING_LOADED, CONFIRMED, REPLACED)
# Why a provisional verdict was replaced (portal.toml `replaced_*`), in the order they are looked for.
REPLACED_BECAUSE = ("superseded", "arrived_between", "rules_changed", "judged_again")


@dataclass(frozen=True)
class Provisional:
    """A send's verdict from the check made as it arrived."""

    status: str
    dataset_code: str | None
    unit_code: str | None
    period: str | None
    reasons: list[Finding]
    warnings: list[Finding]
    judged_at: str  # UTC, like sends.sent_at
    history_through: int  # the last submission id of the snapshot it was judged against
    rules_digest: str  # the catalog and suites it was judged under (`rules_digest`)

    @classmethod
    def of(cls, verdict: Verdict, history_through: int, rules_digest: str) -> Provisional:
        return cls(
            verdict.status,
            verdict.dataset_code,
            verdict.unit_code,
            verdict.period,
            list(verdict.reasons),
            list(verdict.warnings),
            now_text(),
            history_through,
            rules_digest,
        )


@dataclass(frozen=True)
class Outcome:
    """What became of a send's provisional verdict once the warehouse judged the file."""

    state: str  # one of VERDICT_STATES
    because: str | None = None  # REPLACED_BECAUSE's code when replaced
    count: int = 0  # for `arrived_between`: how many files


def replaced_text(replaced: Outcome) -> Text:
    """Why a verdict was replaced, in both languages."""
    return say(f"portal.replaced_{replaced.because}", count=replaced.count)


def rules_digest(settings: Settings) -> str:
    """SHA-256 over the catalog's files and the suites: what a verdict was judged under."""
    digest = hashlib.sha256()
    for folder in (settings.catalog_dir, SUITES_DIR):
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def insert(db, send_id: int, provisional: Provisional) -> None:
    """Keep a send's provisional verdict (inside the send's own transaction: `portal.uploads.land`)."""
    findings = json.dumps(
        {key: [f.as_dict() for f in getattr(provisional, key)] for key in ("reasons", "warnings")}, ensure_ascii=False
    )
    db.execute(
        "insert into send_verdicts (send_id, status, dataset_code, unit_code, period, findings, judged_at,"
        " history_through, rules_digest) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            send_id,
            provisional.status,
            provisional.dataset_code,
            provisional.unit_code,
            provisional.period,
            findings,
            provisional.judged_at,
            provisional.history_through,
            provisional.rules_digest,
        ],
    )


def provisionals(accounts: Accounts, send_ids: list[int]) -> dict[int, Provisional]:
    """The provisional verdicts of these sends, by send id (a send made before they were kept, or whose check
    failed, has none)."""
    found: dict[int, Provisional] = {}
    with accounts.connect() as db:
        for start in range(0, len(send_ids), 500):
            part = send_ids[start : start + 500]
            rows = db.execute(
                "select send_id, status, dataset_code, unit_code, period, findings, judged_at, history_through,"
                f" rules_digest from send_verdicts where send_id in ({', '.join('?' * len(part))})",
                part,
            ).fetchall()
            for send_id, status, dataset, unit, period, findings, *judged in rows:
                both = json.loads(findings)
                reasons, warnings = ([Finding(**f) for f in both[key]] for key in ("reasons", "warnings"))
                found[send_id] = Provisional(status, dataset, unit, period, reasons, warnings, *judged)
    return found


def judgment(status: str, reasons: list[Finding], warnings: list[Finding]) -> tuple:
    """What must agree for a provisional verdict to be confirmed: the status and each finding's check and rows
    (not its words, which quote values and dates the same way in both)."""

    def checks(findings: list[Finding]) -> list[tuple]:
        return sorted((f.rule, f.check, f.severity, tuple(f.rows)) for f in findings)

    return status, checks(reasons), checks(warnings)


def outcome(provisional: Provisional, status: str, reasons: list[Finding], warnings: list[Finding]) -> Outcome:
    """Confirmed when the warehouse's verdict agrees; else replaced, with the first reason found.

    `arrived_between` and `rules_changed` are found by `explain`, which needs the warehouse and the files:
    here only what the verdicts themselves tell."""
    if status == "pending":
        return Outcome(BEING_LOADED)
    if judgment(provisional.status, provisional.reasons, provisional.warnings) == judgment(status, reasons, warnings):
        return Outcome(CONFIRMED)
    if status == "superseded":
        return Outcome(REPLACED, "superseded")
    return Outcome(REPLACED, "judged_again")


def explain(
    connection, settings: Settings, provisional: Provisional, submission_id: int, sha256: str, found: Outcome
) -> Outcome:
    """A replaced verdict's reason, looked for in the warehouse (files in between) and the rules' files."""
    if found.because != "judged_again":
        return found
    slot = [provisional.dataset_code, provisional.unit_code, provisional.period]
    [row] = query_rows(connection, ARRIVED_BETWEEN, provisional.history_through, submission_id, sha256, *slot)
    if between := row["files"]:
        return Outcome(REPLACED, "arrived_between", between)
    if rules_digest(settings) != provisional.rules_digest:
        return Outcome(REPLACED, "rules_changed")
    return found
