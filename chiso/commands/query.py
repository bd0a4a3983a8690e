"""`chiso query`: SQL on a warehouse, read-only and unable to reach other files, held to a time, memory
and thread limit; at most --max-rows rows fetched and printed as a table.

It never opens the loader's own file (CHISO_WAREHOUSE): DuckDB would hold that file's lock for as long
as the query runs and stop the ingest. Analysts query the snapshot, which the loader replaces without
waiting for its readers.
"""

from __future__ import annotations

import os
import sys
import threading
from argparse import Namespace
from pathlib import Path

import duckdb

from chiso.commands import Failed, UserError
from core.settings import Settings, load_settings
from warehouse.db import connect_read_only


def run(args: Namespace) -> int:
    settings = load_settings()
    path = args.warehouse or settings.snapshot
    refuse_the_loaders_file(path, settings)
    connection = connect_read_only(
        path, sandboxed=True, memory_limit=settings.query_memory, threads=settings.query_threads
    )
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()
        connection.interrupt()

    timer = threading.Timer(settings.query_seconds, stop)
    timer.daemon = True
    timer.start()
    try:
        relation = connection.sql(args.sql)
        if relation is not None:
            # One row more than is printed: enough to tell the analyst the result was cut.
            rows = relation.limit(args.max_rows + 1).to_arrow_table()
            timer.cancel()
            connection.from_arrow(rows.slice(0, args.max_rows)).show(max_rows=args.max_rows, max_width=200)
            if rows.num_rows > args.max_rows:
                print(
                    f"chiso: only the first {args.max_rows} rows are shown; the result has more"
                    " (--max-rows N for more, or aggregate, or `chiso export` a view)",
                    file=sys.stderr,
                )
    except duckdb.InterruptException:
        if not stopped.is_set():
            raise KeyboardInterrupt from None
        raise Failed(
            f"the query ran past CHISO_QUERY_SECONDS ({settings.query_seconds} s) and was stopped: narrow it"
            " (a where clause, a smaller range, fewer joins), or raise CHISO_QUERY_SECONDS for a query that must"
            " run longer"
        ) from None
    except duckdb.OutOfMemoryException:
        raise Failed(
            f"the query needed more memory than CHISO_QUERY_MEMORY ({settings.query_memory}) and was stopped:"
            " narrow it (a where clause, fewer columns, an aggregate), or raise CHISO_QUERY_MEMORY if the machine"
            " has room beside the loader"
        ) from None
    except (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException) as error:
        error.add_note(f"file: {path}")  # damaged, or the disk: chiso.failures says which
        raise
    except duckdb.Error as error:
        if type(error) is duckdb.Error:  # DuckDB's bare Error: a damaged file ("Corrupt database file")
            error.add_note(f"file: {path}")
            raise
        if "read-only" in str(error) or "disabled" in str(error) or "configuration has been locked" in str(error):
            raise UserError(
                "the analysts' warehouse is read-only and cannot reach other files nor change its limits;"
                f" this statement would ({error})"
            ) from None
        raise UserError(str(error)) from None
    finally:
        timer.cancel()
        connection.close()
    return 0


def refuse_the_loaders_file(path: Path, settings: Settings) -> None:
    """A query on the loader's live file would hold its lock and stop the ingest: refused."""
    loader = settings.warehouse
    same = path.resolve() == loader.resolve()
    if not same and path.exists() and loader.exists():
        same = os.path.samefile(path, loader)
    if same:
        raise UserError(
            f"{path} is the loader's live warehouse (CHISO_WAREHOUSE): a query on it would hold its lock and stop"
            f" the ingest for as long as it runs; query the analysts' snapshot instead (leave out --warehouse:"
            f" {settings.snapshot}), or a copy of the file"
        )
