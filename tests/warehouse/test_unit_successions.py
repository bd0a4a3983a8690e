"""The catalog's successions in the warehouse (migration 013): reloaded with the other dimensions,
each weight as a rounded decimal beside its exact fraction; none when the catalog has no file."""

from __future__ import annotations

import shutil
from decimal import Decimal

import duckdb
import pytest

from builders import PROJECT_ROOT
from core.catalog import Catalog
from warehouse.db import migrate
from warehouse.dimensions import load_catalog


@pytest.fixture(scope="module")
def connection():
    with duckdb.connect(":memory:") as connection:
        migrate(connection)
        yield connection


def test_the_successions_are_loaded_with_their_exact_fractions(connection):
    load_catalog(connection, Catalog(PROJECT_ROOT / "catalog"))
    rows = connection.execute(
        "select from_code, kind, weight, weight_fraction, reverse_weight, reverse_weight_fraction, mapping"
        " from unit_successions where to_code = '00691' order by from_code"
    ).fetchall()
    assert rows == [
        ("024", "split", Decimal("0.437500000000"), "7/16", Decimal("0.777777777778"), "7/9", "approximate"),
        ("030", "split", Decimal("0.041666666667"), "1/24", Decimal("0.222222222222"), "2/9", "exact"),
    ]
    assert connection.execute(
        "select cast(effective_date as varchar), weight, reverse_weight from unit_successions where from_code = '02'"
    ).fetchall() == [("2025-07-01", Decimal("1.000000000000"), None)]
    counts = "select kind, count(*) from unit_successions group by kind order by kind"
    assert connection.execute(counts).fetchall() == [("merge", 14), ("split", 78)]
    assert connection.execute("select count(*) from succession_kinds").fetchone() == (5,)


def test_a_catalog_without_the_file_leaves_the_table_empty(connection, tmp_path):
    shutil.copytree(PROJECT_ROOT / "catalog", tmp_path / "catalog")
    (tmp_path / "catalog" / "unit_successions.csv").unlink()
    load_catalog(connection, Catalog(tmp_path / "catalog"))
    assert connection.execute("select count(*) from unit_successions").fetchone() == (0,)
