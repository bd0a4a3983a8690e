"""The inbox watcher: an Airflow event trigger that fires when new report files have settled.

Used by `dags/chiso_ingest.py` as the AssetWatcher of the `chiso_inbox` Asset, so that a
file landing in the inbox starts an ingest run within seconds instead of at the next cron
tick. It runs in the `airflow triggerer` process, which imports it by its class path
(`chiso.airflow_glue.triggers.InboxTrigger`): that is why it lives in the installed `chiso` package and
not in `dags/` (Airflow 3's triggerer does not put the DAG bundle on `sys.path`).

It never touches the files (unlike the standard provider's `FileDeleteTrigger`, which
deletes what it sees) and needs nothing from chiso but the standard library, so it stays
cheap to import in the triggerer.

One event per burst, not one per file:

* a file counts once it has arrived whole (chiso.arrivals: announced by the portal, or
  unchanged for `settle_seconds`), the rule `chiso.pipeline.inbox_files` applies too, so the
  run it starts will really list it;
* the trigger fires only after a poll that saw no new name appear (the burst of copies is
  over), or once the oldest waiting file has waited `max_wait_seconds` (a steady trickle
  still gets ingested);
* each file fires at most once per (name, size, mtime); files that leave the inbox are
  forgotten, so a file sent again under the same name fires again.

The DAG has `max_active_runs=1`: events that arrive while a run is active are kept by the
scheduler (one queued entry per asset and DAG) and start exactly one follow-up run when the
active run ends, which ingests whatever arrived meanwhile. After a triggerer restart the
watcher fires once for files already waiting: an extra run on an inbox that has files is
harmless (a run on an empty inbox does nothing).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from chiso import arrivals

CLASSPATH = "chiso.airflow_glue.triggers.InboxTrigger"


def scan(directory: str, settle_before: float) -> tuple[dict[str, tuple[int, int]], set[str]]:
    """(arrived files: relative path -> (size, mtime_ns), names of every visible file) under `directory`.

    Hidden files and folders (a leading '.') are ignored, as `chiso.ingest.discover` does, so a
    partial upload named `.name.part` never fires; the portal's approval requests waiting in the hidden
    `.approvals/waiting/` fire at once (chiso.arrivals), so that a click reaches the writer in seconds.
    """
    settled: dict[str, tuple[int, int]] = {}
    names: set[str] = set()
    marked = arrivals.announced(directory)
    try:
        for root, dirs, files in os.walk(directory):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if name.startswith("."):
                    continue
                path = os.path.join(root, name)
                try:
                    stat = os.lstat(path)
                except FileNotFoundError:  # moved away by a run between listing and stat
                    continue
                relative = os.path.relpath(path, directory)
                names.add(relative)
                if arrivals.has_arrived(relative, stat.st_mtime, settle_before, marked):
                    settled[relative] = (stat.st_size, stat.st_mtime_ns)
    except FileNotFoundError:
        pass
    for request in arrivals.waiting_requests(directory):  # an approval request is whole when it appears
        try:
            stat = os.lstat(request)
        except FileNotFoundError:  # taken by a run between listing and stat
            continue
        relative = os.path.relpath(request, directory)
        names.add(relative)
        settled[relative] = (stat.st_size, stat.st_mtime_ns)
    return settled, names


class InboxTrigger(BaseEventTrigger):
    """Fire one event each time settled, not yet signalled files wait in `directory`."""

    def __init__(
        self,
        directory: str,
        settle_seconds: float = 30,
        poll_interval: float = 1.0,
        max_wait_seconds: float = 60.0,
    ) -> None:
        super().__init__()
        self.directory = str(directory)
        self.settle_seconds = float(settle_seconds)
        self.poll_interval = float(poll_interval)
        self.max_wait_seconds = float(max_wait_seconds)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            CLASSPATH,
            {
                "directory": self.directory,
                "settle_seconds": self.settle_seconds,
                "poll_interval": self.poll_interval,
                "max_wait_seconds": self.max_wait_seconds,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        signalled: dict[str, tuple[int, int]] = {}
        previous_names: set[str] | None = None
        waiting_since: float | None = None
        while True:
            settled, names = await asyncio.to_thread(scan, self.directory, time.time() - self.settle_seconds)
            # Forget files that left the inbox (or changed): sent again, they fire again.
            signalled = {name: key for name, key in signalled.items() if settled.get(name) == key}
            new = {name: key for name, key in settled.items() if name not in signalled}
            if not new:
                waiting_since = None
            else:
                now = time.monotonic()
                waiting_since = waiting_since or now
                burst_over = previous_names is not None and names <= previous_names
                if burst_over or now - waiting_since >= self.max_wait_seconds:
                    signalled.update(new)
                    waiting_since = None
                    self.log.info("%d new settled file(s) in %s", len(new), self.directory)
                    yield TriggerEvent({"directory": self.directory, "new_files": len(new), "files": len(settled)})
            previous_names = names
            await asyncio.sleep(self.poll_interval)
