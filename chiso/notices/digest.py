"""The weekly digest for the province: how reporting stands, who is behind, what was refused.

It goes on the first notify of each ISO week (the reminders DAG's Monday run; a later day if
Monday's failed): the ledger knows it by the province's code and the week (`2026-W49`).
"""

from __future__ import annotations

from datetime import date

from chiso.notices.contacts import Directory
from chiso.notices.plan import Plan, notice_of, rows, set_day

# A digest lists at most this many rows a section; the attached report has them all.
SECTION_ROWS = 25


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest(connection, people: Directory, names: dict[str, str], as_of: date) -> Plan:
    plan = Plan()
    week = week_of(as_of)
    (told,) = connection.execute("select told('digest', ?, '', ?, '')", [people.province_code, week]).fetchone()
    if told:
        return plan
    set_day(connection, as_of)
    content = {"as_of": as_of.isoformat(), "week": week, "latest": rows(connection, "digest_latest")}
    for section in ("outstanding", "refused", "late"):
        found = rows(connection, f"digest_{section}")
        content[section] = {"rows": found[:SECTION_ROWS], "total": len(found)}
    entry = {
        "kind": "digest",
        "notice_unit": people.province_code,
        "notice_dataset": "",
        "notice_period": week,
        "run_id": "",
        "submission_id": None,
    }
    plan.add(notice_of("digest", people.province_code, names, people.of_role("province"), [entry], content))
    return plan
