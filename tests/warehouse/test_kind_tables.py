"""The warehouse's lookup tables of kinds agree with their declaration (core.kinds); a kind is
referenced by a foreign key, so a new one is a declaration and no table rebuild (migration 007)."""

from __future__ import annotations

import dataclasses

import duckdb
import pytest

from core.kinds import FAMILIES, SUBMISSION_STATUSES, Family, SubmissionStatus
from core.vocabulary import say
from warehouse import kinds as warehouse_kinds
from warehouse.db import MIGRATIONS, migrate
from warehouse.kinds import stored_rows

TABLED = [family for family in FAMILIES if family.table]
RECORD_OF_STATUS = (
    "insert into submission_records (submission_id, file_name, sha256, size_bytes, file_format, received_at,"
    " ingested_at, run_id, status, value_rows) values (1, 'f.csv', 'h', 1, 'csv', now(), now(), 'r', ?, 0)"
)


def migrated(path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(path))
    migrate(connection)
    return connection


@pytest.mark.parametrize("family", TABLED, ids=lambda family: family.table)
def test_each_lookup_table_holds_its_declaration(tmp_path, family):
    with migrated(tmp_path / "w.duckdb") as connection:
        stored = stored_rows(connection, family.table, family.key)
    assert stored == sorted(family.rows(), key=lambda row: row[family.key])


def test_opening_a_warehouse_that_agrees_writes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "w.duckdb"
    migrated(path).close()
    written = []
    monkeypatch.setattr(duckdb.DuckDBPyConnection, "executemany", lambda *args: written.append(args))
    with migrated(path):
        pass
    assert written == []


def test_a_kind_outside_the_declaration_is_refused(tmp_path):
    with migrated(tmp_path / "w.duckdb") as connection, pytest.raises(duckdb.ConstraintException, match="foreign key"):
        connection.execute(RECORD_OF_STATUS, ["no_such_status"])


def test_a_new_kind_is_one_declaration_and_no_rebuild(tmp_path, monkeypatch):
    """Declared after the warehouse was made: the next opening adds it, and rows may use it at once."""
    path = tmp_path / "w.duckdb"
    migrated(path).close()
    example = SubmissionStatus("example_status", has_values=True)
    statuses = dataclasses.replace(SUBMISSION_STATUSES, members=(*SUBMISSION_STATUSES.members, example))
    monkeypatch.setattr(Family, "text", lambda family, code: say("status.accepted"))  # its words, for the test
    monkeypatch.setattr(
        warehouse_kinds, "FAMILIES", tuple(statuses if family is SUBMISSION_STATUSES else family for family in FAMILIES)
    )
    with migrated(path) as connection:
        connection.execute(RECORD_OF_STATUS, [example.code])
        added = connection.execute(
            "select has_values, position from submission_statuses where status = 'example_status'"
        )
        assert added.fetchall() == [(True, len(SUBMISSION_STATUSES) + 1)]
        versions = [v for (v,) in connection.execute("select version from schema_migrations").fetchall()]
    assert versions == sorted(script.stem for script in MIGRATIONS.glob("*.sql"))  # no migration was needed


def before_kinds(path) -> None:
    """A warehouse as migration 006 left it, with a row in each table that held a kind under a CHECK."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create table schema_migrations (version varchar primary key, applied_at timestamp)")
        for script in sorted(MIGRATIONS.glob("00[1-6]_*.sql")):
            for statement in connection.extract_statements(script.read_text(encoding="utf-8")):
                connection.execute(statement)
            connection.execute("insert into schema_migrations values (?, now())", [script.stem])
        connection.execute(
            "insert into submission_records (submission_id, file_name, sha256, size_bytes, file_format, received_at,"
            " ingested_at, run_id, status, value_rows, superseded_by) values"
            " (1, 'a.csv', 'h1', 10, 'csv', '2017-07-01', '2017-07-02', 'old', 'superseded', 3, 2),"
            " (2, 'b.csv', 'h2', 10, 'csv', '2017-07-03', '2017-07-04', 'old', 'accepted', 3, null),"
            " (3, 'c.csv', 'h3', 10, 'csv', '2017-07-05', '2017-07-06', 'old', 'rejected', 0, null)"
        )
        connection.execute(
            "insert into findings values (3, 1, '6', 'negative_value', 'critical', [4], ['-1'], 'x', 'y'),"
            " (2, 1, 'late', 'late', 'warning', [], [], 'x', 'y')"
        )
        connection.execute(
            "insert into report_charts (chart_code, indicator_code, chart_kind, period_type, scopes, title, title_en)"
            " values ('c1', 'TL_X', 'share_vs_target', 'year', 'province', 't', 't')"
        )
        connection.execute("insert into contacts values ('SKHCN', 'a@example.vn', 'A', 'unit')")
        connection.execute(
            "insert into notices values ('rejected', 'SKHCN', 'D1', '2017Q2', 'old', [3], 'ingest', 'm1',"
            " '2017-07-06', '2017-07-06', 'smtp', ['a@example.vn'], 's')"
        )


TABLES = ("submission_records", "findings", "report_charts", "contacts", "notices")


def test_migration_007_keeps_every_row_and_index_and_replaces_the_checks_by_keys(tmp_path):
    path = tmp_path / "old.duckdb"
    before_kinds(path)
    with duckdb.connect(str(path)) as connection:
        rows = {table: connection.execute(f"select * from {table} order by all").fetchall() for table in TABLES}
        # Later migrations add columns (010: submission_records.sent_by): the rows are compared on these.
        columns = {
            table: ", ".join(f'"{d[0]}"' for d in connection.execute(f"select * from {table}").description)
            for table in TABLES
        }
        indexes = connection.execute("select index_name, sql from duckdb_indexes() order by 1").fetchall()
    with migrated(path) as connection:
        assert {
            table: connection.execute(f"select {columns[table]} from {table} order by all").fetchall()
            for table in TABLES
        } == rows
        # (migration 008 and later add tables of their own, with their own indexes)
        kept = connection.execute(
            "select index_name, sql from duckdb_indexes() where table_name not like 'approval%' order by 1"
        ).fetchall()
        assert kept == indexes
        checks = connection.execute(
            "select table_name, expression from duckdb_constraints() where constraint_type = 'CHECK'"
        ).fetchall()
        keys = connection.execute(
            "select table_name, constraint_column_names from duckdb_constraints()"
            " where constraint_type = 'FOREIGN KEY' and table_name not like 'approval%'"
        ).fetchall()
        assert connection.execute("select status from submissions order by submission_id").fetchall() == [
            ("superseded",),
            ("accepted",),
            ("rejected",),
        ]
    assert checks == [("notices", "(channel IN ('smtp', 'outbox'))")]
    assert sorted(keys) == [
        ("contacts", ["role"]),
        ("findings", ["severity"]),
        ("notices", ["kind"]),
        ("notices", ["message_kind"]),
        ("report_charts", ["chart_kind"]),
        ("submission_records", ["status"]),
        ("unit_successions", ["kind"]),  # migration 013's, a lookup table's key from the start
    ]
