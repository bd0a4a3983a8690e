"""The approver's reminder: the unit's reports waiting for its approval longer than their data set allows.

A slot received (or returned) whose file in force came more than `approve_within_days` days ago
(datasets.csv; blank: never) is owed once per file in force: a newer file starts the wait again
(`owed_approval_reminders.sql`). It goes to the unit's approvers, daily.
"""

from __future__ import annotations

from chiso.notices import links
from chiso.notices.kinds import QUERIES, NoticeKind, register


def content(rows: list[dict], owed) -> dict:
    sent_as = owed.people.sent_as([row["file_name"] for row in rows if row.get("file_name")])
    for row in rows:
        row["file_name"] = sent_as.get(row["file_name"], row["file_name"])
    return {"awaiting_approval": rows}


def link(content: dict, unit_code: str, portal_url: str, attached: set[str]) -> None:
    """Each slot leads to the portal's approvals, where the approver approves it."""
    for slot in content["awaiting_approval"]:
        slot["link"] = links.approvals_page(portal_url) if portal_url else ""


KIND = register(
    NoticeKind(
        name="approval_reminder",
        items=("awaiting_approval",),
        query=QUERIES / "owed_approval_reminders.sql",
        when="daily",
        audience="approvers",
        subject="notice.subject_approval_reminder",
        content=content,
        reply_to=True,
        link=link,
    )
)
