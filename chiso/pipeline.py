"""The whole ingest run, shared by the CLI and the Airflow DAGs.

Inbox mode moves each file after its chunk commits: the destination is recorded in the
same transaction as the verdict, so a crash between commit and move is finished by the
next run (`recover_moves`) instead of the file coming back as a duplicate.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from chiso import arrivals
from chiso.context import RunContext
from chiso.ingest import IngestRun, chunked, discover, ingest_files, new_run_id
from chiso.receipts import Receipt, forget_sender, read_receipt, read_sender, receipt_path, write_receipt
from chiso.verdict import Verdict, verdict_text
from core.faults import fault_point
from core.settings import Settings
from core.text import readable_name
from expectations.findings import Finding
from warehouse.db import connect
from warehouse.dimensions import load_catalog
from warehouse.load import findings_of, refresh_rollup
from warehouse.lock import writer_lock
from warehouse.snapshot import publish

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")
# File systems allow 255 bytes a name; leave room for "<id>_" and ".reasons.txt.partial".
_MAX_NAME_BYTES = 200


@dataclass(frozen=True)
class Destinations:
    archive: Path
    quarantine: Path

    def plan(self, verdict: Verdict) -> Path:
        """`<archive|quarantine>/<received month>/<submission id>_<file name>`: never overwrites."""
        root = self.quarantine if verdict.status == "rejected" else self.archive
        return root / f"{verdict.received_at:%Y-%m}" / f"{verdict.submission_id:07d}_{_stored_name(verdict.file_name)}"


def _stored_name(file_name: str) -> str:
    """The file's name made safe and short enough in bytes (Vietnamese letters take 2-3 each)."""
    name = _UNSAFE.sub("_", file_name)
    if len(name.encode()) <= _MAX_NAME_BYTES:
        return name
    suffix = Path(name).suffix[:16]
    return name.encode()[: _MAX_NAME_BYTES - len(suffix.encode())].decode(errors="ignore") + suffix


def ingest_paths(
    paths: list[Path],
    context: RunContext,
    *,
    destinations: Destinations | None = None,
    publish_snapshot: bool = False,
    on_file_read: Callable[[], None] = lambda: None,
    on_files_found: Callable[[int], None] = lambda n: None,
    store_rollup: bool = True,
) -> IngestRun:
    """Ingest files (or folders) into the warehouse; optionally move them and publish the snapshot.

    `store_rollup=False` leaves the stored roll-up to a later publish (the DAG's chunk tasks).
    """
    settings = context.settings
    run = IngestRun(run_id=new_run_id())
    with writer_lock(settings.warehouse):
        connection = connect(settings.warehouse)
        try:
            load_catalog(connection, context.catalog)
            if destinations:
                recover_moves(connection)
                # Listed before the lock was ours: another run may have taken some since.
                paths = [p for p in paths if p.exists()]
            files = discover(paths)
            if destinations:
                files = [_with_readable_name(p) for p in files]
            on_files_found(len(files))
            plan = destinations.plan if destinations else lambda verdict: None
            ingest_files(connection, files, context, run, plan_destination=plan, on_file_read=on_file_read)
            if destinations:
                started = time.perf_counter()
                recover_moves(connection)
                run.add_time("move", started)
            if store_rollup or publish_snapshot:
                started = time.perf_counter()
                refresh_rollup(connection)
                run.add_time("rollup", started)
            connection.execute("checkpoint")
            fault_point("ingest.checkpointed")
        finally:
            connection.close()
        if publish_snapshot:
            started = time.perf_counter()
            publish(settings.warehouse, settings.snapshot, cause="ingest", run_id=run.run_id)
            run.add_time("publish", started)
    return run


def recover_moves(connection) -> int:
    """Move every file whose verdict is committed but which is not in its destination yet: its receipt
    (and a rejected file's reasons) first, then the file, then the inbox's marker and send record."""
    pending = connection.execute(
        "select submission_id, source_path, stored_path, status, file_name, sha256, received_at, ingested_at,"
        " run_id, judged_as_of, judged_after_action, sent_by "
        "from submission_records where not moved and stored_path is not null order by submission_id"
    ).fetchall()
    rejected = findings_of(connection, [row[0] for row in pending if row[3] == "rejected"])
    done = []
    for submission_id, source_text, stored_text, status, file_name, *row in pending:
        source, stored = Path(source_text), Path(stored_text)
        write_receipt(stored, _receipt(submission_id, file_name, source_text, stored, *row))
        fault_point("move.receipt_written")
        if status == "rejected":
            write_reasons_file(stored, file_name, rejected.get(submission_id, []))
            fault_point("move.reasons_written")
        if source.exists():
            stored.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, stored)
            fault_point("move.file")
        arrivals.forget(source.parent, [source.name])
        forget_sender(source)
        done.append(submission_id)
    if done:
        connection.execute(
            "update submission_records set moved = true where submission_id in (select unnest(?::integer[]))", [done]
        )
    return len(done)


def _receipt(
    submission_id, file_name, source: str, stored: Path, sha256, received_at, ingested_at, run_id, *judged
) -> Receipt:
    """The stored file's receipt from its row; the portal's send record from the inbox while it is there
    (from the receipt already written, when a crash came after the record was dropped)."""
    sent = read_sender(Path(source), sha256)
    if not sent and receipt_path(stored).exists():
        try:
            sent = read_receipt(receipt_path(stored)).sent
        except ValueError:
            sent = {}
    as_of, after_action, sent_by = judged
    return Receipt(
        submission_id, file_name, source, sha256, received_at, ingested_at, run_id, as_of, after_action, sent_by, sent
    )


def write_reasons_file(stored: Path, file_name: str, reasons: list[Finding]) -> None:
    """The bilingual verdict kept beside a quarantined file, for the clerk and the engineer."""
    target = stored.with_name(stored.name + ".reasons.txt")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(verdict_text(file_name, "rejected", reasons, []), encoding="utf-8")
    os.replace(partial, target)


def inbox_destinations(settings: Settings) -> Destinations:
    return Destinations(settings.archive, settings.quarantine)


def inbox_files(settings: Settings) -> list[Path]:
    """The inbox's files that have arrived whole (chiso.arrivals), in processing order.

    A file modified in the last CHISO_SETTLE_SECONDS may still be arriving (a copy over the
    network): it waits for the next run rather than being judged half-written, unless the
    portal announced it.
    """
    settings.inbox.mkdir(parents=True, exist_ok=True)
    settled_before, marked = time.time() - settings.settle_seconds, arrivals.announced(settings.inbox)
    files = discover([settings.inbox])
    arrivals.forget(settings.inbox, sorted(marked - {p.name for p in files}))  # announced, then taken away
    return [
        _with_readable_name(path)
        for path in files
        if arrivals.has_arrived(str(path.relative_to(settings.inbox)), path.stat().st_mtime, settled_before, marked)
    ]


def _with_readable_name(path: Path) -> Path:
    """Rename an inbox file whose name is not UTF-8, so that its path can be stored and moved."""
    name = readable_name(path.name)
    if name == path.name:
        return path
    target, number = path.with_name(name), 1
    while target.exists():
        number += 1
        target = path.with_name(f"{Path(name).stem} ({number}){Path(name).suffix}")
    path.rename(target)
    return target


def inbox_chunks(settings: Settings) -> list[list[str]]:
    """The inbox's settled files cut into chunks (one mapped Airflow task each)."""
    return list(chunked([str(p) for p in inbox_files(settings)], settings.chunk_size))


def ingest_inbox_chunk(paths: list[str], settings: Settings, as_of: date | None = None) -> dict:
    """Ingest one chunk of inbox files and move them; safe to retry after a crash at any point.

    Files already gone from the inbox were handled by an earlier try (their moves are finished
    by `recover_moves` first) and are skipped, so nothing is loaded twice. A chunk retried
    after a failure runs after the chunks that follow it, so each chunk first takes the files
    of earlier chunks still waiting: files are judged in order of receipt whatever order the
    chunks run in (which copy of a file sent twice is the duplicate, which report supersedes which).
    """
    own = [Path(p) for p in paths]
    files = earlier_leftovers(own, settings) + own
    # The publish task that follows the chunks stores the roll-up once for all of them.
    context = RunContext.of(settings, as_of=as_of)
    run = ingest_paths(files, context, destinations=inbox_destinations(settings), store_rollup=False)
    return {
        "files": len(run.verdicts),
        "from_earlier_chunks": len(files) - len(own),
        "counts": run.counts(),
        "rows": run.rows,
        "seconds": run.seconds,
    }


def earlier_leftovers(chunk: list[Path], settings: Settings) -> list[Path]:
    """Inbox files of other chunks that sort before this chunk's last file (receipt time, then path)."""

    def receipt(path: Path) -> tuple[int, str] | None:
        try:
            return path.lstat().st_mtime_ns, str(path)
        except FileNotFoundError:  # loaded and moved already
            return None

    waiting = [key for key in map(receipt, chunk) if key]
    if not waiting:
        return []
    last, own = max(waiting), set(chunk)
    return [path for path in inbox_files(settings) if path not in own and (receipt(path) or last) < last]


def publish_snapshot(settings: Settings, *, cause: str = "publish", run_id: str | None = None) -> str:
    """Publish the analysts' snapshot under the writer lock (the warehouse must not change mid-copy);
    `cause` and `run_id` (the DAG run, the approval requests) are kept with its publication."""
    with writer_lock(settings.warehouse):
        # Opening replays the log a killed loader may have left: the copy must hold every commit.
        with connect(settings.warehouse) as connection:
            refresh_rollup(connection)
            connection.execute("checkpoint")
        return str(publish(settings.warehouse, settings.snapshot, cause=cause, run_id=run_id))
