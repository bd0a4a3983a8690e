"""Reload the warehouse's dimensions: the catalog's tables, and the periods and due dates of the plan."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import duckdb
import pandas as pd

from core.catalog import TABLES as CATALOG_TABLES
from core.catalog import Catalog, CatalogError, share
from warehouse.db import sql, transaction


def load_catalog(connection: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Replace the dimension tables with the catalog's contents, and its periods, in one transaction.

    A catalog that drops a code the warehouse holds values for is refused: units that cease
    to exist keep their row, with a `valid_to` date, so that their history stays queryable.
    """
    with transaction(connection):
        for table in CATALOG_TABLES:
            # Empty cells are NULL, except a disaggregation: "none" is '' throughout the warehouse.
            frame = pd.DataFrame(catalog.table(table), columns=list(CATALOG_TABLES[table]), dtype=object)
            blank_is_null = frame.columns.difference(["disaggregation"])
            frame[blank_is_null] = frame[blank_is_null].replace("", None)
            _replace(connection, table, frame)
        _replace(connection, "unit_successions", _successions(catalog))
        _replace(connection, "periods", _periods(catalog))
        _replace(connection, "due_dates", _due_dates(catalog))
        lost = connection.execute(sql("codes_lost_from_catalog")).fetchall()
        if lost:
            codes = ", ".join(f"{kind} {code}" for kind, code in lost)
            raise CatalogError(
                f"the catalog in {catalog.directory} no longer lists codes the warehouse holds values for ({codes}); "
                "keep them (a unit that ceased to exist keeps its row, with a valid_to date)"
            )


def _replace(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    connection.execute(f"delete from {table}")
    if len(frame):
        connection.register("catalog_rows", frame)
        columns = ", ".join(frame.columns)
        connection.execute(f"insert into {table} ({columns}) select {columns} from catalog_rows")
        connection.unregister("catalog_rows")


SUCCESSION_COLUMNS = [
    "from_code",
    "to_code",
    "kind",
    "effective_date",
    "weight",
    "weight_fraction",
    "weight_method",
    "reverse_weight",
    "reverse_weight_fraction",
    "mapping",
    "legal_basis",
    "note",
]


def _successions(catalog: Catalog) -> pd.DataFrame:
    """The catalog's successions (checked as it reads them), each weight as a decimal and as its exact fraction."""
    rows = []
    for row in catalog.successions:
        weight, reverse = share(row["weight"]), share(row["reverse_weight"])
        rows.append(
            {column: row[column].strip() or None for column in ("from_code", "to_code", "kind", "effective_date")}
            | {"weight": _decimal(weight), "weight_fraction": _fraction(weight)}
            | {"weight_method": row["weight_method"].strip() or None}
            | {"reverse_weight": _decimal(reverse), "reverse_weight_fraction": _fraction(reverse)}
            | {column: row[column].strip() or None for column in ("mapping", "legal_basis", "note")}
        )
    return pd.DataFrame(rows, columns=SUCCESSION_COLUMNS, dtype=object)


def _decimal(value: Fraction | None) -> str | None:
    """Rounded to the column's 12 places (decimal(18, 12)); the fraction column keeps it exact."""
    if value is None:
        return None
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("1e-12")))


def _fraction(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


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
