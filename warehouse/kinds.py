"""Fill the warehouse's lookup tables of kinds (migration 007) from their declaration, core.kinds.

Run each time the warehouse opens for writing: a kind declared since is added, a kind whose
words or colour changed is updated, and nothing is written when they already agree. A kind no
longer declared keeps its row (rows recorded under it still reference it).
"""

from __future__ import annotations

import duckdb

from core.kinds import FAMILIES, Family


def fill_kinds(connection: duckdb.DuckDBPyConnection) -> None:
    families = [family for family in FAMILIES if family.table]  # in order: a family before those that reference it
    changes = [(family, rows) for family in families if (rows := _changed(connection, family))]
    if not changes:
        return
    connection.begin()
    try:
        for family, rows in changes:
            columns = list(rows[0])
            updates = ", ".join(f"{column} = excluded.{column}" for column in columns if column != family.key)
            statement = (
                f"insert into {family.table} ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"
                f" on conflict ({family.key}) do update set {updates}"
            )
            connection.executemany(statement, [list(row.values()) for row in rows])
        connection.commit()
    except BaseException:
        connection.rollback()
        raise


def stored_rows(connection: duckdb.DuckDBPyConnection, family: Family) -> list[dict[str, object]]:
    """The rows of a family's lookup table, in its key's order."""
    relation = connection.execute(f"select * from {family.table} order by {family.key}")
    columns = [column[0] for column in relation.description]
    return [dict(zip(columns, row)) for row in relation.fetchall()]


def _changed(connection: duckdb.DuckDBPyConnection, family: Family) -> list[dict[str, object]]:
    stored = {row[family.key]: row for row in stored_rows(connection, family)}
    return [row for row in family.rows() if stored.get(row[family.key]) != row]
