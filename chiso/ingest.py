"""Judge and load a batch of files: read, validate with the GX suites once per chunk, load.

Files are processed in a stated order: by receipt time (modification time), then path.
Each chunk of files is validated in one GX run per suite and loaded in one transaction.
`judge` is the read-only half, shared by ingestion, `chiso validate` and the portal's dry run.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from chiso.context import RunContext
from chiso.receipts import RECEIPT_SUFFIX, Receipt, read_sender
from chiso.verdict import STATUSES, Verdict
from core.faults import fault_point
from core.text import readable_name
from core.vocabulary import say
from expectations.batch import validate_batch
from expectations.findings import Finding
from transforms.canonical import canonical_submissions, canonical_values
from transforms.sandbox import ReadingBudget, read_submissions
from transforms.submission import RawSubmission
from warehouse.load import (
    FINDING_COLUMNS,
    known_files,
    load_chunk,
    next_submission_id,
    slot_history,
    value_history,
)

IGNORED_SUFFIXES = (".reasons.txt", RECEIPT_SUFFIX)


@dataclass
class IngestRun:
    """What one run did: a verdict per file, the values loaded, and the time by stage."""

    run_id: str
    verdicts: list[Verdict] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    rows: int = 0

    def add_time(self, stage: str, started: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started

    def counts(self) -> dict[str, int]:
        result = dict.fromkeys(STATUSES, 0)
        for verdict in self.verdicts:
            result[verdict.status] += 1
        return result


@dataclass
class Judgement:
    """A chunk judged, nothing written: verdicts, and the rows the loader would write."""

    verdicts: list[Verdict]
    records: pd.DataFrame  # one row per file
    findings: pd.DataFrame  # one row per finding
    facts: pd.DataFrame  # the accepted values


def discover(paths: Iterable[Path]) -> list[Path]:
    """Files named directly or found under folders, in processing order (receipt time, then path)."""
    found = []
    for path in paths:
        if path.is_dir():
            found += [p for p in path.rglob("*") if p.is_file() and not _ignored(p.relative_to(path))]
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    unique = {p.resolve(): p for p in found}
    return sorted(unique.values(), key=lambda p: (p.lstat().st_mtime_ns, str(p)))


def _ignored(relative: Path) -> bool:
    """Hidden files and folders (names starting with '.'), and the reasons and receipts chiso writes itself."""
    return any(part.startswith(".") for part in relative.parts) or relative.name.endswith(IGNORED_SUFFIXES)


def new_run_id() -> str:
    return f"{datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def chunked(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ingest_files(
    connection: duckdb.DuckDBPyConnection,
    files: list[Path],
    context: RunContext,
    run: IngestRun,
    *,
    plan_destination: Callable[[Verdict], Path | None] = lambda verdict: None,
    on_file_read: Callable[[], None] = lambda: None,
    receipts: Mapping[Path, Receipt] | None = None,
) -> None:
    """Process `files` chunk by chunk (CHISO_CHUNK_SIZE) into `run`; each chunk commits as a whole before
    the next starts. `receipts` (a rebuild: chiso.commands.rebuild): each file's receipt, whose id,
    name, receipt time, run and sender the file gets again in place of new ones."""
    budget = ReadingBudget.of(context.settings)
    for chunk in chunked(files, context.settings.chunk_size):
        first_id = next_submission_id(connection)
        judged = judge(connection, chunk, context, budget, first_id, run, on_file_read=on_file_read, receipts=receipts)
        started = time.perf_counter()
        for verdict in judged.verdicts:
            verdict.stored_path = plan_destination(verdict)
        judged.records["stored_path"] = [str(v.stored_path) if v.stored_path else None for v in judged.verdicts]
        judged.records["run_id"] = run.run_id
        statuses = load_chunk(connection, run.run_id, judged.records, judged.findings, judged.facts)
        for verdict in judged.verdicts:
            verdict.status = statuses[verdict.submission_id]
        run.verdicts += judged.verdicts
        run.rows += len(judged.facts)
        run.add_time("load", started)


def judge(
    connection: duckdb.DuckDBPyConnection,
    files: list[Path],
    context: RunContext,
    budget: ReadingBudget,
    first_id: int,
    run: IngestRun,
    *,
    on_file_read: Callable[[], None] = lambda: None,
    sent_together: bool = True,
    receipts: Mapping[Path, Receipt] | None = None,
) -> Judgement:
    """Read and validate files without writing anything, by `context`'s catalog and as of its day;
    `connection` is only read (the files already received, each unit's value history, each slot's
    accepted files). Each file is read in a reader process within `budget` (transforms.sandbox): a
    hostile file costs its reader, not this process. `sent_together`: the files were sent in this order, so an earlier
    accepted one makes a later one for the same slot its correction; False for dry runs."""
    started = time.perf_counter()
    raw = []
    for offset, submission in enumerate(read_submissions(files, budget, context.catalog.timezone)):
        submission.submission_id = first_id + offset
        if receipts is not None:
            _as_received(submission, receipts[submission.path])
        raw.append(submission)
        fault_point("read.file")
        on_file_read()
    run.add_time("read", started)

    started = time.perf_counter()
    duplicate_of = _duplicates(raw, known_files(connection, [s.sha256 for s in raw]))
    judged = _validate(connection, raw, duplicate_of, context, run, sent_together=sent_together, receipts=receipts)
    fault_point("validate.done")
    run.add_time("validate", started)
    return judged


def _as_received(submission: RawSubmission, receipt: Receipt) -> None:
    """A stored file read again takes back what it was received as (its receipt)."""
    if submission.sha256 != receipt.sha256:
        raise ValueError(f"{submission.path} is not the file its receipt describes (its bytes changed)")
    submission.submission_id = receipt.submission_id
    submission.file_name = receipt.file_name
    submission.received_at = receipt.received_at


def _duplicates(raw: list[RawSubmission], known: dict[str, int]) -> dict[int, int]:
    """Submission id -> the earlier submission it is byte-identical to (in the warehouse or this chunk)."""
    first = dict(known)
    result = {}
    for submission in raw:
        if submission.sha256 in first:
            result[_id(submission)] = first[submission.sha256]
        else:
            first[submission.sha256] = _id(submission)
    return result


def _id(submission: RawSubmission) -> int:
    """The id `judge` gave the file (a RawSubmission has none until then)."""
    if submission.submission_id is None:
        raise ValueError(f"{submission.file_name} was not numbered")
    return submission.submission_id


def _validate(
    connection, raw, duplicate_of, context: RunContext, run, *, sent_together: bool, receipts=None
) -> Judgement:
    """Verdicts for every file of the chunk, and the rows of its records, findings and accepted values."""
    catalog = context.catalog
    fresh = [s for s in raw if s.submission_id not in duplicate_of]
    # A file missing a required column gets that one reason, not one per value it makes unreadable.
    values = canonical_values([s for s in fresh if not s.missing_fields], catalog)
    all_declared = canonical_submissions(raw, catalog)
    declared = all_declared[all_declared["submission_id"].isin([s.submission_id for s in fresh])].reset_index(drop=True)
    found = validate_batch(
        values,
        declared,
        catalog,
        context.as_of,
        value_history(connection, values),
        add_time=run.add_time,
        slots=slot_history(connection, declared),
        sent_together=sent_together,
    )

    heads = all_declared.set_index("submission_id").to_dict("index")
    ingested_at = datetime.now(catalog.timezone).replace(tzinfo=None)  # province time, like received_at
    # The approvals the verdicts saw (a locked slot refuses): what a rebuild applies before judging again.
    [(last_action,)] = connection.execute("select max(action_id) from approval_log").fetchall()
    verdicts, records, findings = [], [], []
    for submission in raw:
        head = heads[submission.submission_id]
        verdict = _verdict(submission, head, found.get(submission.submission_id, []), duplicate_of)
        verdicts.append(verdict)
        record = _record(submission, head, verdict, ingested_at, duplicate_of, context)
        record["judged_after_action"] = last_action
        if receipts is not None:
            receipt = receipts[submission.path]
            record.update(source_path=receipt.source_path, ingested_at=receipt.ingested_at, sent_by=receipt.sent_by)
        records.append(record)
        for number, finding in enumerate(verdict.reasons + verdict.warnings, 1):
            findings.append(_finding_row(verdict.submission_id, number, finding))
    accepted = {v.submission_id for v in verdicts if v.status == "accepted"}
    facts = values[values["submission_id"].isin(accepted)]
    return Judgement(verdicts, pd.DataFrame(records), pd.DataFrame(findings, columns=FINDING_COLUMNS), facts)


def _record(
    submission: RawSubmission, head: dict, verdict: Verdict, ingested_at: datetime, duplicate_of, context: RunContext
) -> dict:
    return {
        **{k: head[k] for k in ("file_name", "sha256", "size_bytes", "file_format", "received_at")},
        **{k: head[k] for k in ("dataset_code", "unit_code", "period")},
        "submission_id": verdict.submission_id,
        "source_path": readable_name(str(submission.path)),
        "moved": False,
        "ingested_at": ingested_at,
        "status": verdict.status,
        "value_rows": len(submission.rows),
        "duplicate_of": duplicate_of.get(verdict.submission_id),
        # Who brought it: the portal's record beside a file it sent (chiso.receipts), none for a file copied in.
        "sent_by": read_sender(submission.path, submission.sha256).get("sent_by"),
        "judged_as_of": context.as_of,
    }


def _finding_row(submission_id: int, number: int, finding: Finding) -> tuple:
    return (
        submission_id,
        number,
        finding.rule,
        finding.check,
        finding.severity,
        finding.rows,
        [str(value) for value in finding.values],
        finding.vi,
        finding.en,
    )


def _verdict(submission: RawSubmission, head: dict, found: list[Finding], duplicate_of: dict[int, int]) -> Verdict:
    """The spec's verdict: duplicate, else rejected on any critical reason, else accepted with warnings."""
    reasons = [f for f in found if f.is_reason]
    # Warnings flag loaded values; a rejected file loads nothing, so it carries reasons only.
    warnings = [f for f in found if not f.is_reason] if not reasons else []
    status = "rejected" if reasons else "accepted"
    if submission.submission_id in duplicate_of:
        status, reasons, warnings = "duplicate", [_duplicate_note(duplicate_of[submission.submission_id])], []
    return Verdict(
        _id(submission),
        submission.file_name,
        submission.path,
        status,
        submission.received_at,
        _present(head["dataset_code"]),
        _present(head["unit_code"]),
        _present(head["period"]),
        reasons,
        warnings,
    )


def _present(value: Any) -> str | None:
    """A declared code, or None where the file gave none (pandas' missing value: NaN, never a code)."""
    return None if pd.isna(value) else str(value)


def _duplicate_note(original_id: int) -> Finding:
    text = say("finding.duplicate_file", original_id=original_id)
    return Finding("duplicate", "duplicate_file", "info", text.vi + ".", text.en + ".", [], [str(original_id)])
