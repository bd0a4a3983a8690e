"""A warehouse written by an earlier chiso is upgraded in place: nothing it held is lost."""

from __future__ import annotations

import json

import duckdb

from warehouse.db import MIGRATIONS, migrate

REASON = {
    "rule": "6",
    "check": "negative_value",
    "severity": "critical",
    "rows": [4],
    "values": ["-1"],
    "vi": "dòng 4: giá trị -1 là số âm",
    "en": "row 4: value -1 is negative",
}
WARNING = {
    "rule": "late",
    "check": "late",
    "severity": "warning",
    "rows": [],
    "values": ["2017-07-20"],
    "vi": "nhận sau hạn",
    "en": "received after the due date",
}


def first_schema(path) -> None:
    """The warehouse as chiso 0.1 left it: migrations 001-003, findings as JSON in `submissions`."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create table schema_migrations (version varchar primary key, applied_at timestamp)")
        for script in sorted(MIGRATIONS.glob("00[1-3]_*.sql")):
            connection.execute(script.read_text(encoding="utf-8"))
            connection.execute("insert into schema_migrations values (?, now())", [script.stem])
        for submission_id, status, reasons, warnings in [(1, "rejected", [REASON], []), (2, "accepted", [], [WARNING])]:
            connection.execute(
                "insert into submissions (submission_id, file_name, sha256, size_bytes, file_format, received_at,"
                " ingested_at, run_id, status, reasons, warnings, value_rows)"
                " values (?, ?, ?, 10, 'csv', now(), now(), 'old', ?, ?, ?, 3)",
                [
                    submission_id,
                    f"f{submission_id}.csv",
                    f"h{submission_id}",
                    status,
                    json.dumps(reasons),
                    json.dumps(warnings),
                ],
            )


def test_the_json_findings_become_rows_and_submissions_still_shows_them(tmp_path):
    path = tmp_path / "old.duckdb"
    first_schema(path)
    with duckdb.connect(str(path)) as connection:
        migrate(connection)
        rows = connection.execute(
            "select submission_id, finding_no, rule, check_name, severity, source_rows, offending_values, message_en"
            " from findings order by submission_id"
        ).fetchall()
        shown = dict(connection.execute("select submission_id, [reasons, warnings] from submissions").fetchall())
        versions = [v for (v,) in connection.execute("select version from schema_migrations order by 1").fetchall()]
    assert rows == [
        (1, 1, "6", "negative_value", "critical", [4], ["-1"], "row 4: value -1 is negative"),
        (2, 1, "late", "late", "warning", [], ["2017-07-20"], "received after the due date"),
    ]
    assert [json.loads(part) for part in shown[1]] == [[REASON], []]
    assert [json.loads(part) for part in shown[2]] == [[], [WARNING]]
    assert versions == sorted(script.stem for script in MIGRATIONS.glob("*.sql"))


def test_the_upgraded_file_opens_again_after_a_crash(tmp_path):
    """Migrations are checkpointed at once: a killed loader never leaves a schema change to a log replay."""
    path = tmp_path / "old.duckdb"
    first_schema(path)
    connection = duckdb.connect(str(path))
    migrate(connection)
    connection.execute("insert into findings values (1, 2, '9', 'part_exceeds_whole', 'critical', [], [], 'x', 'y')")
    del connection  # no close, no checkpoint: what a killed loader leaves
    with duckdb.connect(str(path)) as reopened:
        assert reopened.execute("select count(*) from findings").fetchone() == (3,)


def test_an_upgraded_warehouse_owes_no_notice_of_its_history(tmp_path):
    """Migration 006: the runs loaded before notices existed are remembered, so the first notify tells none of them."""
    path = tmp_path / "old.duckdb"
    first_schema(path)
    with duckdb.connect(str(path)) as connection:
        migrate(connection)
        assert connection.execute("select run_id from runs_before_notices").fetchall() == [("old",)]
        assert connection.execute("select count(*) from notices").fetchone() == (0,)
        assert connection.execute("select reminder_days_before from datasets").fetchall() == []
