"""Open the warehouse and apply its migrations and views."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.kinds import fill_kinds

HERE = Path(__file__).resolve().parent
MIGRATIONS = HERE / "migrations"
VIEWS = HERE / "views"
SQL = HERE / "sql"
# Analysts' tools (the DuckDB CLI on PyPI is 1.5) lag the library: write files they can open.
STORAGE_VERSION = "v1.5.0"


# A DuckDB database file says so at bytes 8-11 of its first block.
MAGIC, MAGIC_AT = b"DUCK", 8


class NotAWarehouse(RuntimeError):
    """A file given as a warehouse that is not a DuckDB database; the message says what to do."""


def read_sql(sql_file: Path) -> str:
    """The text of a SQL file (each package keeps its own beside its code, e.g. `QUERIES / "x.sql"`)."""
    return sql_file.read_text(encoding="utf-8")


def sql(name: str) -> str:
    """The warehouse's own statement `sql/<name>.sql`."""
    return read_sql(SQL / f"{name}.sql")


def query_rows(
    connection: duckdb.DuckDBPyConnection, sql_file: Path, *parameters: object, **named: object
) -> list[dict]:
    """The rows of the query in `sql_file` as dicts (column name: value); `parameters` fill its
    `$1`, `$2`…, or `named` its `$name`s (DuckDB takes one kind or the other, not both)."""
    if parameters and named:
        raise TypeError(f"{sql_file.name}: give its parameters by position ($1) or by name ($name), not both")
    relation = connection.execute(read_sql(sql_file), named or list(parameters))
    columns = [column[0] for column in relation.description]
    return [dict(zip(columns, row)) for row in relation.fetchall()]


@contextmanager
def transaction(connection: duckdb.DuckDBPyConnection, commit: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """`with transaction(connection):` everything in the block is kept together or not at all: committed
    at its end, rolled back if it raises (anything, an interrupt too). `commit=False` rolls back at the
    end as well: a dry run that does the work and keeps none of it."""
    connection.begin()
    try:
        yield connection
    except BaseException:
        connection.rollback()
        raise
    # Outside the `try`: a commit that fails has ended the transaction already, and a rollback
    # then would raise "no transaction is active" in place of the commit's own error.
    if commit:
        connection.commit()
    else:
        connection.rollback()


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """The loader's read-write connection (one writer at a time: see warehouse.lock)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION})
    migrate(connection)
    return connection


def connect_read_only(
    path: Path, *, sandboxed: bool = False, memory_limit: str | None = None, threads: int | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-only connection; `sandboxed` also forbids touching other files (`copy ... to`,
    `attach`, installing or loading extensions, spilling to a temporary folder), for SQL typed by
    a user, and holds it to `memory_limit` (DuckDB's size text, e.g. `2GB`) and `threads`; the
    limits cannot be changed by the SQL itself."""
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `chiso ingest` (or `make run`) first")
    if path.is_file():
        with path.open("rb") as file:
            head = file.read(MAGIC_AT + len(MAGIC))
        if head[MAGIC_AT:] != MAGIC:  # before DuckDB guesses another format and reaches for an extension
            kind = "an empty file" if not head else "not a DuckDB database"
            raise NotAWarehouse(
                f"{path} is {kind}: give the warehouse's file (a .duckdb file the loader wrote, or the snapshot,"
                " CHISO_SNAPSHOT)"
            )
    config: dict[str, str | bool | int | float | list[str]] = {}
    if sandboxed:
        config = {
            "enable_external_access": False,
            "autoload_known_extensions": False,
            "autoinstall_known_extensions": False,
            "temp_directory": "",  # nothing spills to disk: past the memory limit a query stops
        }
        if memory_limit:
            config["memory_limit"] = memory_limit
        if threads:
            config["threads"] = threads
        config["lock_configuration"] = True
    try:
        return duckdb.connect(str(path), read_only=True, config=config)
    except duckdb.Error as error:
        error.add_note(f"file: {path}")  # DuckDB does not always name it (a damaged block)
        raise


def migrate(connection: duckdb.DuckDBPyConnection) -> None:
    """Apply pending migrations in order, each in its own transaction, fill the lookup tables of
    kinds from their declaration, then (re)create the views."""
    connection.execute(
        "create table if not exists schema_migrations (version varchar primary key, applied_at timestamp not null)"
    )
    applied = {row[0] for row in connection.execute("select version from schema_migrations").fetchall()}
    pending = [script for script in sorted(MIGRATIONS.glob("*.sql")) if script.stem not in applied]
    for script in pending:
        with transaction(connection):
            # One statement at a time: a script's later statements may use what its earlier ones renamed.
            for statement in connection.extract_statements(read_sql(script)):
                connection.execute(statement)
            connection.execute("insert into schema_migrations values (?, now())", [script.stem])
    if pending:
        # Into the file at once: a schema change is never left to a log replay after a crash.
        connection.execute("checkpoint")
    with transaction(connection):
        fill_kinds(connection)
    for script in sorted(VIEWS.glob("*.sql")):
        connection.execute(read_sql(script))
