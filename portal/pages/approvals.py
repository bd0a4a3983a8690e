"""The approval page: a unit's approver approves (or withdraws) its reports, the province accepts one or
many at once, returns one with a reason or reopens one; everyone sees the states and the log of their
scope. A clerk sees the states without the buttons. The action is posted, queued for the writer and
waited for (portal.approvals); the answer is shown on the page it redirects to (Post/Redirect/Get)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from core.kinds import APPROVAL_STATES
from portal import approvals
from portal.auth import PageSession, check_csrf, portal_of
from portal.errors import PortalError
from portal.pages.common import page_context, period_context, period_filter
from portal.render import dataset_name, page, say
from portal.uploads import read_form
from portal.views import chosen_period, snapshot

router = APIRouter(include_in_schema=False)
FORM_BYTES = 256 * 1024  # a page of checked slots and a reason
SHOWN_PER_LIST = 60  # reports shown in each list of the page; a period filter shows the others


@router.get("/approvals")
def approvals_page(request: Request, session: PageSession, request_id: str = "") -> Response:
    portal = portal_of(request)
    account = session.account
    granted = portal.accounts.granted(account)
    wanted = period_filter(request)
    with snapshot(portal.settings.snapshot) as db:
        slots = approvals.slot_views(db, account, granted, wanted, None)
        by_state = {state: [s for s in slots if s.state == state] for state in APPROVAL_STATES.codes}
        if db is not None:  # the values and changes of the reports each list shows
            approvals.with_details(db, [s for listed in by_state.values() for s in listed[:SHOWN_PER_LIST]])
        log = approvals.log_rows(db, account, wanted)
    answered = approvals.answer_for(portal, account, request_id) if request_id else None
    context = page_context(
        request,
        session,
        say("portal.approvals_title"),
        slots=slots,
        by_state=by_state,
        accepting=any("accept" in s.actions for s in slots),
        acts=any(s.actions for s in slots) or bool(granted) or account.is_province,
        log=log,
        shown=SHOWN_PER_LIST,
        **period_context(request, wanted),
        request_id=request_id if request_id and answered is None else "",
        answered=answered,
        dataset_names={code: dataset_name(portal.catalog, code) for code in portal.catalog.datasets},
        unit_names={code: unit["unit_name"] for code, unit in portal.catalog.units.items()},
        states=APPROVAL_STATES,
    )
    return page("approvals.html.j2", context)


@router.post("/approvals")
async def act(request: Request, session: PageSession) -> Response:
    """One action on the slots ticked (`slot`, repeated): all recorded together, or none."""
    portal = portal_of(request)
    form = await read_form(request, FORM_BYTES, max_files=0, max_fields=approvals.MAX_SLOTS + 5)
    try:
        check_csrf(form, session.csrf_token)
        action = str(form.get("action") or "")
        keys = [str(key) for key in form.getlist("slot")]
        reason = approvals.reason_of(str(form.get("reason") or ""))
        until = approvals.until_of(str(form.get("until") or ""))
        period = str(form.get("period") or "all")
    finally:
        await form.close()
    if not keys:
        raise PortalError(422, "portal.approval_none_ticked")
    account = session.account
    granted = portal.accounts.granted(account)
    steps = [approvals.step_of(portal, account, granted, action, key, reason, until) for key in keys]
    request_id, _ = await approvals.take(portal, account, steps)
    wanted = chosen_period(portal.catalog, period)
    return RedirectResponse(f"/approvals?request_id={request_id}&period={wanted or 'all'}", 303)
