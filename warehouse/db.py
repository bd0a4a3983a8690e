"""Open the warehouse, apply its migrations and views, reload the catalog."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from core.catalog import TABLES as CATALOG_TABLES
from core.catalog import Catalog, CatalogError

HERE = Path(__file__).resolve().parent
MIGRATIONS = HERE / "migrations"
VIEWS = HERE / "views"
# Analysts' tools (the DuckDB CLI on PyPI is 1.5) lag the library: write files they can open.
STORAGE_VERSION = "v1.5.0"


def sql(name: str) -> str:
    return (HERE / "sql" / f"{name}.sql").read_text(encoding="utf-8")


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """The loader's read-write connection (one writer at a time: see warehouse.lock)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION})
    migrate(connection)
    return connection


def connect_read_only(path: Path, sandboxed: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-only connection; `sandboxed` also forbids touching other files (`copy ... to`,
    `attach`), for SQL typed by a user."""
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `chiso ingest` (or `make run`) first")
    config = {"enable_external_access": False, "lock_configuration": True} if sandboxed else {}
    return duckdb.connect(str(path), read_only=True, config=config)


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


def load_catalog(connection: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Replace the dimension tables with the catalog's contents, and its periods, in one transaction.

    A catalog that drops a code the warehouse holds values for is refused: units that cease
    to exist keep their row, with a `valid_to` date, so that their history stays queryable.
    """
    connection.begin()
    try:
        for table in CATALOG_TABLES:
            # Empty cells are NULL, except a disaggregation: "none" is '' throughout the warehouse.
            frame = pd.DataFrame(catalog.table(table), columns=list(CATALOG_TABLES[table]), dtype=object)
            blank_is_null = frame.columns.difference(["disaggregation"])
            frame[blank_is_null] = frame[blank_is_null].replace("", None)
            _replace(connection, table, frame)
        _replace(connection, "periods", _periods(catalog))
        _replace(connection, "due_dates", _due_dates(catalog))
        lost = connection.execute(sql("codes_lost_from_catalog")).fetchall()
        if lost:
            codes = ", ".join(f"{kind} {code}" for kind, code in lost)
            raise CatalogError(
                f"the catalog in {catalog.directory} no longer lists codes the warehouse holds values for ({codes}); "
                "keep them (a unit that ceased to exist keeps its row, with a valid_to date)"
            )
        connection.commit()
    except BaseException:
        connection.rollback()
        raise


def _replace(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    connection.execute(f"delete from {table}")
    if len(frame):
        connection.register("catalog_rows", frame)
        columns = ", ".join(frame.columns)
        connection.execute(f"insert into {table} ({columns}) select {columns} from catalog_rows")
        connection.unregister("catalog_rows")


def _periods(catalog: Catalog) -> pd.DataFrame:
    rows = [
        (period.code, period.type, period.year, period.quarter, period.start, period.end)
        for kind in ("quarter", "year")
        for period in catalog.periods(kind)
    ]
    columns = ["period", "period_type", "year", "quarter", "period_start", "period_end"]
    return pd.DataFrame(rows, columns=columns).astype({"quarter": "Int64"})


def _due_dates(catalog: Catalog) -> pd.DataFrame:
    rows = [
        (code, period.code, catalog.due_date(code, period))
        for code, dataset in catalog.datasets.items()
        for period in catalog.periods(dataset["period_type"])
    ]
    return pd.DataFrame(rows, columns=["dataset_code", "period", "due_date"])
