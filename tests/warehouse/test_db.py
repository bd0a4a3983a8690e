"""The warehouse's toolkit: a SQL file's rows as dicts, one transaction, the stored roll-up."""

from __future__ import annotations

import duckdb
import pytest

from warehouse.db import connect, query_rows, transaction
from warehouse.load import refresh_rollup


@pytest.fixture
def connection():
    with duckdb.connect() as connection:
        connection.execute("create table notes (id integer primary key, note varchar)")
        yield connection


def notes(connection) -> list[tuple]:
    return connection.execute("select id, note from notes order by id").fetchall()


def test_a_transaction_commits_what_its_block_did(connection):
    with transaction(connection):
        connection.execute("insert into notes values (1, 'kept'), (2, 'kept too')")
    assert notes(connection) == [(1, "kept"), (2, "kept too")]


@pytest.mark.parametrize("error", [ValueError("a bad value"), KeyboardInterrupt()])
def test_a_transaction_keeps_nothing_when_its_block_raises(connection, error):
    connection.execute("insert into notes values (1, 'before')")
    with pytest.raises(type(error)), transaction(connection):
        connection.execute("insert into notes values (2, 'half done')")
        connection.execute("update notes set note = 'changed' where id = 1")
        raise error
    assert notes(connection) == [(1, "before")]
    with transaction(connection):  # rolled back, not left open: the next one begins
        connection.execute("insert into notes values (3, 'after')")
    assert notes(connection) == [(1, "before"), (3, "after")]


def test_a_transaction_whose_commit_fails_says_why_and_keeps_nothing(connection):
    other = connection.cursor()
    with pytest.raises(duckdb.TransactionException, match="duplicate key"), transaction(connection):
        connection.execute("insert into notes values (1, 'mine'), (2, 'mine too')")
        other.execute("insert into notes values (1, 'theirs')")  # committed first: ours fails at its commit
    assert notes(connection) == [(1, "theirs")]
    with transaction(connection):  # nothing left open
        connection.execute("insert into notes values (2, 'after')")
    assert notes(connection) == [(1, "theirs"), (2, "after")]


def test_a_transaction_without_commit_is_a_dry_run(connection):
    with transaction(connection, commit=False):
        connection.execute("insert into notes values (1, 'tried')")
        assert notes(connection) == [(1, "tried")]  # seen inside the block
    assert notes(connection) == []


def test_query_rows_gives_a_files_rows_as_dicts(connection, tmp_path):
    connection.execute("insert into notes values (1, 'one'), (2, 'two'), (3, 'three')")
    by_position = tmp_path / "by_position.sql"
    by_position.write_text("select * from notes where id >= $1 order by id limit $2", encoding="utf-8")
    by_name = tmp_path / "by_name.sql"
    by_name.write_text("select note, id from notes where note = $note", encoding="utf-8")

    assert query_rows(connection, by_position, 2, 5) == [{"id": 2, "note": "two"}, {"id": 3, "note": "three"}]
    assert query_rows(connection, by_name, note="one") == [{"note": "one", "id": 1}]
    assert query_rows(connection, by_name, note="none") == []
    with pytest.raises(TypeError, match=r"by_name\.sql"):
        query_rows(connection, by_name, 1, note="one")


def test_the_stored_rollup_takes_its_columns_from_the_live_view(tmp_path):
    """A column added to indicator_rollup_live reaches indicator_rollup at the next refresh, with no list to edit."""
    with connect(tmp_path / "warehouse.duckdb") as warehouse:
        live = [column for column, *_ in warehouse.execute("describe indicator_rollup_live").fetchall()]
        assert [column for column, *_ in warehouse.execute("describe indicator_rollup").fetchall()] == live
        warehouse.execute(
            "create or replace view indicator_rollup_live as"
            " select '2017Q1' as period, 'quarter' as period_type, 'province' as scope, 'X' as indicator_code,"
            " '' as disaggregation, null::double as numerator, null::double as denominator, 4.0 as value,"
            " 2::bigint as units_reporting, 'new' as note"
        )
        refresh_rollup(warehouse)
        (tmp_path / "rollup.sql").write_text("select * from indicator_rollup", encoding="utf-8")
        assert query_rows(warehouse, tmp_path / "rollup.sql") == [
            {
                "period": "2017Q1",
                "period_type": "quarter",
                "scope": "province",
                "indicator_code": "X",
                "disaggregation": "",
                "numerator": None,
                "denominator": None,
                "value": 4.0,
                "units_reporting": 2,
                "note": "new",
            }
        ]
