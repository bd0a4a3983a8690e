"""Publications (migration 011): each publish that changed the published tables is numbered and kept.

`record` runs in the publisher's connection, under the writer lock, before the snapshot is copied
(warehouse.snapshot.publish), so the snapshot holds its own row. A publish whose tables equal the
last publication's (same digests: a safety-net run with an empty inbox) is not numbered again: its
snapshot carries the last publication, which describes it exactly.

`rebuild_past` writes a past publication's warehouse into a new DuckDB file, from the history every
snapshot keeps: the submission records up to the publication's last id with their supersession as
it was then (recomputed among them, as the loader does), their facts and findings, the approval log
up to its last action, the roll-up stored again, and the views' clock (`now()`) set to the
publication's time. The catalog tables are today's: the warehouse keeps no history of the catalog.
The normal report then runs on that file (chiso.publications).
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from warehouse.db import SQL, STORAGE_VERSION, VIEWS, connect, migrate, query_rows, read_sql, sql, transaction
from warehouse.load import refresh_rollup

# The publications' own tables: kept by the warehouse alone, never rebuilt from the archive's files.
OWN_TABLES = ("publications", "publication_changes", "publication_tables")
NOT_REBUILDABLE = OWN_TABLES
# Not digested: the publications' own tables, the migrations' list, the notices' ledger (written after
# each publish: a notice sent changes no published figure).
NOT_DIGESTED = (*OWN_TABLES, "schema_migrations", "notices", "runs_before_notices")
CAUSES = ("ingest", "dag", "approval", "publish")


class NoSuchPublication(LookupError):
    """A publication asked for that the snapshot does not hold; the message says which there are."""


@dataclass(frozen=True)
class Publication:
    number: int
    published_at: datetime  # province time
    cause: str
    run_id: str | None
    last_submission_id: int | None
    last_action_id: int | None
    digest: str


def open_writer(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """The publisher's connection: the warehouse as its loader left it (migrated already, so opened
    without re-creating the views: a tenth of `warehouse.db.connect`'s time), migrated if it is not."""
    connection = duckdb.connect(str(warehouse), config={"storage_compatibility_version": STORAGE_VERSION})
    if not _ready(connection):
        migrate(connection)
    return connection


def _one(connection: duckdb.DuckDBPyConnection, statement: str, *parameters: object) -> tuple:
    """The one row a statement answers (an aggregate's)."""
    row = connection.execute(statement, list(parameters)).fetchone()
    assert row is not None, statement
    return row


def _ready(connection: duckdb.DuckDBPyConnection) -> bool:
    return bool(_one(connection, sql("publications_ready"))[0])


def table_digests(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, int, str]]:
    """(table, rows, digest) of every published table, by name."""
    tables = [row[0] for row in connection.execute(sql("published_tables"), [list(NOT_DIGESTED)]).fetchall()]
    statement = sql("table_digest")
    return [(table, *_one(connection, statement, table)) for table in tables]


def record(connection: duckdb.DuckDBPyConnection, *, cause: str, run_id: str | None = None) -> int:
    """Number and keep this publish (in one transaction), unless the published tables equal the last
    publication's; the number the snapshot about to be copied carries."""
    if cause not in CAUSES:
        raise ValueError(f"publication cause {cause!r} is not one of {CAUSES}")
    tables = table_digests(connection)
    digest = hashlib.md5("".join(f"{t}\t{n}\t{d}\n" for t, n, d in tables).encode(), usedforsecurity=False)
    last = connection.execute(sql("last_publication")).fetchone()
    if last is not None and last[1] == digest.hexdigest():
        return last[0]
    number = last[0] + 1 if last else 1
    with transaction(connection):
        connection.execute(sql("record_publication"), [number, cause, run_id, digest.hexdigest()])
        connection.execute(sql("publication_changes"), [number, last[2] if last else None])
        connection.executemany(sql("record_publication_table"), [(number, *table) for table in tables])
    return number


def publications(connection: duckdb.DuckDBPyConnection) -> list[Publication]:
    """Every publication the warehouse (or snapshot) holds, the newest first; none before migration 011."""
    if not _ready(connection):
        return []
    return [Publication(**row) for row in query_rows(connection, SQL / "publications.sql")]


def find(
    connection: duckdb.DuckDBPyConnection, number: int | None = None, as_of: datetime | None = None
) -> Publication:
    """Publication `number`, or the one in force at `as_of` (province time: the last published by
    then), or the latest."""
    held = publications(connection)
    if not held:
        raise NoSuchPublication(
            "the snapshot holds no publication yet: publish first (chiso inbox, chiso ingest --publish)"
        )
    span = f"it holds publications 1 to {held[0].number}, {held[-1].published_at:%Y-%m-%d %H:%M} to " + (
        f"{held[0].published_at:%Y-%m-%d %H:%M}"
    )
    if number is not None:
        found = [p for p in held if p.number == number]
        if not found:
            raise NoSuchPublication(f"no publication {number} in the snapshot: {span}")
        return found[0]
    if as_of is not None:
        found = [p for p in held if p.published_at <= as_of]
        if not found:
            raise NoSuchPublication(f"nothing was published by {as_of:%Y-%m-%d %H:%M}: {span}")
        return found[0]
    return held[0]


def rebuild_past(snapshot: Path, target: Path, publication: Publication) -> Path:
    """Write the warehouse as it was at `publication` to `target` (a new file), from `snapshot`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    shutil.copyfile(snapshot, target)  # not its read-only mode: the copy is trimmed below
    with connect(target) as connection:
        connection.execute("set variable publication_no = ?", [publication.number])
        connection.execute("set variable last_submission = ?", [publication.last_submission_id or 0])
        connection.execute("set variable last_action = ?", [publication.last_action_id or 0])
        with transaction(connection):
            connection.execute(sql("trim_to_publication"))
            connection.execute(sql("supersede_all"))
        refresh_rollup(connection)
        _clock_at(connection, publication.published_at)
        connection.execute("checkpoint")
    return target


def _clock_at(connection: duckdb.DuckDBPyConnection, published_at: datetime) -> None:
    """Re-create the views that read the clock (`now()`: today's completeness) at the publication's time."""
    zone = _one(connection, "select any_value(timezone) from plan")[0] or "UTC"
    instant = published_at.replace(tzinfo=ZoneInfo(zone)).isoformat(sep=" ")
    for script in sorted(VIEWS.glob("*.sql")):
        text = read_sql(script)
        if "now()" in text:
            connection.execute(text.replace("now()", f"timestamptz '{instant}'"))
