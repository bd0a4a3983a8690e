"""Write a validated chunk to the warehouse in one transaction: all of it or none of it."""

from __future__ import annotations

import duckdb
import pandas as pd

from core.faults import fault_point
from expectations.findings import Finding
from warehouse.db import sql, transaction

RECORD_COLUMNS = [
    "submission_id",
    "file_name",
    "source_path",
    "stored_path",
    "moved",
    "sha256",
    "size_bytes",
    "file_format",
    "received_at",
    "ingested_at",
    "run_id",
    "dataset_code",
    "unit_code",
    "period",
    "status",
    "value_rows",
    "duplicate_of",
    "sent_by",
    "judged_as_of",
    "judged_after_action",
]
FINDING_COLUMNS = [
    "submission_id",
    "finding_no",
    "rule",
    "check_name",
    "severity",
    "source_rows",
    "offending_values",
    "message_vi",
    "message_en",
]
FACT_COLUMNS = [
    "submission_id",
    "source_row",
    "dataset_code",
    "unit_code",
    "period",
    "indicator_code",
    "disaggregation",
    "value",
    "note",
]


def next_submission_id(connection: duckdb.DuckDBPyConnection) -> int:
    # An aggregate: always one row.
    return connection.execute("select coalesce(max(submission_id), 0) + 1 from submission_records").fetchall()[0][0]


def known_files(connection: duckdb.DuckDBPyConnection, sha256s: list[str]) -> dict[str, int]:
    """The first submission of each of these file hashes already in the warehouse.

    Rejected files do not count: they loaded nothing, and the same bytes may pass once the
    period has ended or the catalog has been corrected, so they are judged again.
    """
    rows = connection.execute(
        "select sha256, min(submission_id) from submission_records"
        " where sha256 in (select unnest(?::varchar[])) and status <> 'rejected' group by sha256",
        [sha256s],
    ).fetchall()
    return dict(rows)


def value_history(connection: duckdb.DuckDBPyConnection, values: pd.DataFrame) -> pd.DataFrame:
    """Each submitted value's own history in the warehouse (see value_history.sql)."""
    keys = values[["unit_code", "indicator_code", "disaggregation", "period"]].drop_duplicates()
    connection.register("batch_value_keys", keys)
    try:
        return connection.execute(sql("value_history")).df()
    finally:
        connection.unregister("batch_value_keys")


def slot_history(connection: duckdb.DuckDBPyConnection, submissions: pd.DataFrame) -> pd.DataFrame:
    """For each file, the receipt of its slot's first accepted file in the warehouse received before it,
    when there is one (see slot_history.sql): the late warning's history, as value_history is the outlier's."""
    files = submissions[["submission_id", "dataset_code", "unit_code", "period", "received_at"]]
    connection.register("batch_slot_files", files)
    try:
        return connection.execute(sql("slot_history")).df()
    finally:
        connection.unregister("batch_slot_files")


def load_chunk(
    connection: duckdb.DuckDBPyConnection,
    run_id: str,
    records: pd.DataFrame,
    findings: pd.DataFrame,
    facts: pd.DataFrame,
) -> dict[int, str]:
    """Insert the chunk's submission records, their findings and the accepted values, settle
    supersession, commit. Returns the final status of each submission of the chunk."""
    with transaction(connection):
        _insert(connection, "submission_records", records[RECORD_COLUMNS])
        fault_point("load.submissions_inserted")
        _insert(connection, "findings", findings[FINDING_COLUMNS])
        _insert(connection, "indicator_facts", facts[FACT_COLUMNS])
        fault_point("load.facts_inserted")
        connection.execute(sql("supersede"), [run_id])
        fault_point("load.before_commit")
    fault_point("load.committed")
    ids = [int(i) for i in records["submission_id"]]
    rows = connection.execute(
        "select submission_id, status from submission_records where submission_id in (select unnest(?::integer[]))",
        [ids],
    ).fetchall()
    return dict(rows)


def _insert(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    name = f"chunk_{table}"
    connection.register(name, frame)
    try:
        connection.execute(f"insert into {table} ({', '.join(frame.columns)}) select * from {name}")
    finally:
        connection.unregister(name)


def refresh_rollup(connection: duckdb.DuckDBPyConnection) -> None:
    """Store the roll-up of the current values, all at once or not at all."""
    with transaction(connection):
        connection.execute(sql("refresh_rollup"))


def findings_of(connection: duckdb.DuckDBPyConnection, submission_ids: list[int]) -> dict[int, list[Finding]]:
    """The stored findings of these submissions, in their order."""
    rows = connection.execute(
        "select submission_id, rule, check_name, severity, message_vi, message_en, source_rows, offending_values"
        " from findings where submission_id in (select unnest(?::integer[])) order by submission_id, finding_no",
        [submission_ids],
    ).fetchall()
    found: dict[int, list[Finding]] = {}
    for submission_id, *fields in rows:
        found.setdefault(submission_id, []).append(Finding(*fields))
    return found
