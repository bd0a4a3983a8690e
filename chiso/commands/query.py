"""`chiso query`: SQL on a warehouse, read-only and unable to reach other files, held to a time, memory
and thread limit; at most --max-rows rows fetched and printed as a table.

The sandbox, the limits and the errors are `chiso.sandboxed_query`'s, shared with the portal's SQL desk.

It never opens the loader's own file (CHISO_WAREHOUSE): DuckDB would hold that file's lock for as long
as the query runs and stop the ingest. Analysts query the snapshot, which the loader replaces without
waiting for its readers.
"""

from __future__ import annotations

import os
import sys
from argparse import Namespace
from pathlib import Path

import duckdb

from chiso.commands import Failed, UserError
from chiso.sandboxed_query import Limits, QueryRefused, QueryStopped, run_query
from core.settings import Settings, load_settings


def run(args: Namespace) -> int:
    settings = load_settings()
    path = args.warehouse or settings.snapshot
    refuse_the_loaders_file(path, settings)
    limits = Limits(settings.query_seconds, settings.query_memory, settings.query_threads, args.max_rows)
    try:
        answer = run_query(path, args.sql, limits)
    except QueryStopped as stopped:
        if stopped.kind == "seconds":
            raise Failed(
                f"the query ran past CHISO_QUERY_SECONDS ({settings.query_seconds} s) and was stopped: narrow it"
                " (a where clause, a smaller range, fewer joins), or raise CHISO_QUERY_SECONDS for a query that"
                " must run longer"
            ) from None
        raise Failed(
            f"the query needed more memory than CHISO_QUERY_MEMORY ({settings.query_memory}) and was stopped:"
            " narrow it (a where clause, fewer columns, an aggregate), or raise CHISO_QUERY_MEMORY if the machine"
            " has room beside the loader"
        ) from None
    except QueryRefused as refused:
        if refused.kind == "sandbox":
            raise UserError(
                "the analysts' warehouse is read-only and cannot reach other files nor change its limits;"
                f" this statement would ({refused.detail})"
            ) from None
        raise UserError(refused.detail) from None
    if answer is not None:
        with duckdb.connect() as printer:  # DuckDB's own table printing, on the rows kept
            printer.from_arrow(answer.table).show(max_rows=args.max_rows, max_width=200)
        if answer.truncated:
            print(
                f"chiso: only the first {args.max_rows} rows are shown; the result has more"
                " (--max-rows N for more, or aggregate, or `chiso export` a view)",
                file=sys.stderr,
            )
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
