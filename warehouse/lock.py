"""One writer at a time: an exclusive lock file beside the warehouse.

Airflow's one-slot pool serialises the DAG's writers; this lock also covers the CLI and
several workers sharing a volume. The kernel drops the lock when its holder dies, so a
killed loader never leaves it stale.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class WarehouseBusy(RuntimeError):
    pass


@contextmanager
def writer_lock(warehouse: Path, timeout: float = 600.0) -> Iterator[None]:
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    with lock_path.open("a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    handle.seek(0)
                    raise WarehouseBusy(
                        f"another ingest (pid {handle.read().strip() or '?'}) still holds {lock_path} after "
                        f"{timeout:.0f} s; wait for it to finish, or check that process"
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
