"""SQL typed by an analyst, run on a warehouse file in the sandbox: the one way `chiso query` and the
portal's SQL desk (its page and `POST /api/v1/query`) run it.

The file is opened read-only and sandboxed (`warehouse.db.connect_read_only(sandboxed=True)`: no other
file is reachable — no `read_csv`, `attach`, `copy … to`, extension — and the limits are locked, so `set`
is refused), held to a memory and thread limit, stopped by an interrupt past a time limit, and at most
`rows + 1` rows are fetched: the rows kept, and one to tell that the result was cut. What goes wrong is
one of two exceptions whose `kind` the caller turns into its own words: `QueryStopped` (a limit reached)
or `QueryRefused` (the SQL: a statement the sandbox forbids, or DuckDB's own error). A damaged file or the
disk (DuckDB's IO, serialisation, internal errors) is raised as DuckDB raised it, with the file named.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse.db import connect_read_only

# DuckDB's words when the sandbox refuses a statement (a write, a file, an extension, a `set`).
_SANDBOX_WORDS = ("read-only", "disabled", "configuration has been locked")


@dataclass(frozen=True)
class Limits:
    seconds: float  # stopped past this
    memory: str  # DuckDB's memory_limit, e.g. `2GB`; nothing spills to disk
    threads: int
    rows: int  # rows kept at most (one more is fetched to tell the result was cut)


@dataclass(frozen=True)
class Answer:
    table: Any  # a pyarrow.Table (pyarrow has no type stubs) of at most `Limits.rows` rows
    truncated: bool  # the result had more rows than kept

    @property
    def columns(self) -> list[str]:
        return list(self.table.column_names)


class QueryStopped(RuntimeError):
    """A limit stopped the query: `kind` is `seconds` or `memory`."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


class QueryRefused(ValueError):
    """The SQL cannot run: `kind` is `sandbox` (a statement the sandbox forbids) or `sql` (DuckDB's error,
    in `detail`: a typo, an unknown view or column)."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind, self.detail = kind, detail


def run_query(path: Path, sql: str, limits: Limits) -> Answer | None:
    """Run `sql` on the warehouse file `path` in the sandbox; None for a statement without a result."""
    connection = connect_read_only(path, sandboxed=True, memory_limit=limits.memory, threads=limits.threads)
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()
        connection.interrupt()

    timer = threading.Timer(limits.seconds, stop)
    timer.daemon = True
    timer.start()
    try:
        relation = connection.sql(sql)
        if relation is None:
            return None
        rows = relation.limit(limits.rows + 1).to_arrow_table()
        return Answer(rows.slice(0, limits.rows), rows.num_rows > limits.rows)
    except duckdb.InterruptException:
        if not stopped.is_set():  # Ctrl-C on the command line: DuckDB turned it into its own exception
            raise KeyboardInterrupt from None
        raise QueryStopped("seconds") from None
    except duckdb.OutOfMemoryException:
        raise QueryStopped("memory") from None
    except (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException) as error:
        error.add_note(f"file: {path}")  # damaged, or the disk: chiso.failures says which
        raise
    except duckdb.Error as error:
        if type(error) is duckdb.Error:  # DuckDB's bare Error: a damaged file ("Corrupt database file")
            error.add_note(f"file: {path}")
            raise
        if any(words in str(error) for words in _SANDBOX_WORDS):
            raise QueryRefused("sandbox", str(error)) from None
        raise QueryRefused("sql", str(error)) from None
    finally:
        timer.cancel()
        connection.close()
