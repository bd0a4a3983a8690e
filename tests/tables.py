"""Every table of two warehouses compared, all rows and all columns but those new by nature."""

from __future__ import annotations

from pathlib import Path

import duckdb

# Columns whose value a new file gets by nature, whatever it holds: when the migration ran.
NEW_BY_NATURE = {"schema_migrations": {"applied_at"}}
# Sums of doubles (the stored roll-up) are added in whichever order DuckDB's threads meet the rows:
# equal to 9 significant digits, not to the last bit, even between two refreshes of one warehouse.
SIGNIFICANT = 9


def table_differences(original: Path, rebuilt: Path, *, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """Table -> what differs (tables missing on a side, columns, rows one has and the other has not,
    counted as multisets); {} when every table is equal. `skip`: tables left out (said why by the caller)."""
    with duckdb.connect() as connection:
        connection.execute("attach ? as a (read_only)", [str(original)])
        connection.execute("attach ? as b (read_only)", [str(rebuilt)])

        def tables(database: str) -> dict[str, list[str]]:
            rows = connection.execute(
                "select c.table_name, c.column_name, c.data_type from information_schema.columns c"
                " join duckdb_tables() t on t.database_name = c.table_catalog and t.table_name = c.table_name"
                " where c.table_catalog = ? order by c.table_name, c.ordinal_position",
                [database],
            ).fetchall()
            found: dict[str, list[str]] = {}
            for table, column, kind in rows:
                if kind in ("DOUBLE", "FLOAT"):
                    digits = f'{SIGNIFICANT} - 1 - floor(log10(abs(nullif("{column}", 0))))::integer'
                    column = f'round("{column}", coalesce({digits}, 0)) as "{column}"'
                else:
                    column = f'"{column}"'
                found.setdefault(table, []).append(column)
            return found

        ours, theirs = tables("a"), tables("b")
        problems = {}
        for table in sorted(set(ours) | set(theirs)):
            if table in skip:
                continue
            if ours.get(table) != theirs.get(table):
                problems[table] = f"columns differ: {ours.get(table)} / {theirs.get(table)}"
                continue
            columns = ", ".join(c for c in ours[table] if c.strip('"') not in NEW_BY_NATURE.get(table, ()))
            only = [
                connection.execute(
                    f"select count(*) from (select {columns} from {x}.main.{table}"
                    f" except all select {columns} from {y}.main.{table})"
                ).fetchall()[0][0]
                for x, y in (("a", "b"), ("b", "a"))
            ]
            if any(only):
                sample = connection.execute(
                    f"select {columns} from a.main.{table} except all select {columns} from b.main.{table} limit 3"
                ).fetchall()
                problems[table] = f"{only[0]} rows only in the original, {only[1]} only in the rebuild; e.g. {sample}"
        return problems
