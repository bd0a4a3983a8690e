"""The province's lineage page: where a figure comes from. A roll-up figure (`?indicator=&period=&scope=
&disaggregation=`, as each figure of the report links to it) or a completeness cell (`?dataset=&unit=&period=`,
as the desk's and the lists' reports link to it), and the unit values and files behind it: each file as the
clerk named it, when it was received, who sent it (the portal account, or a copy into the inbox) and its rows.
Province accounts only, like the desk: a unit's account is refused (403)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from chiso import lineage
from portal.auth import ProvinceSession, portal_of
from portal.errors import PortalError
from portal.pages.common import page_context
from portal.render import page, say
from portal.uploads import senders, sends_named
from portal.views import snapshot

router = APIRouter(include_in_schema=False)


@router.get("/province/lineage")
def lineage_page(request: Request, session: ProvinceSession) -> Response:
    portal = portal_of(request)
    asked = request.query_params
    period = asked.get("period") or ""
    with snapshot(portal.settings.snapshot) as db:
        if db is None:
            raise PortalError(404, "portal.no_data")
        try:
            if asked.get("dataset") and asked.get("unit"):
                figures, cell = [], lineage.cell(db, asked["dataset"], asked["unit"], period)
            elif asked.get("indicator"):
                figures = lineage.figures(
                    db, asked["indicator"], period, asked.get("scope") or "province", asked.get("disaggregation")
                )
                cell = []
            else:
                raise lineage.NoSuchFigure("nothing asked")
        except lineage.NoSuchFigure:
            raise PortalError(404, "lineage.not_found") from None
    # A file sent through the portal: the name its clerk gave it, and the account that sent it.
    rows = [row for figure in figures for row in figure.rows] + [row for row in cell if row["submission_id"]]
    sends = sends_named(portal.accounts, [row["file_name"] for row in rows])
    emails = senders(portal.accounts)
    for row in rows:
        send = sends.get(row["file_name"])
        row["shown_name"] = send.client_file_name if send else row["file_name"]
        row["sender"] = row["sent_by"] or (emails.get(send.account_id) if send else None)
    context = page_context(
        request,
        session,
        say("lineage.title"),
        figures=[{"figure": figure, "files": figure.files()} for figure in figures],
        cell=cell,
    )
    return page("lineage.html.j2", context)
