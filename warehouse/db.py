"""Open the warehouse and apply its migrations and views."""

from __future__ import annotations

from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
MIGRATIONS = HERE / "migrations"
VIEWS = HERE / "views"
# Analysts' tools (the DuckDB CLI on PyPI is 1.5) lag the library: write files they can open.
STORAGE_VERSION = "v1.5.0"


# A DuckDB database file says so at bytes 8-11 of its first block.
MAGIC, MAGIC_AT = b"DUCK", 8


class NotAWarehouse(RuntimeError):
    """A file given as a warehouse that is not a DuckDB database; the message says what to do."""


def sql(name: str) -> str:
    return (HERE / "sql" / f"{name}.sql").read_text(encoding="utf-8")


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """The loader's read-write connection (one writer at a time: see warehouse.lock)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION})
    migrate(connection)
    return connection


def connect_read_only(
    path: Path, sandboxed: bool = False, memory_limit: str | None = None, threads: int | None = None
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
    config: dict[str, object] = {}
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
    """Apply pending migrations in order, each in its own transaction, then (re)create the views."""
    connection.execute(
        "create table if not exists schema_migrations (version varchar primary key, applied_at timestamp not null)"
    )
    applied = {row[0] for row in connection.execute("select version from schema_migrations").fetchall()}
    pending = [script for script in sorted(MIGRATIONS.glob("*.sql")) if script.stem not in applied]
    for script in pending:
        connection.begin()
        # One statement at a time: a script's later statements may use what its earlier ones renamed.
        for statement in connection.extract_statements(script.read_text(encoding="utf-8")):
            connection.execute(statement)
        connection.execute("insert into schema_migrations values (?, now())", [script.stem])
        connection.commit()
    if pending:
        # Into the file at once: a schema change is never left to a log replay after a crash.
        connection.execute("checkpoint")
    for script in sorted(VIEWS.glob("*.sql")):
        connection.execute(script.read_text(encoding="utf-8"))
