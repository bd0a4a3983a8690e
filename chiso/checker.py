"""`chiso validate` and the portal's dry run: one file's verdict without loading anything."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from chiso.context import RunContext
from chiso.verdict import Verdict
from expectations.findings import finding_of
from expectations.validate import preload_suites
from transforms.sandbox import ReadingBudget, read_one
from transforms.submission import RawSubmission
from warehouse.db import connect_read_only, migrate


def check_file(path: Path, context: RunContext, *, warehouse: Path | None = None) -> Verdict:
    """The verdict `chiso ingest` would give, compared with a warehouse's history when one exists
    (by default the snapshot)."""
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    with history(warehouse or context.settings.snapshot) as connection:
        budget = ReadingBudget.of(context.settings)
        submission = read_one(path, budget, context.catalog.timezone)
        if submission.read_error is not None and not _known(connection, submission.sha256):
            return unread_verdict(submission)
        preload_suites()  # while pandas is imported and the file read for the judgment
        from chiso.ingest import IngestRun, judge  # pandas and GX (seconds): only for a file that was read

        run = IngestRun(run_id="validate")
        return judge(connection, [path], context, budget, 1, run).verdicts[0]


@contextmanager
def history(source: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """What a file is compared with, read-only: a warehouse's files and values, or none (an empty one)."""
    connection = connect_read_only(source) if source.exists() else duckdb.connect(":memory:")
    try:
        if not source.exists():
            migrate(connection)
        yield connection
    finally:
        connection.close()


def _known(connection: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    """Bytes already received and not rejected: the pipeline calls them a duplicate, not unreadable."""
    query = "select 1 from submission_records where sha256 = ? and status <> 'rejected' limit 1"
    return bool(connection.execute(query, [sha256]).fetchall())


def unread_verdict(submission: RawSubmission) -> Verdict:
    """A file the readers refuse (a .pdf, an empty file) fails rule 1 and nothing else can be judged of it:
    the submission suite's rule 1 finding, in its own words, without the seconds GX takes to start."""
    error = submission.read_error
    if error is None:
        raise ValueError(f"{submission.file_name} was read: only a file the readers refused has this verdict")
    record = {"file_name": submission.file_name, "read_error_vi": error.text.vi, "read_error_en": error.text.en}
    reason = finding_of("submission_checks", "unreadable", [record])
    return Verdict(
        1, submission.file_name, submission.path, "rejected", submission.received_at, None, None, None, [reason], []
    )
