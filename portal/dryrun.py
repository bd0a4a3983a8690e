"""Dry runs judged together: the requests that arrive within a few milliseconds share one `judge` call.

A GX run costs about the same for one file as for hundreds (~0.2 s a suite), so at the deadline
minute a batch of concurrent dry runs is judged for the price of one. The verdicts are the
pipeline's own (`chiso.ingest.judge`, the same suites, the snapshot's history), nothing is written,
and each staged file is deleted once judged. One worker thread runs the batches: GX is not
shared between threads.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import logging
import queue
import threading
import time
from collections import deque
from pathlib import Path

from chiso.checker import history
from chiso.context import RunContext
from chiso.ingest import IngestRun, judge
from chiso.verdict import Verdict
from core.catalog import Catalog
from core.settings import Settings
from expectations.validate import load_suites
from portal.provisional import rules_digest
from transforms.sandbox import ReadingBudget, warm

log = logging.getLogger("portal")
_STOP = object()


@dataclasses.dataclass(frozen=True)
class _Request:
    path: Path
    sha256: str
    future: concurrent.futures.Future


class DryRuns:
    """Collects dry runs for `window` seconds after the first one arrives, then judges them in one call."""

    def __init__(self, settings: Settings, catalog: Catalog, window: float = 0.05, max_batch: int = 500):
        self.settings, self.catalog = settings, catalog
        self.window, self.max_batch = window, max_batch
        self._queue: queue.Queue = queue.Queue()
        self._worker = threading.Thread(target=self._serve, name="chiso-dry-runs", daemon=True)
        self.batches: deque[int] = deque(maxlen=1000)  # sizes of the latest batches, for the load test and bench
        # The catalog and suites this server judges with (read when it starts, as they are): kept with each send's
        # provisional verdict, to tell a verdict replaced because they changed since.
        self.rules_digest = rules_digest(settings)

    def start(self) -> None:
        """Load the GX suites and start the reader processes now (seconds), so that the first clerk does not wait."""
        load_suites()
        warm(ReadingBudget.of(self.settings))
        self._worker.start()

    def stop(self) -> None:
        self._queue.put(_STOP)
        self._worker.join(timeout=30)

    async def judged(self, path: Path, sha256: str) -> tuple[Verdict, int]:
        """The verdict the ingest would give this file now, and the last submission id of the snapshot it was
        judged against; the file is deleted afterwards."""
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._queue.put(_Request(path, sha256, future))
        return await asyncio.wrap_future(future)

    def _serve(self) -> None:
        while (first := self._queue.get()) is not _STOP:
            batch, stopping = [first], False
            deadline = time.monotonic() + self.window
            while len(batch) < self.max_batch and (left := deadline - time.monotonic()) > 0:
                try:
                    item = self._queue.get(timeout=left)
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
            self._judge(batch)
            if stopping:
                return

    def _judge(self, batch: list[_Request]) -> None:
        try:
            judged = self._judge_files(batch)
        except Exception:
            if len(batch) == 1:
                log.exception("a dry run failed")
                batch[0].future.set_exception(RuntimeError("dry run failed"))
                return
            # One file that breaks a whole batch must not fail its neighbours: judge each alone.
            for request in batch:
                self._judge([request])
            return
        finally:
            for request in batch:
                request.path.unlink(missing_ok=True)
        verdicts, history_through = judged
        for request in batch:
            request.future.set_result((verdicts[request.sha256], history_through))

    def _judge_files(self, batch: list[_Request]) -> tuple[dict[str, Verdict], int]:
        """One verdict per distinct content (two clerks' identical files are not each other's duplicates), and
        the last submission id of the history they were judged against."""
        distinct = list({request.sha256: request.path for request in batch}.items())
        with history(self.settings.snapshot) as connection:
            [(history_through,)] = connection.execute(
                "select coalesce(max(submission_id), 0) from submission_records"
            ).fetchall()
            judged = judge(
                connection,
                [path for _, path in distinct],
                RunContext(self.settings, self.catalog, self.catalog.today()),
                ReadingBudget.of(self.settings),
                1,
                IngestRun(run_id="dry-run"),
                sent_together=False,  # different clerks' files: none is the slot's history for another
            )
        self.batches.append(len(batch))
        return {sha256: verdict for (sha256, _), verdict in zip(distinct, judged.verdicts)}, history_through


def shown_as(verdict: Verdict, file_name: str) -> Verdict:
    """The verdict under the name the clerk gave the file (the staged copy's name means nothing to them)."""
    return dataclasses.replace(verdict, file_name=file_name, path=Path(file_name))
