"""Make the warehouse again from the files: the archive, the quarantine and the receipts beside them.

Every file received is stored (archive: accepted, superseded, duplicate; quarantine: rejected) with
its receipt (chiso.receipts): its submission id, name, receipt time, run, the day it was judged as
of, its sender. A rebuild reads them in submission order, cuts them into the chunks they were loaded
in (one run's files judged together share their `ingested_at`), and loads each chunk through the
same judge and loader as the inbox did, as of the same day, under the same ids and receipt times:
the same submissions, verdicts, findings, values, supersessions and history.

What no file holds comes from a backup of the warehouse (its snapshot will do): the approval log
(applied between the chunks in time order, since an accepted slot refuses later files) and the
notice ledger (so that a rebuilt warehouse tells nobody again what they were told), and the numbered
publications (what analysts were shown, and when). Each file's
receipt names the last action of the log when it was judged: the log's actions up to it are applied
before its chunk. Without a backup the approval log starts empty and every rebuilt run counts as told
(docs/reliability.md).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from chiso.context import RunContext
from chiso.ingest import IngestRun, ingest_files
from chiso.receipts import RECEIPT_SUFFIX, Receipt, read_receipt, receipt_path
from chiso.verdict import Verdict
from core.catalog import Catalog
from core.settings import Settings
from warehouse.db import connect, transaction
from warehouse.dimensions import load_catalog
from warehouse.load import refresh_rollup

# What chiso writes beside a stored file, and leftovers of its atomic writes: not received files.
_NOT_RECEIVED = (".reasons.txt", RECEIPT_SUFFIX, ".partial")


# What no file holds, copied from a backup as it was (docs/reliability.md): the notice ledger and its
# kinds, the publications (migration 011); the approval log is applied between the chunks.
NOTICE_LEDGER = ("message_kinds", "notice_kinds", "runs_before_notices", "notices")
PUBLICATIONS = ("publications", "publication_changes", "publication_tables")


class RebuildRefused(ValueError):
    """The files cannot make a faithful warehouse (a file without its receipt, two files under one id…),
    or the target is taken; the message says which and what to do."""


@dataclass(frozen=True)
class StoredFile:
    path: Path
    receipt: Receipt


@dataclass
class Rebuilt:
    """What a rebuild did."""

    into: Path
    files: int = 0
    chunks: int = 0
    approvals: int = 0
    notices: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def stored_files(settings: Settings) -> list[StoredFile]:
    """Every received file of the archive and the quarantine with its receipt, in submission order."""
    found, missing = [], []
    for root in (settings.archive, settings.quarantine):
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if not path.is_file() or path.name.endswith(_NOT_RECEIVED) or relative.parts[0].startswith("."):
                continue
            receipt = receipt_path(path)
            if not receipt.is_file():
                missing.append(path)
                continue
            try:
                found.append(StoredFile(path, read_receipt(receipt)))
            except ValueError as error:
                raise RebuildRefused(str(error)) from None
    if missing:
        shown = ", ".join(str(p) for p in missing[:3]) + (" …" if len(missing) > 3 else "")
        raise RebuildRefused(
            f"{len(missing)} stored files have no receipt ({shown}): stored before receipts were written,"
            " or their receipt was lost; restore the receipts from the backup (docs/deployment.md)"
        )
    found.sort(key=lambda stored: stored.receipt.submission_id)
    ids = [stored.receipt.submission_id for stored in found]
    twice = sorted({i for i, j in itertools.pairwise(ids) if i == j})
    if twice:
        raise RebuildRefused(f"two stored files claim the same submission id: {twice[:5]}")
    return found


def chunks_of(files: list[StoredFile]) -> list[list[StoredFile]]:
    """The chunks the files were loaded in: consecutive ids judged together (same run, same `ingested_at`)."""
    chunks: list[list[StoredFile]] = []
    for stored in files:
        key = (stored.receipt.run_id, stored.receipt.ingested_at)
        if chunks and (chunks[-1][-1].receipt.run_id, chunks[-1][-1].receipt.ingested_at) == key:
            chunks[-1].append(stored)
        else:
            chunks.append([stored])
    return chunks


def rebuild(
    settings: Settings,
    into: Path,
    *,
    ledgers_from: Path | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> Rebuilt:
    """Make a new warehouse at `into` from the stored files (and the ledgers of the backup `ledgers_from`).

    Written beside as `<into>.partial` and renamed when whole; never touches the live warehouse.
    """
    into = into.absolute()
    if into.exists():
        raise RebuildRefused(f"{into} exists: a rebuild writes a new file only; give another path or move it away")
    if into.resolve() in {settings.warehouse.resolve(), settings.snapshot.resolve()}:
        raise RebuildRefused(f"{into} is the live warehouse or its snapshot: rebuild into a new file")
    files = stored_files(settings)
    chunks = chunks_of(files)
    say(f"{len(files)} stored files in {len(chunks)} chunks ({settings.archive}, {settings.quarantine})")
    partial = into.with_name(into.name + ".partial")
    for leftover in (partial, partial.with_name(partial.name + ".wal")):
        leftover.unlink(missing_ok=True)  # a rebuild cut short: ours, and never a warehouse in use
    catalog = Catalog(settings.catalog_dir)
    result = Rebuilt(into, files=len(files), chunks=len(chunks))
    connection = connect(partial)
    try:
        load_catalog(connection, catalog)
        approvals = _ApprovalLog(connection, ledgers_from)
        for number, chunk in enumerate(chunks, 1):
            first = chunk[0].receipt
            # The approvals the chunk was judged after decide its verdicts (an accepted slot refuses files).
            approvals.apply_through(first.judged_after_action or 0)
            as_of = first.judged_as_of or first.ingested_at.date()
            context = RunContext(replace(settings, warehouse=partial, chunk_size=len(chunk)), catalog, as_of)
            stored_at: dict[int, Path | None] = {stored.receipt.submission_id: stored.path for stored in chunk}
            run = IngestRun(run_id=first.run_id)
            ingest_files(
                connection,
                [stored.path for stored in chunk],
                context,
                run,
                plan_destination=already_stored(stored_at),
                receipts={stored.path: stored.receipt for stored in chunk},
            )
            connection.execute(
                "update submission_records set moved = true where submission_id in (select unnest(?::integer[]))",
                [list(stored_at)],
            )
            say(f"chunk {number}/{len(chunks)}: {len(chunk)} files of run {first.run_id} as of {as_of}")
        approvals.apply_through(None)
        result.approvals = len(approvals.ids)
        result.notices = _notice_ledger(connection, ledgers_from)
        # Each file's status now (a file accepted in its chunk may have been superseded by a later one).
        statuses = "select status, count(*) from submission_records group by status order by status"
        result.counts = dict(connection.execute(statuses).fetchall())
        refresh_rollup(connection)
        connection.execute("checkpoint")
    finally:
        connection.close()
    os.replace(partial, into)
    say(f"rebuilt {into}: {result.files} files, {result.approvals} approval actions, {result.notices} notices")
    return result


def already_stored(stored_at: dict[int, Path | None]) -> Callable[[Verdict], Path | None]:
    """Where each file of the chunk lies already: its destination, so nothing moves."""
    return lambda verdict: stored_at[verdict.submission_id]


def _columns(connection: duckdb.DuckDBPyConnection, backup: Path | None, table: str) -> str:
    """The columns of `table` both this warehouse and the backup have ("" without a backup or the table)."""
    if backup is None:
        return ""
    _attach(connection, backup)
    rows = connection.execute(
        "select ours.column_name from information_schema.columns as ours"
        " inner join information_schema.columns as theirs"
        " on theirs.table_catalog = 'backup' and theirs.table_name = ours.table_name"
        " and theirs.column_name = ours.column_name"
        " where ours.table_catalog = current_database() and ours.table_name = ? order by ours.ordinal_position",
        [table],
    ).fetchall()
    return ", ".join(f'"{row[0]}"' for row in rows)


def _attach(connection: duckdb.DuckDBPyConnection, backup: Path) -> None:
    attached = {row[0] for row in connection.execute("select database_name from duckdb_databases()").fetchall()}
    if "backup" not in attached:
        if not backup.is_file():
            raise RebuildRefused(f"no backup at {backup}: give a copy of the warehouse or its snapshot")
        connection.execute("attach ? as backup (read_only)", [str(backup)])


class _ApprovalLog:
    """The backup's approval log, appended to the new warehouse as it was (ids too), up to an action."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, backup: Path | None):
        self.connection, self.columns = connection, _columns(connection, backup, "approval_log")
        self.ids = [
            row[0]
            for row in (
                connection.execute("select action_id from backup.main.approval_log order by action_id").fetchall()
                if self.columns
                else []
            )
        ]
        self.applied = 0  # the last action id copied (and the sequence's last value)

    def apply_through(self, last: int | None) -> None:
        """Copy the actions after those applied, through `last` (None: all), and move the sequence up to it."""
        if not self.ids:
            return
        last = self.ids[-1] if last is None else min(last, self.ids[-1])
        if last <= self.applied:
            return
        with transaction(self.connection):
            self.connection.execute(
                f"insert into approval_log ({self.columns}) select {self.columns} from backup.main.approval_log"
                " where action_id > ? and action_id <= ? order by action_id",
                [self.applied, last],
            )
            # The next action of the new warehouse takes the id after the last copied, as the original's would.
            self.connection.execute("select max(nextval('approval_log_ids')) from range(?)", [last - self.applied])
        self.applied = last


def _notice_ledger(connection: duckdb.DuckDBPyConnection, backup: Path | None) -> int:
    """The backup's notice ledger and publications; without a backup, every rebuilt run counts as told
    (never told twice) and nothing was published yet."""
    with transaction(connection):
        if backup is None:
            connection.execute(
                "insert into runs_before_notices select distinct run_id from submission_records order by run_id"
            )
            return 0
        # The ledger's kinds first (filled by the notices when they first ran): its rows reference them.
        for table in (*NOTICE_LEDGER, *PUBLICATIONS):
            columns = _columns(connection, backup, table)
            if columns:
                connection.execute(
                    f"insert into {table} ({columns}) select {columns} from backup.main.{table}"
                    f" except all select {columns} from {table}"
                )
        return connection.execute("select count(*) from notices").fetchall()[0][0]
