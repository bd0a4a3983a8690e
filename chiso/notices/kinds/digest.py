"""The weekly digest for the province: how reporting stands, who is behind, what was refused, and
the approvals: the reports awaiting its acceptance and those changed since their unit approved them.

It goes on the first notify of each ISO week (the reminders DAG's Monday run; a later day if
Monday's failed): the ledger knows it by the province's code and the week (`2026-W49`,
`owed_digest.sql`). The monitoring report is attached when there is one.
"""

from __future__ import annotations

from chiso.notices import links
from chiso.notices.kinds import QUERIES, Attachment, NoticeKind, register
from chiso.notices.owed import rows
from chiso.report import REPORT_NAME

# A digest lists at most this many rows a section; the attached report has them all.
SECTION_ROWS = 25


def content(owed_rows: list[dict], owed) -> dict:
    [week] = {row["notice_period"] for row in owed_rows}
    found = {"as_of": owed.as_of.isoformat(), "week": week, "latest": rows(owed.connection, "digest_latest")}
    for section in ("outstanding", "refused", "late", "awaiting", "changed"):
        section_rows = rows(owed.connection, f"digest_{section}")
        found[section] = {"rows": section_rows[:SECTION_ROWS], "total": len(section_rows)}
    return found


def link(content: dict, unit_code: str, portal_url: str, attached: set[str]) -> None:
    """The approvals lead to the portal's page where the province accepts or returns them."""
    content["approvals_link"] = links.approvals_page(portal_url) if portal_url else ""


def report(notice, catalog, settings) -> list[Attachment]:
    """The monitoring report as it was last written (CHISO_REPORTS), if it was."""
    path = settings.reports / REPORT_NAME
    return [Attachment(path.name, path.read_bytes(), "text", "html")] if path.is_file() else []


KIND = register(
    NoticeKind(
        name="digest",
        items=("digest",),
        query=QUERIES / "owed_digest.sql",
        when="daily",
        audience="province",
        subject="notice.subject_digest",
        subject_fields=lambda unit_name, content: {"week": content["week"]},
        content=content,
        attachments=report,
        link=link,
    )
)
