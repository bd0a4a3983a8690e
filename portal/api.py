"""The JSON API for a unit's own systems: bearer tokens, the same checks and verdicts as the pages.

A unit's token reaches only that unit's sends, verdicts, obligations, templates and approvals; another
unit's send answers 404. A province token (role `province`) reads every unit's, and accepts, returns
and reopens reports; a unit's approver's token approves and withdraws its own unit's.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import JSONResponse, Response

from portal import actions, approvals, views
from portal.auth import ApiAccount, portal_of
from portal.errors import PortalError
from portal.models import (
    ApprovalActionIn,
    ApprovalAnswerOut,
    ApprovalOut,
    ErrorOut,
    LoggedActionOut,
    ObligationOut,
    QueryIn,
    QueryOut,
    SendOut,
    VerdictOut,
)
from portal.render import zoned
from portal.templates_served import XLSX, template_response
from portal.uploads import read_form, send_by_id, sends_of

_FILE_FIELD = {
    "type": "object",
    "required": ["file"],
    "additionalProperties": False,
    "properties": {
        "file": {
            "type": "string",
            "format": "binary",
            "description": "the report file: its name ends in .xlsx (the template) or .csv",
        }
    },
}
_FILE_TYPES = {"file": {"contentType": f"{XLSX}, text/csv"}}
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": _FILE_FIELD, "encoding": _FILE_TYPES}},
    }
}
# FastAPI's `responses`: a status code -> what its answer is (`dict` is invariant: the type is FastAPI's own).
Responses = dict[int | str, dict[str, Any]]
_REFUSED: Responses = {
    400: {"model": ErrorOut, "description": "the body is not a multipart form of the documented field"},
    401: {"model": ErrorOut, "description": "no valid API token"},
    403: {"model": ErrorOut, "description": "the file is another unit's report"},
    413: {"model": ErrorOut, "description": "the upload is over CHISO_MAX_FILE_BYTES"},
    422: {"model": ErrorOut, "description": "no file, or a file type the portal does not take (it takes .xlsx, .csv)"},
    503: {"model": ErrorOut, "description": "too many uploads in progress: try again after `Retry-After` seconds"},
}
_NOT_FOUND: Responses = {
    401: _REFUSED[401],
    404: {"model": ErrorOut, "description": "not this unit's, or no such thing"},
    422: {"model": ErrorOut, "description": "a parameter that is not valid (a send id that is not a number)"},
}

router = APIRouter(prefix="/api/v1", tags=["reporting units"])


async def _file_form(request: Request, max_bytes: int) -> FormData:
    """The upload's form, with nothing in it but the documented `file`."""
    form = await read_form(request, max_bytes)
    if set(form.keys()) - {"file"}:
        await form.close()
        raise PortalError(422, "portal.only_file")
    return form


@router.post("/dry-run", response_model=VerdictOut, openapi_extra=UPLOAD_BODY, responses=_REFUSED)
async def dry_run(request: Request, account: ApiAccount) -> VerdictOut:
    """Check a file as the ingest would, now, with the same suites; nothing is sent or stored."""
    portal = portal_of(request)
    with portal.admission.slot(account.account_id):
        form = await _file_form(request, portal.settings.max_file_bytes)
        try:
            verdict = await actions.dry_run(portal, account, form)
        finally:
            await form.close()
    return VerdictOut.of(verdict)


@router.post("/submissions", status_code=202, response_model=SendOut, openapi_extra=UPLOAD_BODY, responses=_REFUSED)
async def send(request: Request, account: ApiAccount) -> SendOut:
    """Send a file: it lands in the inbox at once, and the ingest judges it (202: accepted for processing)."""
    portal = portal_of(request)
    with portal.admission.slot(account.account_id):
        form = await _file_form(request, portal.settings.max_file_bytes)
        try:
            sent = await actions.send(portal, account, form)
        finally:
            await form.close()
    with views.snapshot(portal.settings.snapshot) as db:
        (file,) = views.with_provisionals(db, portal.settings, portal.accounts, views.sent_files(db, [sent]))
    return SendOut.of(sent, file, portal.catalog.timezone)


@router.get("/submissions", response_model=list[SendOut], responses=_NOT_FOUND)
def sends(request: Request, account: ApiAccount) -> list[SendOut]:
    """The unit's sends, newest first, each with its verdict once ingested."""
    portal = portal_of(request)
    sent = sends_of(portal.accounts, None if account.is_province else account.unit_code)
    with views.snapshot(portal.settings.snapshot) as db:
        files = views.with_provisionals(db, portal.settings, portal.accounts, views.sent_files(db, sent))
    return [SendOut.of(send, file, portal.catalog.timezone) for send, file in zip(sent, files)]


@router.get("/submissions/{send_id}", response_model=SendOut, responses=_NOT_FOUND)
def one_send(request: Request, send_id: int, account: ApiAccount) -> SendOut:
    """One send and its verdict (its reasons and warnings once ingested)."""
    portal = portal_of(request)
    sent = send_by_id(portal.accounts, send_id)
    if sent is None or not account.may_see(sent.unit_code):
        raise PortalError(404, "portal.error_404")
    with views.snapshot(portal.settings.snapshot) as db:
        (file,) = views.with_provisionals(db, portal.settings, portal.accounts, views.sent_files(db, [sent]))
    return SendOut.of(sent, file, portal.catalog.timezone)


@router.get("/obligations", response_model=list[ObligationOut], responses=_NOT_FOUND)
def obligations(request: Request, account: ApiAccount) -> list[ObligationOut]:
    """What the unit must report: each data set × period ended, its due date and its status."""
    portal = portal_of(request)
    with views.snapshot(portal.settings.snapshot) as db:
        owed = views.obligations(db, None if account.is_province else account.unit_code, portal.catalog.today())
    zone = portal.catalog.timezone
    return [ObligationOut.of(obligation, portal.catalog.datasets, zone) for obligation in owed]


@router.get(
    "/templates/{dataset}/{period}",
    response_class=Response,
    responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}, **_NOT_FOUND},
)
def template(request: Request, dataset: str, period: str, account: ApiAccount) -> Response:
    """The unit's workbook for a data set and period (`DP-HUYEN`, `2017Q3`): fill it in, send it back."""
    return template_response(portal_of(request).catalog, dataset, account.unit_code, period)


_ACTED: Responses = {
    200: {"model": ApprovalAnswerOut, "description": "recorded"},
    202: {"model": ApprovalAnswerOut, "description": "queued: ask `Location` again for the outcome"},
    400: {"model": ErrorOut, "description": "the body is not JSON"},
    401: _REFUSED[401],
    403: {"model": ErrorOut, "description": "the account does not hold the action's role for that unit"},
    404: _NOT_FOUND[404],
    409: {"model": ApprovalAnswerOut, "description": "refused by the state machine: why, in `vi` and `en`"},
    422: {"model": ErrorOut, "description": "not a valid action, or a reason that cannot be kept"},
}


@router.get("/approvals", response_model=list[ApprovalOut], tags=["approval"], responses=_NOT_FOUND)
def approval_states(request: Request, account: ApiAccount, period: str | None = None) -> list[ApprovalOut]:
    """The approval state of each report (slot) the token sees, newest period first (500 at most: `period`
    narrows it to a quarter, `2017Q2`, or a year, `2017`, with its quarters), with what it may do on each
    now and the values changed since approval."""
    portal = portal_of(request)
    wanted = views.chosen_period(portal.catalog, period)
    with views.snapshot(portal.settings.snapshot) as db:
        slots = approvals.slot_views(db, account, portal.accounts.granted(account), wanted, approvals.SHOWN)
        approvals.with_details(db, slots)
    return [ApprovalOut.of(slot, portal.catalog.timezone) for slot in slots]


@router.get("/approvals/log", response_model=list[LoggedActionOut], tags=["approval"], responses=_NOT_FOUND)
def approval_log(request: Request, account: ApiAccount, period: str | None = None) -> list[LoggedActionOut]:
    """The latest approval actions on the reports the token sees, newest first (the log is never edited)."""
    portal = portal_of(request)
    wanted = views.chosen_period(portal.catalog, period)
    with views.snapshot(portal.settings.snapshot) as db:
        rows = approvals.log_rows(db, account, wanted, limit=approvals.SHOWN)
    zone = portal.catalog.timezone
    return [LoggedActionOut(**{**row, "acted_at": zoned(row["acted_at"], zone)}) for row in rows]


@router.post("/approvals/{dataset}/{period}", response_model=ApprovalAnswerOut, tags=["approval"], responses=_ACTED)
async def act_on(request: Request, dataset: str, period: str, body: ApprovalActionIn, account: ApiAccount) -> Response:
    """Approve, withdraw, accept, return or reopen a report: queued for the warehouse's one writer and
    waited for up to CHISO_PORTAL_ACTION_WAIT seconds (200 recorded, 409 refused, 202 still queued)."""
    portal = portal_of(request)
    unit = body.unit_code or ("" if account.is_province else account.unit_code)
    reason = approvals.reason_of(body.reason)
    granted = portal.accounts.granted(account)
    key = f"{dataset}|{unit}|{period}"
    step = approvals.step_of(portal, account, granted, body.action, key, reason, body.until)
    request_id, answered = await approvals.take(portal, account, [step])
    return _answered(portal, request_id, answered)


@router.get("/approval-requests/{request_id}", response_model=ApprovalAnswerOut, tags=["approval"], responses=_ACTED)
def approval_request(request: Request, request_id: str, account: ApiAccount) -> Response:
    """What became of an action this token's account asked for."""
    portal = portal_of(request)
    if not approvals.asked_by(portal, account, request_id):
        raise PortalError(404, "portal.error_404")
    return _answered(portal, request_id, approvals.answer_for(portal, account, request_id))


def _answered(portal, request_id: str, answered) -> Response:
    out = ApprovalAnswerOut.of(request_id, answered, portal.catalog.timezone)
    status = {"done": 200, "refused": 409, "waiting": 202}[out.outcome]
    headers = {"location": f"/api/v1/approval-requests/{request_id}"} if status == 202 else None
    return JSONResponse(out.model_dump(mode="json"), status, headers)


_QUERIED: Responses = {
    400: {"model": ErrorOut, "description": "the SQL cannot run, or a limit stopped it: why, in `vi` and `en`"},
    401: _REFUSED[401],
    403: {"model": ErrorOut, "description": "not a province token: the desk is the province's"},
    404: {"model": ErrorOut, "description": "nothing published yet"},
    422: {"model": ErrorOut, "description": "the body is not `{sql, page, page_size}` within their bounds"},
    503: {"model": ErrorOut, "description": "the desk runs other queries: try again after `Retry-After` seconds"},
}


@router.post("/query", response_model=QueryOut, tags=["analysts"], responses=_QUERIED)
async def query(request: Request, body: QueryIn, account: ApiAccount) -> QueryOut:
    """SQL on the published snapshot, as on the desk's page and as `chiso query` runs it: read-only, no other
    file, held to CHISO_DESK_SECONDS and CHISO_QUERY_MEMORY; at most CHISO_DESK_ROWS rows kept, one page
    answered."""
    if not account.is_province:
        raise PortalError(403, "portal.error_403")
    desk = request.app.state.desk
    answer = await run_in_threadpool(desk.run, body.sql)
    return QueryOut.of(desk.page(answer, body.page, body.page_size))
