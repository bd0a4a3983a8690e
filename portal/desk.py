"""The analysts' SQL desk (the province's only): SQL on the published snapshot, its answers paged and downloaded,
the queries the province saved, and the snapshot file itself.

A query runs as `chiso query` runs it (`chiso.sandboxed_query.run_query`: read-only, no other file reachable,
no `set`), held to CHISO_DESK_SECONDS, CHISO_QUERY_MEMORY and CHISO_QUERY_THREADS; at most CHISO_DESK_ROWS rows
are kept, shown a page at a time and downloaded (CSV and XLSX formula-safe, by `chiso.export`'s writers;
Parquet verbatim). At most CHISO_DESK_QUERIES_AT_ONCE queries run at once in a portal process; one more waits
a moment for its turn, then is answered 503. The saved queries live in the portal's own SQLite file (the
accounts file), never in the warehouse; the analyst guide's questions are seeded once (`desk_seeds.toml`).
"""

from __future__ import annotations

import base64
import io
import math
import os
import tempfile
import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from chiso.export import EXCEL_MAX_ROWS, csv_text, write_sheet
from chiso.sandboxed_query import Answer, Limits, QueryRefused, QueryStopped, run_query
from core.settings import Settings
from core.vocabulary import Text
from portal.accounts import Accounts, now_text
from portal.errors import PortalError

SEEDS = Path(__file__).resolve().parent / "desk_seeds.toml"
DOWNLOADS = ("csv", "xlsx", "parquet")
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}
PAGE_SIZE = 100  # rows of a page unless asked
MAX_PAGE_SIZE = 1_000
MAX_SQL_CHARS = 20_000
MAX_TITLE_CHARS = 200
SNAPSHOT_NAME = "chiso-snapshot.duckdb"  # the downloaded snapshot's file name
WAIT_SECONDS = 2.0
# The most an answer's kept rows may weigh (Arrow's bytes): its JSON, CSV or workbook is several times that.
MAX_ANSWER_BYTES = 64 * 1024 * 1024  # a query past the desk's slots waits this long for one, then is answered 503


@dataclass(frozen=True)
class Saved:
    query_id: int
    title: Text
    sql: str
    seed: str | None
    created_by: str | None  # the e-mail of the account that saved it (None: seeded from the analyst guide)
    created_at: str


@dataclass(frozen=True)
class Page:
    """One page of a query's answer (rows of at most CHISO_DESK_ROWS kept)."""

    columns: list[str]
    rows: list[tuple]
    page: int
    page_size: int
    kept: int  # rows kept of the answer
    truncated: bool  # the answer had more than CHISO_DESK_ROWS rows: those past it are not kept

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.kept / self.page_size))

    @property
    def first_row(self) -> int:
        return (self.page - 1) * self.page_size + 1


class Desk:
    """A portal process's desk: its query slots and the saved queries' book."""

    def __init__(self, settings: Settings, accounts: Accounts):
        self.settings, self.accounts = settings, accounts
        self._slots = threading.BoundedSemaphore(settings.desk_queries_at_once)
        self._seeded = False

    # ---------------------------------------------------------------- queries

    @property
    def limits(self) -> Limits:
        s = self.settings
        return Limits(s.desk_seconds, s.query_memory, s.query_threads, s.desk_rows)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """One of the desk's query slots; 503 with Retry-After when none frees within WAIT_SECONDS."""
        if not self._slots.acquire(timeout=WAIT_SECONDS):
            seconds = max(1, math.ceil(self.settings.desk_seconds / 4))
            raise PortalError(503, "desk.busy", headers={"Retry-After": str(seconds)}, seconds=seconds)
        try:
            yield
        finally:
            self._slots.release()

    def run(self, sql: str) -> Answer:
        """The answer to `sql` on the snapshot, or a PortalError (400) that says why not, in both languages."""
        sql = sql.strip()
        if not sql:
            raise PortalError(400, "desk.empty")
        if len(sql) > MAX_SQL_CHARS:
            raise PortalError(400, "desk.too_long", chars=MAX_SQL_CHARS)
        if not self.settings.snapshot.exists():
            raise PortalError(404, "portal.no_data")
        with self.slot():
            try:
                answer = run_query(self.settings.snapshot, sql, self.limits)
            except QueryStopped as stopped:
                if stopped.kind == "seconds":
                    raise PortalError(400, "desk.stopped_time", seconds=self.settings.desk_seconds) from None
                raise PortalError(400, "desk.stopped_memory", memory=self.settings.query_memory) from None
            except QueryRefused as refused:
                if refused.kind == "sandbox":
                    raise PortalError(400, "desk.sandbox", detail=refused.detail) from None
                raise PortalError(400, "desk.sql_error", detail=refused.detail) from None
        if answer is None:  # a statement without a result (`pragma …`): nothing to show
            raise PortalError(400, "desk.no_result")
        if answer.table.nbytes > MAX_ANSWER_BYTES:  # a few rows of huge text: nothing is written of it
            raise PortalError(400, "desk.too_big", mb=MAX_ANSWER_BYTES // (1024 * 1024))
        return answer

    def page(self, answer: Answer, page: int, page_size: int) -> Page:
        page_size = min(max(1, page_size), MAX_PAGE_SIZE)
        kept = answer.table.num_rows
        page = min(max(1, page), max(1, math.ceil(kept / page_size)))
        part = answer.table.slice((page - 1) * page_size, page_size)
        rows = list(zip(*(column.to_pylist() for column in part.columns))) if part.num_columns else []
        return Page(answer.columns, rows, page, page_size, kept, answer.truncated)

    # ---------------------------------------------------------------- saved queries

    def _seed(self) -> None:
        """The analyst guide's questions, once per accounts file: a seed the province deleted stays deleted."""
        if self._seeded:
            return
        seeds = tomllib.loads(SEEDS.read_text(encoding="utf-8"))
        with self.accounts.connect() as db:
            db.executemany(
                "insert or ignore into saved_queries (title, title_en, sql, seed, created_at) values (?, ?, ?, ?, ?)",
                [(seed["vi"], seed["en"], seed["sql"], name, now_text()) for name, seed in seeds.items()],
            )
        self._seeded = True

    def saved(self) -> list[Saved]:
        self._seed()
        with self.accounts.connect() as db:
            rows = db.execute(
                "select q.query_id, q.title, coalesce(q.title_en, q.title), q.sql, q.seed, a.email, q.created_at"
                " from saved_queries as q left join accounts as a on a.account_id = q.created_by"
                " where q.deleted_at is null order by q.seed is null, q.query_id"
            ).fetchall()
        return [Saved(r[0], Text(r[1], r[2]), r[3], r[4], r[5], r[6]) for r in rows]

    def one(self, query_id: int) -> Saved:
        found = [saved for saved in self.saved() if saved.query_id == query_id]
        if not found:
            raise PortalError(404, "portal.error_404")
        return found[0]

    def save(self, account_id: int, title: str, sql: str) -> int:
        title, sql = " ".join(title.split()), sql.strip()
        if not title or len(title) > MAX_TITLE_CHARS:
            raise PortalError(400, "desk.title_needed", chars=MAX_TITLE_CHARS)
        if not sql:
            raise PortalError(400, "desk.empty")
        if len(sql) > MAX_SQL_CHARS:
            raise PortalError(400, "desk.too_long", chars=MAX_SQL_CHARS)
        self._seed()
        with self.accounts.connect() as db:
            cursor = db.execute(
                "insert into saved_queries (title, sql, created_by, created_at) values (?, ?, ?, ?)",
                [title, sql, account_id, now_text()],
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def delete(self, account_id: int, query_id: int) -> None:
        """Deleted for every account of the province (the row is kept, marked: a seed is not put back)."""
        self._seed()
        with self.accounts.connect() as db:
            cursor = db.execute(
                "update saved_queries set deleted_at = ?, deleted_by = ? where query_id = ? and deleted_at is null",
                [now_text(), account_id, query_id],
            )
        if cursor.rowcount == 0:
            raise PortalError(404, "portal.error_404")


# -------------------------------------------------------------------- answers as JSON and as files


def json_value(value: object) -> object:
    """A value of a DuckDB answer as JSON: numbers as numbers (a decimal too; an infinite one as text),
    times in ISO 8601, durations and blobs as text (a blob in base64), lists and structs as arrays and objects."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def download(answer: Answer, fmt: str) -> bytes:
    """The answer's kept rows as a file: CSV or XLSX (formula-like text neutralised, as `chiso export`), Parquet."""
    columns = answer.columns
    if fmt == "parquet":
        with tempfile.TemporaryDirectory(prefix="chiso-desk-") as folder:
            target = os.path.join(folder, "answer.parquet")
            with duckdb.connect() as writer:  # in memory: it holds nothing but the answer
                writer.from_arrow(answer.table).write_parquet(target)
            return Path(target).read_bytes()
    rows = list(zip(*(column.to_pylist() for column in answer.table.columns))) if columns else []
    if fmt == "csv":
        return csv_text(columns, rows)
    if len(rows) >= EXCEL_MAX_ROWS:  # CHISO_DESK_ROWS set past what a sheet holds
        raise PortalError(400, "desk.too_many_for_excel", rows=EXCEL_MAX_ROWS - 1)
    buffer = io.BytesIO()
    write_sheet(columns, rows[:200], rows, "query", buffer)
    return buffer.getvalue()
