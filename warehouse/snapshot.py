"""Publish the analysts' read-only snapshot: a copy of the warehouse swapped in atomically.

Readers that opened the old snapshot keep reading it (same inode); new readers see the
new one; nobody ever sees half a file, and nobody blocks the loader. Each publish is numbered and
kept in the warehouse first (warehouse.publications), so the snapshot holds its own publication.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from core.faults import fault_point
from warehouse import publications


def publish(warehouse: Path, snapshot: Path, *, cause: str = "publish", run_id: str | None = None) -> Path:
    """Record the publication (`cause`, `run_id`: see warehouse.publications.record), then copy the
    (closed, checkpointed) warehouse to `snapshot`, replacing it atomically.

    Call it under the writer lock: the warehouse must not change during the copy.
    """
    with publications.open_writer(warehouse) as connection:
        publications.record(connection, cause=cause, run_id=run_id)
        connection.execute("checkpoint")
    # A kill here leaves a number no snapshot carries yet: the next publish, finding the tables
    # unchanged, carries that number (or, if they changed, the next one).
    fault_point("publish.recorded")
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    for stale in snapshot.parent.glob(f".{snapshot.name}.*.partial"):  # left by a killed publisher
        stale.unlink(missing_ok=True)
    partial = snapshot.with_name(f".{snapshot.name}.{os.getpid()}.partial")
    with warehouse.open("rb") as source, partial.open("wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)
        fault_point("publish.copied")
        target.flush()
        os.fsync(target.fileno())
    os.chmod(partial, 0o444)
    os.replace(partial, snapshot)
    fault_point("publish.replaced")
    directory = os.open(snapshot.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return snapshot
