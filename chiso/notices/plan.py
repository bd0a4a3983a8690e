"""What is owed to whom: the notices a warehouse owes, read from its verdicts, due dates and ledger.

A `Notice` is one message to one unit (or the province): the ledger items it settles and the
content its templates render. Everything in it is plain JSON (dates as ISO text), so that a
plan can travel between Airflow tasks as an XCom. Reading only: claiming is the ledger's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from chiso.notices.contacts import Directory, Recipient
from warehouse.db import query_rows, read_sql
from warehouse.load import findings_of

QUERIES = Path(__file__).resolve().parent / "queries"
# The post-ingest kinds a unit's message carries, in the order it tells them.
INGEST_KINDS = ("rejected", "late", "warnings")
# What the ledger knows an item by (its primary key).
LEDGER_KEY = ("kind", "unit_code", "dataset_code", "period", "run_id")


@dataclass
class Notice:
    message_kind: str  # ingest | unattributed | reminder | digest
    unit_code: str
    unit_name: str
    recipients: list[dict]  # {email, name}
    items: list[dict]  # ledger keys: kind, unit_code, dataset_code, period, run_id, submission_ids
    content: dict
    message_id: str = ""


@dataclass
class Plan:
    notices: list[Notice] = field(default_factory=list)
    # Notices owed to a unit nobody can be written to: {unit_code, message_kind, items}.
    unaddressed: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Plan:
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
    return [
        {key: _plain(value) for key, value in row.items()} for row in query_rows(connection, QUERIES / f"{name}.sql")
    ]


def open_ledger(connection) -> None:
    """`told(kind, unit, data set, period, run)` on the notifier's connection: the one test of
    whether an item is owed still, which every query of what is owed applies."""
    connection.execute(read_sql(QUERIES / "told.sql"))


def set_day(connection, as_of: date) -> None:
    """The day the reminder and digest queries look from (`reports_as_of`, `getvariable('as_of')`)."""
    connection.execute("set variable as_of = ?", [as_of])
    connection.execute("create or replace temp view reports_as_of as " + read_sql(QUERIES / "reports_as_of.sql"))


def ingest_notices(connection, people: Directory, names: dict[str, str]) -> Plan:
    """One message per unit for every file of every run not told yet; one to the province for the
    refused files no known unit sent."""
    files = rows(connection, "owed_ingest")
    found = findings_of(connection, [f["submission_id"] for f in files])
    # The clerk's own names of the files sent through the portal (the inbox holds the portal's names).
    sent_as = people.sent_as([f[key] for f in files for key in ("file_name", "in_force_file_name") if f.get(key)])
    for file in files:
        for key in ("file_name", "in_force_file_name"):
            if file.get(key) in sent_as:
                file[key] = sent_as[file[key]]
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for file in files:
        findings = found.get(file["submission_id"], [])
        file["reasons"] = [_finding(f) for f in findings if f.severity == "critical"]
        file["warnings"] = [_finding(f) for f in findings if f.severity == "warning"]
        by_unit[file["notice_unit"]].append(file)
    plan = Plan()
    for unit_code, unit_files in by_unit.items():
        told = [f for f in unit_files if f["kind"] != "unattributed"]
        if told:
            content = {kind: [f for f in told if f["kind"] == kind] for kind in INGEST_KINDS}
            plan.add(notice_of("ingest", unit_code, names, people.of_unit(unit_code), told, content))
        unattributed = [f for f in unit_files if f["kind"] == "unattributed"]
        if unattributed:
            content = {"files": unattributed}
            province = people.of_role("province")
            plan.add(notice_of("unattributed", unit_code, names, province, unattributed, content))
    return plan


def reminders(connection, people: Directory, names: dict[str, str], as_of: date) -> Plan:
    """One message per unit with the reports due soon or overdue on `as_of` it was not reminded of."""
    set_day(connection, as_of)
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for report in rows(connection, "owed_reminders"):
        by_unit[report["notice_unit"]].append(report)
    plan = Plan()
    for unit_code, reports in by_unit.items():
        content = {kind: [r for r in reports if r["kind"] == kind] for kind in ("due_soon", "overdue")}
        plan.add(notice_of("reminder", unit_code, names, people.of_unit(unit_code), reports, content))
    return plan


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


def _finding(finding) -> dict:
    return {
        "rule": finding.rule,
        "check": finding.check,
        "vi": finding.vi,
        "en": finding.en,
        "rows": list(finding.rows),
        "values": [str(value) for value in finding.values],
    }


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
