"""The post-ingest notice: a unit's refused files with every reason, its late reports, its files with warnings.

One message per unit for every ingest run it was not told of yet (`owed_ingest.sql`, which also
owes the province the refused files no known unit sent: `unattributed`).
"""

from __future__ import annotations

from chiso.notices import links
from chiso.notices.kinds import QUERIES, NoticeKind, by_item, register
from warehouse.load import findings_of

ITEMS = ("rejected", "late", "warnings")


def files_told(files: list[dict], owed) -> list[dict]:
    """Each file with its reasons and warnings, named as the clerk named it (the inbox holds the portal's names)."""
    found = findings_of(owed.connection, [f["submission_id"] for f in files])
    sent_as = owed.people.sent_as([f[key] for f in files for key in ("file_name", "in_force_file_name") if f.get(key)])
    for file in files:
        for key in ("file_name", "in_force_file_name"):
            if file.get(key) in sent_as:
                file[key] = sent_as[file[key]]
        findings = found.get(file["submission_id"], [])
        file["reasons"] = [_finding(f) for f in findings if f.severity == "critical"]
        file["warnings"] = [_finding(f) for f in findings if f.severity == "warning"]
    return files


def content(files: list[dict], owed) -> dict:
    return by_item(files_told(files, owed), ITEMS)


def link(content: dict, unit_code: str, portal_url: str, attached: set[str]) -> None:
    """Each file leads to its page on the portal."""
    for item in ITEMS:
        for file in content[item]:
            file["link"] = links.file_page(portal_url, unit_code, file) if portal_url else ""


def _finding(finding) -> dict:
    return {
        "rule": finding.rule,
        "check": finding.check,
        "vi": finding.vi,
        "en": finding.en,
        "rows": list(finding.rows),
        "values": [str(value) for value in finding.values],
    }


KIND = register(
    NoticeKind(
        name="ingest",
        items=ITEMS,
        query=QUERIES / "owed_ingest.sql",
        when="after_ingest",
        audience="unit",
        subject="notice.subject_ingest",
        content=content,
        reply_to=True,
        link=link,
    )
)
