"""Received files read in worker processes, each under a memory cap and a time limit.

Every byte a unit sends is untrusted, and a reader's cost is not bounded by the file's size: a
workbook of 20 MB can ask python-calamine for gigabytes (one long shared string in every cell), an
XML part for more. So the readers never run in the process that asked: a worker process reads the
file under `RLIMIT_AS` and returns the rows. A file that needs more memory, runs past its time or
kills its worker is refused at once under rule 1, never retried, and the worker is replaced; the
caller (the portal, the loader, the CLI) goes on. The workers are started once per process and
reused: a read costs a pipe round trip (~1 ms), not a Python start.

At most `processes` files are read at once in a process; a caller beyond that waits its turn
(first come, first served), so memory stays under `processes` x `memory_mb` whatever arrives.
"""

from __future__ import annotations

import atexit
import os
import pickle
import queue
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from zoneinfo import ZoneInfo

from core.settings import Settings
from core.text import readable_name
from transforms.read import file_sha256, read_submission, received_at
from transforms.submission import RawSubmission, Unreadable

# What a worker may send back: a real report's rows pickle to well under 1 MB.
MAX_RESULT_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ReadingBudget:
    """What reading one file may cost: its size, its reader's memory and time; and how many at once."""

    max_bytes: int
    memory_mb: int = 128
    seconds: int = 20
    processes: int = 2

    @classmethod
    def of(cls, settings: Settings) -> ReadingBudget:
        return cls(
            settings.max_file_bytes, settings.reader_memory_mb, settings.reader_seconds, settings.reader_processes
        )


def read_submissions(
    paths: Iterable[Path], budget: ReadingBudget, zone: ZoneInfo, on_read: Callable[[], None] = lambda: None
) -> Iterator[RawSubmission]:
    """The files read, in the order given, up to `budget.processes` at a time."""
    pool = _pool(budget)
    paths = list(paths)
    if len(paths) == 1:  # the portal's and `chiso validate`'s case: no thread needed
        yield pool.read(paths[0], zone)
        on_read()
        return
    with ThreadPoolExecutor(max_workers=budget.processes, thread_name_prefix="chiso-read") as threads:
        for submission in threads.map(lambda path: pool.read(path, zone), paths):
            on_read()
            yield submission


def read_one(path: Path, budget: ReadingBudget, zone: ZoneInfo) -> RawSubmission:
    return next(read_submissions([path], budget, zone))


def unread(path: Path, zone: ZoneInfo, error: Unreadable) -> RawSubmission:
    """A file whose reader gave up or died: what is known of it without reading it, and why."""
    submission = RawSubmission(
        path=path,
        file_name=readable_name(path.name),
        sha256=file_sha256(path),
        size_bytes=path.lstat().st_size,
        received_at=received_at(path, zone),
        file_format=path.suffix.lower().lstrip(".") or "none",
    )
    submission.read_error = error
    return submission


# ---------------------------------------------------------------- the workers


def _serve(connection: Connection, memory_mb: int) -> None:
    """A worker's life: read the files it is sent, one at a time, under its memory cap."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a ^C is its parent's to handle
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            path, max_bytes, zone_key = connection.recv()
        except EOFError:
            return
        try:
            submission = read_submission(Path(path), max_bytes, ZoneInfo(zone_key))
            answer = pickle.dumps(submission, protocol=pickle.HIGHEST_PROTOCOL)
            if len(answer) > MAX_RESULT_BYTES:
                answer = pickle.dumps(Unreadable("too_much_text", size=len(answer), limit=MAX_RESULT_BYTES))
        except MemoryError:
            answer = pickle.dumps(Unreadable("over_memory", limit_mb=memory_mb))
        connection.send_bytes(answer)


class _Worker:
    """One reader process: `python -m transforms.sandbox`, which imports the readers and nothing else
    (not the caller's main module, as multiprocessing's spawn would: an Airflow task's, a server's)."""

    def __init__(self, memory_mb: int):
        self.connection, child = Pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "transforms.sandbox", str(child.fileno()), str(memory_mb)],
            pass_fds=[child.fileno()],
            stdin=subprocess.DEVNULL,
        )
        child.close()

    def read(self, path: Path, budget: ReadingBudget, zone: ZoneInfo) -> RawSubmission | Unreadable:
        """The file read, or why not; raises `_Lost` when this worker can no longer be used."""
        self.connection.send((str(path), budget.max_bytes, zone.key))
        if not self.connection.poll(budget.seconds):
            raise _Lost(Unreadable("over_time", seconds=budget.seconds))
        try:
            return pickle.loads(self.connection.recv_bytes())
        except (EOFError, OSError):
            # Killed: a Rust reader that cannot allocate aborts its process, the kernel's OOM killer kills it.
            code = self.process.wait(timeout=5)
            memory = code in (-signal.SIGABRT, -signal.SIGKILL)
            raise _Lost(Unreadable("over_memory" if memory else "reader_crashed", limit_mb=budget.memory_mb)) from None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=5)
        self.connection.close()


class _Lost(Exception):
    def __init__(self, reason: Unreadable):
        self.reason = reason


class _Pool:
    """`processes` workers, started on first use, lent to one read at a time."""

    def __init__(self, budget: ReadingBudget):
        self.budget = budget
        self._idle: queue.SimpleQueue[_Worker | None] = queue.SimpleQueue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        for _ in range(budget.processes):
            self._idle.put(None)  # a worker yet to start

    def read(self, path: Path, zone: ZoneInfo) -> RawSubmission:
        worker = self._idle.get()  # FIFO: callers are served in the order they came
        try:
            if worker is None:
                worker = self._start()
            answer = worker.read(path, self.budget, zone)
        except _Lost as lost:
            self._retire(worker)
            worker = None
            return unread(path, zone, lost.reason)
        except BaseException:
            self._retire(worker)
            worker = None
            raise
        finally:
            self._idle.put(worker)
        if isinstance(answer, Unreadable):
            return unread(path, zone, answer)
        answer.path = path  # the worker's copy of the path: the caller's own object
        return answer

    def _start(self) -> _Worker:
        worker = _Worker(self.budget.memory_mb)
        with self._lock:
            self._all.append(worker)
        return worker

    def _retire(self, worker: _Worker | None) -> None:
        if worker is not None:
            worker.stop()
            with self._lock:
                self._all.remove(worker)

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.stop()


_pools: dict[ReadingBudget, _Pool] = {}
_pools_lock = threading.Lock()
_owner = os.getpid()


def _pool(budget: ReadingBudget) -> _Pool:
    """This process's pool for a budget (a forked child, a Celery worker, makes its own)."""
    global _owner
    with _pools_lock:
        if _owner != os.getpid():
            _pools.clear()  # the parent's workers answer the parent only
            _owner = os.getpid()
        if budget not in _pools:
            _pools[budget] = _Pool(budget)
        return _pools[budget]


def warm(budget: ReadingBudget) -> None:
    """Start the workers now (a server's start), so that the first file does not wait for them."""
    pool = _pool(budget)
    workers = [pool._idle.get() for _ in range(budget.processes)]
    for index, worker in enumerate(workers):
        workers[index] = worker or pool._start()
    for worker in workers:
        pool._idle.put(worker)


@atexit.register
def _close_pools() -> None:
    if _owner == os.getpid():
        for pool in _pools.values():
            pool.close()


if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1])), int(sys.argv[2]))
