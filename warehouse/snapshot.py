"""Publish the analysts' read-only snapshot: a copy of the warehouse swapped in atomically.

Readers that opened the old snapshot keep reading it (same inode); new readers see the
new one; nobody ever sees half a file, and nobody blocks the loader.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from core.faults import fault_point


def publish(warehouse: Path, snapshot: Path) -> Path:
    """Copy the (closed, checkpointed) warehouse to `snapshot`, replacing it atomically.

    Call it under the writer lock: the warehouse must not change during the copy.
    """
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
