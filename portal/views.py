"""What the portal shows, read from the analysts' snapshot (read-only) and the portal's own sends.

The snapshot is opened afresh for each request: the loader swaps it atomically, so a request
reads one published state whole, and the next request sees the next one. Before the first
publish there is no snapshot, and every list is empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from core.catalog import Catalog
from core.settings import Settings
from expectations.findings import Finding
from portal.accounts import Accounts
from portal.errors import PortalError
from portal.provisional import REPLACED, Outcome, Provisional, explain, outcome, provisionals
from portal.uploads import Send
from warehouse.db import connect_read_only, query_rows
from warehouse.load import findings_of

QUERIES = Path(__file__).resolve().parent / "queries"
LATEST = 200  # files, rejections, warnings shown at most on a page
DONE = ("on_time", "late")  # an accepted file was received: nothing is owed
OWED = ("missing", "rejected_only", "not_due")


@dataclass
class FileView:
    """One received file and its verdict, as the ingest judged and stored it."""

    submission_id: int | None
    file_name: str
    inbox_name: str | None
    received_at: datetime | None
    dataset_code: str | None
    unit_code: str | None
    period: str | None
    status: str  # accepted, rejected, duplicate, superseded; `pending` while a send waits for the ingest
    superseded_by: int | None = None
    duplicate_of: int | None = None
    reasons: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    send: Send | None = None
    provisional: Provisional | None = None  # the verdict the send got at once (`with_provisionals`)
    outcome: Outcome | None = None  # being loaded, then confirmed or replaced

    @property
    def shown_name(self) -> str:
        """The name the clerk gave the file (a portal send's inbox name means nothing to anyone)."""
        return self.send.client_file_name if self.send else self.file_name


@dataclass(frozen=True)
class Obligation:
    dataset_code: str
    unit_code: str
    period: str
    due_date: date
    status: str  # completeness: on_time, late, missing, rejected_only, not_due
    files: int
    rejected_files: int
    first_accepted_at: datetime | None
    days_left: int | None  # None once done (on time or late): it was received, nothing is counted down

    @property
    def done(self) -> bool:
        return self.status in DONE


def period_codes(catalog: Catalog) -> list[str]:
    """The plan's periods a filter offers: each year, then its quarters."""
    first, last = int(catalog.plan["first_year"]), int(catalog.plan["last_year"])
    codes = []
    for year in range(first, last + 1):
        codes += [str(year), *(f"{year}Q{quarter}" for quarter in range(1, 5))]
    return codes


def chosen_period(catalog: Catalog, text: str | None) -> str | None:
    """A period filter as given: a quarter (2017Q3), a year (2017: the year and its quarters) or the whole
    plan (`all` or nothing: None); a period outside the plan answers 404."""
    wanted = (text or "all").strip()
    if wanted == "all":
        return None
    if wanted not in period_codes(catalog):
        raise PortalError(404, "portal.error_404")
    return wanted


@contextmanager
def snapshot(path: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    if not path.exists():
        yield None
        return
    with connect_read_only(path) as connection:
        yield connection


def obligations(connection, unit_code: str | None, today: date) -> list[Obligation]:
    if connection is None:
        return []
    return [
        Obligation(**row, days_left=None if row["status"] in DONE else (row["due_date"] - today).days)
        for row in query_rows(connection, QUERIES / "obligations.sql", unit_code)
    ]


def _with_findings(connection, rows: list[dict]) -> list[FileView]:
    found = findings_of(connection, [row["submission_id"] for row in rows])
    files = []
    for row in rows:
        findings = found.get(row["submission_id"], [])
        files.append(
            FileView(
                **row,
                reasons=[f for f in findings if f.severity != "warning"],
                warnings=[f for f in findings if f.severity == "warning"],
            )
        )
    return files


def unit_files(connection, unit_code: str, sends: list[Send]) -> list[FileView]:
    """A unit's files in the snapshot (by its code, or sent by it), and its sends still waiting, newest first."""
    by_inbox_name = {send.inbox_name: send for send in sends}
    files = []
    if connection is not None:
        rows = query_rows(connection, QUERIES / "files.sql", unit_code, list(by_inbox_name), None, LATEST)
        files = _with_findings(connection, rows)
    return _with_sends(files, by_inbox_name)


def sent_files(connection, sends: list[Send]) -> list[FileView]:
    """Each send with its verdict once the ingest has judged it, in the order given."""
    by_inbox_name = {send.inbox_name: send for send in sends}
    files = []
    if connection is not None and sends:
        files = _with_findings(
            connection, query_rows(connection, QUERIES / "files.sql", None, list(by_inbox_name), None, None)
        )
    judged = {file.inbox_name: file for file in _with_sends(files, by_inbox_name)}
    return [judged[send.inbox_name] for send in sends]


def with_provisionals(connection, settings: Settings, accounts: Accounts, files: list[FileView]) -> list[FileView]:
    """Each sent file with the verdict it got at once (`portal.provisional`) and what became of it."""
    sent = {file.send.send_id: (file, file.send) for file in files if file.send is not None}
    for send_id, provisional in provisionals(accounts, list(sent)).items():
        file, send = sent[send_id]
        became = outcome(provisional, file.status, file.reasons, file.warnings)
        if became.state == REPLACED and connection is not None and file.submission_id is not None:
            became = explain(connection, settings, provisional, file.submission_id, send.sha256, became)
        file.provisional, file.outcome = provisional, became
    return files


def named(files: list[FileView], by_inbox_name: dict[str, Send]) -> list[FileView]:
    """Each file that came through the portal with its send, so it shows under the clerk's own name."""
    for file in files:
        file.send = _send_of(file, by_inbox_name) or file.send
    return files


def _send_of(file: FileView, by_inbox_name: dict[str, Send]) -> Send | None:
    """The send the file came in as: none for a file without an inbox name (no source path recorded)."""
    return by_inbox_name.get(file.inbox_name) if file.inbox_name is not None else None


def _with_sends(files: list[FileView], by_inbox_name: dict[str, Send]) -> list[FileView]:
    seen = set()
    for file in files:
        file.send = _send_of(file, by_inbox_name)
        seen.add(file.inbox_name)
    waiting = [
        FileView(None, send.client_file_name, send.inbox_name, None, None, send.unit_code, None, "pending", send=send)
        for name, send in by_inbox_name.items()
        if name not in seen
    ]
    return waiting + files


def rejected_files(connection) -> list[FileView]:
    return (
        []
        if connection is None
        else _with_findings(connection, query_rows(connection, QUERIES / "files.sql", None, [], "rejected", LATEST))
    )


def warnings(connection) -> list[dict]:
    return [] if connection is None else query_rows(connection, QUERIES / "warnings.sql", LATEST)


def unit_summary(connection, period: str | None) -> list[dict]:
    """Per unit, its expected reports in each completeness status, for a period (None: the whole plan)."""
    return [] if connection is None else query_rows(connection, QUERIES / "unit_summary.sql", period)


def chase(connection, statuses: list[str] | None, unit_code: str | None, period: str | None, today: date) -> list[dict]:
    """The expected reports in these statuses (of a unit, of a period), each with its days overdue
    (None once received) — what the province chases."""
    if connection is None:
        return []
    rows = query_rows(connection, QUERIES / "chase.sql", statuses, unit_code, period)
    for row in rows:
        row["days_overdue"] = None if row["status"] in DONE else (today - row["due_date"]).days
    return rows


def received(connection, period: str | None, limit: int = LATEST) -> list[FileView]:
    """Every file received, by any channel, of a period (None: every file), newest first."""
    return (
        []
        if connection is None
        else _with_findings(connection, query_rows(connection, QUERIES / "received.sql", period, limit))
    )
