"""What is owed to whom: the notices a warehouse owes, read from its verdicts, due dates and ledger.

A `Notice` is one message to one unit (or the province): the ledger items it settles and the
content its templates render. Everything in it is plain JSON (dates as ISO text), so that a
claim can travel between Airflow tasks as an XCom. Reading only: claiming is the ledger's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from chiso.notices.contacts import Directory, Recipient
from warehouse.db import query_rows, read_sql

QUERIES = Path(__file__).resolve().parent / "queries"
# What the ledger knows an item by (its primary key).
LEDGER_KEY = ("kind", "unit_code", "dataset_code", "period", "run_id")


@dataclass
class Notice:
    message_kind: str  # a registered kind's name (chiso/notices/kinds/): ingest, reminder, …
    unit_code: str
    unit_name: str
    recipients: list[dict]  # {email, name}
    items: list[dict]  # ledger keys: kind, unit_code, dataset_code, period, run_id, submission_ids
    content: dict
    message_id: str = ""


@dataclass
class Claim:
    notices: list[Notice] = field(default_factory=list)
    # Notices owed to a unit nobody can be written to: {unit_code, message_kind, items}.
    unaddressed: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Claim:
        return cls([Notice(**notice) for notice in data["notices"]], data["unaddressed"])

    def add(self, notice: Notice) -> None:
        if notice.recipients:
            self.notices.append(notice)
        else:
            self.unaddressed.append(
                {"unit_code": notice.unit_code, "message_kind": notice.message_kind, "items": len(notice.items)}
            )


def rows(connection, name: str) -> list[dict]:
    """Rows of `queries/<name>.sql` as dicts with JSON-ready values."""
    return json_ready(query_rows(connection, QUERIES / f"{name}.sql"))


def json_ready(found: list[dict]) -> list[dict]:
    """Rows with JSON-ready values (dates as text), as the ledger and the templates take them."""
    return [{key: _plain(value) for key, value in row.items()} for row in found]


def open_ledger(connection) -> None:
    """`told(kind, unit, data set, period, run)` on the notifier's connection: the one test of
    whether an item is owed still, which every query of what is owed applies."""
    connection.execute(read_sql(QUERIES / "told.sql"))


def set_day(connection, as_of: date) -> None:
    """The day the daily kinds' queries look from (`reports_as_of`, `getvariable('as_of')`)."""
    connection.execute("set variable as_of = ?", [as_of])
    connection.execute("create or replace temp view reports_as_of as " + read_sql(QUERIES / "reports_as_of.sql"))


@dataclass
class Owed:
    """What a kind's content is read from: the notifier's connection (the ledger open, the day set),
    who is told, the units' names, and the day of a daily notify."""

    connection: object
    people: Directory
    names: dict[str, str]
    as_of: date | None = None


def owed_notices(kinds: list, connection, people: Directory, names: dict[str, str], as_of: date | None = None) -> Claim:
    """What `kinds` (chiso/notices/kinds/) are owed: one message per kind and addressee, from each kind's
    query (each query read once); `as_of`, the day the daily kinds look from."""
    if as_of is not None:
        set_day(connection, as_of)
    owed = Owed(connection, people, names, as_of)
    found: dict[Path, list[dict]] = {}
    claim = Claim()
    for kind in kinds:
        if kind.query not in found:
            found[kind.query] = json_ready(query_rows(connection, kind.query))
        by_addressee: dict[str, list[dict]] = defaultdict(list)
        for row in found[kind.query]:
            if row["kind"] in kind.items:
                by_addressee[row["notice_unit"]].append(row)
        for unit_code, entries in by_addressee.items():
            recipients = kind.recipients(people, unit_code)
            claim.add(notice_of(kind.name, unit_code, names, recipients, entries, kind.content_of(entries, owed)))
    return claim


def unit_names(connection) -> dict[str, str]:
    return dict(connection.execute("select unit_code, unit_name from units").fetchall())


def notice_of(message_kind, unit_code, names, recipients: list[Recipient], entries: list[dict], content) -> Notice:
    """A message settling the ledger items of `entries` (each a row with its `notice_*` key)."""
    items: dict[tuple, dict] = {}
    for entry in entries:
        key = (entry["kind"], entry["notice_unit"], entry["notice_dataset"], entry["notice_period"], entry["run_id"])
        item = items.setdefault(key, {**dict(zip(LEDGER_KEY, key)), "submission_ids": []})
        if entry["submission_id"] is not None:
            item["submission_ids"].append(entry["submission_id"])
    return Notice(
        message_kind,
        unit_code,
        names.get(unit_code, unit_code),
        [r.as_dict() for r in recipients],
        list(items.values()),
        content,
    )


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
