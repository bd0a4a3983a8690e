"""A slot the province returned: its unit — clerk and approvers — told the reviewer's reason, once per return.

Owed by each `return` action of the approval log (`owed_returned.sql`), claimed by whichever notify
runs first: after an ingest, or the daily one. The reviewer is named as its account or the catalog
names it, never by its address: a reviewer's login printed in the units' mail invites
wrong-password attempts on it (the same reason Reply-To holds role addresses only).
"""

from __future__ import annotations

from chiso.notices import links
from chiso.notices.kinds import QUERIES, NoticeKind, register


def content(rows: list[dict], owed) -> dict:
    """The returned slots, each with the name of who returned it ("" when no name is known)."""
    sent_as = owed.people.sent_as([row["file_name"] for row in rows if row.get("file_name")])
    returned = []
    for row in rows:
        slot = {key: value for key, value in row.items() if key != "returned_by"}
        slot["returned_by_name"] = owed.people.name_of(row["returned_by"])
        slot["file_name"] = sent_as.get(row["file_name"], row["file_name"])
        returned.append(slot)
    return {"returned": returned}


def link(content: dict, unit_code: str, portal_url: str, attached: set[str]) -> None:
    """Each returned slot leads to the portal's approvals, where the unit approves again (or its file page)."""
    for slot in content["returned"]:
        slot["link"] = links.approvals_page(portal_url) if portal_url else ""


KIND = register(
    NoticeKind(
        name="returned",
        items=("returned",),
        query=QUERIES / "owed_returned.sql",
        when=("after_ingest", "daily"),
        audience=("unit", "approvers"),
        subject="notice.subject_returned",
        content=content,
        reply_to=True,
        link=link,
    )
)
