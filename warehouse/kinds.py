"""Fill the warehouse's lookup tables of kinds (migration 007) from their declaration, core.kinds.

Run each time the warehouse opens for writing, inside the caller's transaction: a kind declared
since is added, a kind whose words or colour changed is updated, and nothing is written when
they already agree. A kind no longer declared keeps its row (rows recorded under it still
reference it). The notices fill the ledger's two tables of kinds the same way, from their registry.
"""

from __future__ import annotations

import duckdb

from core.kinds import FAMILIES


def fill_kinds(connection: duckdb.DuckDBPyConnection) -> None:
    for family in FAMILIES:
        if family.table:
            upsert_rows(connection, family.table, family.key, family.rows())


def upsert_rows(connection: duckdb.DuckDBPyConnection, table: str, key: str, rows: list[dict[str, object]]) -> None:
    """Add the rows `table` lacks (by `key`) and update those that differ; each row names every column."""
    stored = {row[key]: row for row in stored_rows(connection, table, key)}
    changed = [row for row in rows if stored.get(row[key]) != row]
    if not changed:
        return
    columns = list(changed[0])
    updates = ", ".join(f"{column} = excluded.{column}" for column in columns if column != key)
    connection.executemany(
        f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})"
        f" on conflict ({key}) do update set {updates}",
        [list(row.values()) for row in changed],
    )


def stored_rows(connection: duckdb.DuckDBPyConnection, table: str, key: str) -> list[dict[str, object]]:
    """The rows of a lookup table, in its key's order."""
    relation = connection.execute(f"select * from {table} order by {key}")
    columns = [column[0] for column in relation.description]
    return [dict(zip(columns, row)) for row in relation.fetchall()]
