"""Write a validated chunk to the warehouse in one transaction: all of it or none of it."""

from __future__ import annotations

import duckdb
import pandas as pd

from chiso.faults import fault_point
from warehouse.db import sql

SUBMISSION_COLUMNS = [
    "submission_id", "file_name", "source_path", "stored_path", "moved", "sha256", "size_bytes", "file_format",
    "received_at", "ingested_at", "run_id", "dataset_code", "unit_code", "period", "status", "reasons",
    "warnings", "value_rows", "duplicate_of",
]  # fmt: skip
FACT_COLUMNS = [
    "submission_id", "source_row", "dataset_code", "unit_code", "period", "indicator_code", "disaggregation",
    "value", "note",
]  # fmt: skip


def next_submission_id(connection: duckdb.DuckDBPyConnection) -> int:
    return connection.execute("select coalesce(max(submission_id), 0) + 1 from submissions").fetchone()[0]


def known_files(connection: duckdb.DuckDBPyConnection, sha256s: list[str]) -> dict[str, int]:
    """The first submission of each of these file hashes already in the warehouse.

    Rejected files do not count: they loaded nothing, and the same bytes may pass once the
    period has ended or the catalog has been corrected, so they are judged again.
    """
    rows = connection.execute(
        "select sha256, min(submission_id) from submissions"
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


def load_chunk(
    connection: duckdb.DuckDBPyConnection, run_id: str, submissions: pd.DataFrame, facts: pd.DataFrame
) -> dict[int, str]:
    """Insert the chunk's submissions and accepted values, settle supersession, commit.

    Returns the final status of each submission of the chunk.
    """
    connection.begin()
    try:
        connection.register("chunk_submissions", submissions[SUBMISSION_COLUMNS])
        connection.execute(f"insert into submissions ({', '.join(SUBMISSION_COLUMNS)}) select * from chunk_submissions")
        fault_point("load.submissions_inserted")
        connection.register("chunk_facts", facts[FACT_COLUMNS])
        connection.execute(f"insert into indicator_facts ({', '.join(FACT_COLUMNS)}) select * from chunk_facts")
        fault_point("load.facts_inserted")
        connection.execute(sql("supersede"), [run_id])
        fault_point("load.before_commit")
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.unregister("chunk_submissions")
        connection.unregister("chunk_facts")
    fault_point("load.committed")
    ids = [int(i) for i in submissions["submission_id"]]
    rows = connection.execute(
        "select submission_id, status from submissions where submission_id in (select unnest(?::integer[]))", [ids]
    ).fetchall()
    return dict(rows)


def refresh_rollup(connection: duckdb.DuckDBPyConnection) -> None:
    """Store the roll-up of the current values, all at once or not at all."""
    connection.begin()
    try:
        connection.execute(sql("refresh_rollup"))
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
