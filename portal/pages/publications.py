"""The province's publications: every publish of the snapshot, numbered (warehouse.publications), with
what entered and left, and the monitoring report kept for it (chiso.publications), downloadable.

The list comes from the published snapshot (the portal never writes the warehouse); the kept
reports are files under CHISO_HOME/publications/<N>/. A unit's account is refused (403), as on
every page of the province's desk.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from chiso.publications import kept_folder
from chiso.report import OFFICIAL_REPORT_NAME, REPORT_NAME
from chiso.report.build import lineage_path
from portal.auth import ProvinceSession, portal_of
from portal.errors import PortalError
from portal.pages.common import page_context
from portal.render import NO_STORE, page, say
from portal.security import report_policy
from portal.views import snapshot
from warehouse.db import query_rows
from warehouse.publications import publications

router = APIRouter(include_in_schema=False)
QUERIES = Path(__file__).resolve().parent.parent / "queries"
KEPT_NAMES = (REPORT_NAME, OFFICIAL_REPORT_NAME)
# Each kept report's companion (its figures' lineage), which the report's links open.
SERVED_NAMES = KEPT_NAMES + tuple(lineage_path(Path(name)).name for name in KEPT_NAMES)


@router.get("/province/publications")
def publications_page(request: Request, session: ProvinceSession) -> Response:
    """Every publication, the newest first, with its changes and its kept reports."""
    portal = portal_of(request)
    with snapshot(portal.settings.snapshot) as db:
        held = publications(db) if db is not None else []
        rows = query_rows(db, QUERIES / "publications.sql") if held and db is not None else []
    folder = kept_folder(portal.settings)
    kept = {
        row["publication_no"]: [n for n in KEPT_NAMES if (folder / str(row["publication_no"]) / n).is_file()]
        for row in rows
    }
    context = page_context(request, session, say("portal.publications_title"), publications=rows, kept=kept)
    return page("publications.html.j2", context)


@router.get("/province/publications/{number}/{name}")
def kept_report(request: Request, number: int, name: str, session: ProvinceSession) -> Response:
    """A report kept for publication `number`, as it was written then."""
    if name not in SERVED_NAMES:
        raise PortalError(404, "portal.error_404")
    path = kept_folder(portal_of(request).settings) / str(number) / name
    if not path.is_file():
        raise PortalError(404, "portal.error_404")
    html = path.read_text(encoding="utf-8")
    back = say("portal.publications_title")
    nav = f'<nav><a href="/province/publications">{escape(back.vi)} / {escape(back.en)}</a></nav>'
    html = re.sub(r"(<body[^>]*>)", lambda found: found.group(1) + nav, html, count=1)
    return HTMLResponse(html, headers={**NO_STORE, "content-security-policy": report_policy(html)})
