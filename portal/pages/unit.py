"""A unit's pages: the home page (the province's desk for a province account) and a unit's page,
what it owes and the files it sent. Another unit's page answers 404, as if it did not exist."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from portal import views
from portal.accounts import catalog_unit
from portal.auth import PageSession, Session, portal_of
from portal.errors import PortalError
from portal.pages.common import page_context
from portal.pages.province import province_page
from portal.render import dataset_name, page, unit_heading
from portal.uploads import sends_of
from portal.views import snapshot

router = APIRouter(include_in_schema=False)
OWED_ON_HOME = 4  # reports owed shown first on a unit's home page, the others one click away
LATEST_ON_HOME = 5  # files shown whole on a unit's home page; the older ones are folded in its history


@router.get("/")
def home(request: Request, session: PageSession) -> Response:
    if session.account.is_province:
        return province_page(request, session)
    return _unit_page(request, session, session.account.unit_code)


@router.get("/units/{code}")
def unit_page(request: Request, code: str, session: PageSession) -> Response:
    wanted = catalog_unit(portal_of(request).catalog.units, code)
    if wanted is None or not session.account.may_see(wanted):
        raise PortalError(404, "portal.error_404")
    return _unit_page(request, session, wanted)


def _unit_page(request: Request, session: Session, code: str) -> Response:
    portal = portal_of(request)
    portal.kept.sweep()  # checked files kept past their time are removed here too, not only at the next check
    catalog = portal.catalog
    sends = sends_of(portal.accounts, code)
    with snapshot(portal.settings.snapshot) as db:
        obligations = views.obligations(db, code, catalog.today())
        files = views.with_provisionals(db, portal.settings, portal.accounts, views.unit_files(db, code, sends))
        has_data = db is not None
    own = code == session.account.unit_code
    context = page_context(
        request,
        session,
        unit_heading(catalog, code),
        has_data=has_data,
        may_send=own,
        owed=[o for o in obligations if not o.done],
        owed_shown=OWED_ON_HOME,
        done=[o for o in obligations if o.done],
        latest=files[:LATEST_ON_HOME],
        older=files[LATEST_ON_HOME:],
        warned=[file for file in files if file.warnings and file.status in ("accepted", "superseded")],
        dataset_names={o.dataset_code: dataset_name(catalog, o.dataset_code) for o in obligations},
        template_query="" if own else f"?unit={code}",
    )
    return page("home.html.j2", context)
