"""Ingest a batch of files: read, validate with the GX suites once per chunk, load.

Files are processed in a stated order: by receipt time (modification time), then path.
Each chunk of files is validated in one GX run per suite and loaded in one transaction.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from chiso.catalog import Catalog
from chiso.faults import fault_point
from transforms.read import read_submission
from transforms.submission import RawSubmission

IGNORED_SUFFIXES = (".reasons.txt",)


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
    reasons: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    stored_path: Path | None = None


@dataclass
class RunReport:
    run_id: str
    verdicts: list[Verdict] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    rows: int = 0

    def add_time(self, stage: str, started: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started

    def counts(self) -> dict[str, int]:
        result = {s: 0 for s in ("accepted", "rejected", "duplicate", "superseded")}
        for verdict in self.verdicts:
            result[verdict.status] += 1
        return result


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
    """Hidden files and folders (names starting with '.'), and the reports chiso writes itself."""
    return any(part.startswith(".") for part in relative.parts) or relative.name.endswith(IGNORED_SUFFIXES)


def new_run_id() -> str:
    return f"{datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def chunked(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ingest_files(
    connection,
    files: list[Path],
    catalog: Catalog,
    as_of: date,
    max_bytes: int,
    chunk_size: int,
    report: RunReport,
    plan_destination: Callable[[Verdict], Path | None] = lambda verdict: None,
    on_file_read: Callable[[], None] = lambda: None,
) -> None:
    """Process `files` chunk by chunk into `report`; each chunk commits as a whole before the next starts."""
    for chunk in chunked(files, chunk_size):
        report.verdicts += _ingest_chunk(
            connection, chunk, catalog, as_of, max_bytes, report, plan_destination, on_file_read
        )


def _ingest_chunk(connection, files, catalog, as_of, max_bytes, report, plan_destination, on_file_read):
    from warehouse.load import load_chunk, next_submission_id

    first_id = next_submission_id(connection)
    verdicts, facts, submissions = assess(connection, files, catalog, as_of, max_bytes, first_id, report, on_file_read)
    started = time.perf_counter()
    for verdict in verdicts:
        verdict.stored_path = plan_destination(verdict)
    submissions["stored_path"] = [str(v.stored_path) if v.stored_path else None for v in verdicts]
    submissions["run_id"] = report.run_id
    statuses = load_chunk(connection, report.run_id, submissions, facts)
    for verdict in verdicts:
        verdict.status = statuses[verdict.submission_id]
    report.rows += len(facts)
    report.add_time("load", started)
    return verdicts


def assess(connection, files, catalog, as_of, max_bytes, first_id, report, on_file_read=lambda: None):
    """Read and validate files without writing anything: verdicts, accepted values, submission rows.

    `connection` is only read (known files, each unit's value history).
    """
    from warehouse.load import known_files

    started = time.perf_counter()
    raw = []
    for offset, path in enumerate(files):
        submission = read_submission(path, max_bytes, catalog.timezone)
        submission.submission_id = first_id + offset
        raw.append(submission)
        fault_point("read.file")
        on_file_read()
    report.add_time("read", started)

    started = time.perf_counter()
    duplicate_of = _duplicates(raw, known_files(connection, [s.sha256 for s in raw]))
    fresh = [s for s in raw if s.submission_id not in duplicate_of]
    result = _validate(connection, fresh, raw, duplicate_of, catalog, as_of, report)
    fault_point("validate.done")
    report.add_time("validate", started)
    return result


def _duplicates(raw: list[RawSubmission], known: dict[str, int]) -> dict[int, int]:
    """Submission id -> the earlier submission it is byte-identical to (in the warehouse or this chunk)."""
    first = dict(known)
    result = {}
    for submission in raw:
        if submission.sha256 in first:
            result[submission.submission_id] = first[submission.sha256]
        else:
            first[submission.sha256] = submission.submission_id
    return result


def _validate(connection, fresh, raw, duplicate_of, catalog, as_of, report):
    """Verdicts for every file of the chunk, the accepted values, and the submissions table rows."""
    import pandas as pd

    from expectations.batch import validate_batch
    from transforms.canonical import canonical_submissions, canonical_values
    from transforms.text import readable_name
    from warehouse.load import value_history

    # A file missing a required column gets that one reason, not one per value it makes unreadable.
    values = canonical_values([s for s in fresh if not s.missing_fields], catalog)
    all_declared = canonical_submissions(raw)
    declared = all_declared[all_declared["submission_id"].isin([s.submission_id for s in fresh])].reset_index(drop=True)
    findings = validate_batch(values, declared, catalog, as_of, value_history(connection, values), report.add_time)

    everything = all_declared.set_index("submission_id").to_dict("index")
    ingested_at = datetime.now(catalog.timezone).replace(tzinfo=None)  # province time, like received_at
    verdicts, rows = [], []
    for submission in raw:
        head = everything[submission.submission_id]
        verdict = _verdict(submission, head, findings.get(submission.submission_id, []), duplicate_of)
        verdicts.append(verdict)
        rows.append(
            {
                **{k: head[k] for k in ("file_name", "sha256", "size_bytes", "file_format", "received_at")},
                **{k: head[k] for k in ("dataset_code", "unit_code", "period")},
                "submission_id": verdict.submission_id,
                "source_path": readable_name(str(submission.path)),
                "moved": False,
                "ingested_at": ingested_at,
                "status": verdict.status,
                "reasons": json.dumps(verdict.reasons, ensure_ascii=False),
                "warnings": json.dumps(verdict.warnings, ensure_ascii=False),
                "value_rows": len(submission.rows),
                "duplicate_of": duplicate_of.get(verdict.submission_id),
            }
        )
    accepted = {v.submission_id for v in verdicts if v.status == "accepted"}
    return verdicts, values[values["submission_id"].isin(accepted)], pd.DataFrame(rows)


def _verdict(submission: RawSubmission, head, found: list[dict], duplicate_of: dict[int, int]) -> Verdict:
    """The spec's verdict: duplicate, else rejected on any critical reason, else accepted with warnings."""
    reasons = [r for r in found if r["severity"] == "critical"]
    # Warnings flag loaded values; a rejected file loads nothing, so it carries reasons only.
    warnings = [r for r in found if r["severity"] != "critical"] if not reasons else []
    status = "rejected" if reasons else "accepted"
    if submission.submission_id in duplicate_of:
        status, reasons, warnings = "duplicate", [_duplicate_reason(duplicate_of[submission.submission_id])], []
    return Verdict(
        submission.submission_id, submission.file_name, submission.path, status, submission.received_at,
        head["dataset_code"], head["unit_code"], head["period"], reasons, warnings,
    )  # fmt: skip


def _duplicate_reason(original_id: int) -> dict:
    return {
        "rule": "duplicate",
        "check": "duplicate_file",
        "severity": "info",
        "rows": [],
        "values": [original_id],
        "vi": f"Tệp giống hệt tệp đã nhận trước đó (hồ sơ số {original_id}); không có gì thay đổi.",
        "en": f"Byte-identical to a file already received (submission {original_id}); nothing changes.",
    }
