"""A unit's files: check one (the dry run), send it, a sent file's page, a reporting template.
A file or template of another unit answers 404, as if it did not exist."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from portal import actions, views
from portal.accounts import catalog_unit
from portal.auth import PageSession, Session, check_csrf, portal_of
from portal.errors import PortalError
from portal.pages.common import page_context
from portal.render import local_time, page, say
from portal.security import token_digest
from portal.templates_served import template_response
from portal.uploads import KEPT_SECONDS, read_form, send_by_id
from portal.views import snapshot

router = APIRouter(include_in_schema=False)


def _session_key(session: Session) -> str:
    """What binds a checked file kept for sending to this browser's session (never the token itself)."""
    return token_digest(session.token)


@router.post("/dry-run")
async def dry_run(request: Request, session: PageSession) -> Response:
    portal = portal_of(request)
    with portal.admission.slot(session.account.account_id):
        form = await read_form(request, portal.settings.max_file_bytes)
        try:
            check_csrf(form, session.csrf_token)
            verdict, kept = await actions.check(portal, session.account, form, _session_key(session))
        finally:
            await form.close()
    context = page_context(
        request, session, say("portal.check_title"), verdict=verdict, kept=kept, kept_minutes=KEPT_SECONDS // 60
    )
    return page("verdict.html.j2", context)


@router.get("/send")
def send_form(session: PageSession) -> Response:
    """A reload or a bookmark of the send's address: nothing to send, the home page (with its form)."""
    return RedirectResponse("/", 303)


@router.post("/send")
async def send(request: Request, session: PageSession) -> Response:
    """Post/Redirect/Get: the send answers 303 to the file's own page, so reloading it never sends again."""
    portal = portal_of(request)
    with portal.admission.slot(session.account.account_id):
        form = await read_form(request, portal.settings.max_file_bytes)
        try:
            check_csrf(form, session.csrf_token)
            sent = await actions.send(portal, session.account, form, _session_key(session))
        finally:
            await form.close()
    return RedirectResponse(f"/sends/{sent.send_id}", 303)


@router.get("/sends/{send_id}")
def one_send(request: Request, send_id: int, session: PageSession) -> Response:
    """A file sent through the portal: what was received, when, and its verdict once the ingest judged it."""
    portal = portal_of(request)
    sent = send_by_id(portal.accounts, send_id)
    if sent is None or not session.account.may_see(sent.unit_code):
        raise PortalError(404, "portal.error_404")
    with snapshot(portal.settings.snapshot) as db:
        (file,) = views.with_provisionals(db, portal.settings, portal.accounts, views.sent_files(db, [sent]))
    sent_at = local_time(sent.sent_at, portal.catalog.timezone)
    context = page_context(request, session, say("portal.sent_title"), send=sent, sent_at=sent_at, file=file)
    return page("sent.html.j2", context)


@router.get("/templates/{dataset}/{period}")
def template(request: Request, dataset: str, period: str, session: PageSession, unit: str | None = None) -> Response:
    code = session.account.unit_code if unit is None else catalog_unit(portal_of(request).catalog.units, unit)
    if not session.account.may_see(code):
        raise PortalError(404, "portal.error_404")
    return template_response(portal_of(request).catalog, dataset, code, period)
