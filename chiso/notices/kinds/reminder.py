"""The reminder: the reports a unit owes soon or is late with, each with its pre-filled template attached.

`due_soon` from the data set's `reminder_days_before` days before the due date, `overdue` from
the day after it; each report once of each (`owed_reminders.sql`).
"""

from __future__ import annotations

import logging

from chiso.notices import links
from chiso.notices.kinds import QUERIES, Attachment, NoticeKind, register
from transforms.template.form import TemplateError, template_file_name

log = logging.getLogger(__name__)
ITEMS = ("due_soon", "overdue")
# A reminder attaches at most this many templates: those due soon, then the latest overdue. A unit far behind
# (a new system's first reminder lists every report since the plan began) gets the others from the portal,
# each report's link: a mail with dozens of workbooks is one a clerk cannot use, and servers refuse large ones.
MAX_TEMPLATES = 4
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def templates(notice, catalog, settings) -> list[Attachment]:
    """The unit's pre-filled template of each report it owes, up to MAX_TEMPLATES."""
    # openpyxl only when a reminder is delivered: not when the DAGs are parsed
    from transforms.template.workbook import build_template

    overdue = sorted(notice.content.get("overdue", []), key=lambda report: report["due_date"], reverse=True)
    made = []
    for report in [*notice.content.get("due_soon", []), *overdue][:MAX_TEMPLATES]:
        dataset, period = report["dataset_code"], report["period"]
        try:
            data = build_template(catalog, dataset, notice.unit_code, period)
        except TemplateError as error:  # the catalog changed since: the reminder goes without it
            log.warning("no template for %s %s %s: %s", dataset, notice.unit_code, period, error)
            continue
        made.append(Attachment(template_file_name(dataset, notice.unit_code, period), data, *XLSX))
    return made


def link(content: dict, unit_code: str, portal_url: str, attached: set[str]) -> None:
    """Each report leads to what the unit owes on the portal, and to its template (attached or there)."""
    for item in ITEMS:
        for report in content[item]:
            name = template_file_name(report["dataset_code"], unit_code, report["period"])
            report["template_file"] = name if name in attached else ""
            report["link"] = links.due_page(portal_url, unit_code) if portal_url else ""
            report["template_link"] = (
                links.template_page(portal_url, report["dataset_code"], report["period"]) if portal_url else ""
            )


KIND = register(
    NoticeKind(
        name="reminder",
        items=ITEMS,
        query=QUERIES / "owed_reminders.sql",
        when="daily",
        audience="unit",
        subject="notice.subject_reminder",
        reply_to=True,
        attachments=templates,
        link=link,
    )
)
