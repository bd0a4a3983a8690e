"""The portal's HTML pages: log in, a unit's home page, check and send a file, the province's overview.

Every page that shows verdicts is filtered by the account: a unit sees only its own unit's files
and the files it sent; another unit's page, file or template answers 404, as if it did not exist.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from chiso.portal import actions, views
from chiso.portal.accounts import catalog_unit, normal_email
from chiso.portal.auth import (
    FORM_COOKIE,
    PageSession,
    ProvinceSession,
    Session,
    check_csrf,
    end_session,
    form_token,
    keep_form_token,
    portal_of,
    session_of,
    start_session,
)
from chiso.portal.errors import PortalError
from chiso.portal.render import NO_STORE, dataset_name, local_time, page, unit_heading
from chiso.portal.security import MIN_PASSWORD_CHARS, report_policy
from chiso.portal.templates_served import template_response
from chiso.portal.uploads import read_form, senders, sends_of
from chiso.portal.views import snapshot
from chiso.report.build import collect, render
from core.vocabulary import Text, say

router = APIRouter(include_in_schema=False)
COMPLETENESS_STATUSES = ("on_time", "late", "missing", "rejected_only", "not_due")


def _context(request: Request, session: Session | None, title: Text, **extra) -> dict:
    return {"session": session, "title": title, "zone": portal_of(request).catalog.timezone, **extra}


# ---------------------------------------------------------------- logging in and out


def _login_page(request: Request, token: str, email: str = "", error: Text | None = None, status: int = 200):
    context = _context(request, None, say("portal.login_title"), form_token=token, email=email, error=error)
    response = page("login.html.j2", context, status)
    keep_form_token(request, response, token)
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    if session_of(request):
        return RedirectResponse("/", 303)
    return _login_page(request, form_token(request))


@router.post("/login")
async def login(request: Request) -> Response:
    portal = portal_of(request)
    form = await read_form(request, max_files=0)
    check_csrf(form, request.cookies.get(FORM_COOKIE))
    email = normal_email(str(form.get("email") or ""))[:254]
    password = str(form.get("password") or "")[:1024]
    client = request.client.host if request.client else "-"
    token = form_token(request)
    wait = portal.logins.retry_after(email, client)
    if wait:
        error = say("portal.login_limited", minutes=-(-wait // 60))
        response = _login_page(request, token, email, error, 429)
        response.headers["retry-after"] = str(wait)
        return response
    account = await run_in_threadpool(portal.accounts.authenticate, email, password)
    if account is None:
        portal.logins.failed(email, client)
        return _login_page(request, token, email, say("portal.login_failed"), 401)
    portal.logins.succeeded(email)
    response = RedirectResponse("/", 303)
    start_session(request, response, account)
    return response


@router.post("/logout")
async def logout(request: Request, session: PageSession) -> Response:
    check_csrf(await read_form(request, max_files=0), session.csrf_token)
    response = RedirectResponse("/login", 303)
    end_session(request, response, session)
    return response


def _link_spent(request: Request) -> HTMLResponse:
    context = _context(
        request, None, say("portal.set_password_title"), kind="error", message=say("portal.link_invalid")
    )
    return page("message.html.j2", {**context, "link": "/login", "link_text": say("portal.login_title")}, 404)


@router.get("/set-password/{link}")
def set_password_form(request: Request, link: str) -> Response:
    account = portal_of(request).accounts.link_account(link)
    if account is None:
        return _link_spent(request)
    token = form_token(request)
    context = _context(
        request, None, say("portal.set_password_title"), account=account, link=link, form_token=token, error=None
    )
    response = page("set_password.html.j2", {**context, "min_chars": MIN_PASSWORD_CHARS})
    keep_form_token(request, response, token)
    return response


@router.post("/set-password/{link}")
async def set_password(request: Request, link: str) -> Response:
    accounts = portal_of(request).accounts
    form = await read_form(request, max_files=0)
    check_csrf(form, request.cookies.get(FORM_COOKIE))
    account = accounts.link_account(link)
    if account is None:
        return _link_spent(request)
    password, again = str(form.get("password") or ""), str(form.get("password_again") or "")
    error = None
    if len(password) < MIN_PASSWORD_CHARS:
        error = say("portal.password_short", chars=MIN_PASSWORD_CHARS)
    elif password != again:
        error = say("portal.password_mismatch")
    if error is None and await run_in_threadpool(accounts.redeem_link, link, password):
        context = _context(
            request, None, say("portal.set_password_title"), kind="ok", message=say("portal.password_set")
        )
        return page("message.html.j2", {**context, "link": "/login", "link_text": say("portal.login_title")})
    if error is None:
        return _link_spent(request)
    token = form_token(request)
    context = _context(
        request, None, say("portal.set_password_title"), account=account, link=link, form_token=token, error=error
    )
    response = page("set_password.html.j2", {**context, "min_chars": MIN_PASSWORD_CHARS}, 422)
    keep_form_token(request, response, token)
    return response


# ---------------------------------------------------------------- a unit's page, the province's page


@router.get("/")
def home(request: Request, session: PageSession) -> Response:
    if session.account.is_province:
        return _province_page(request, session)
    return _unit_page(request, session, session.account.unit_code)


@router.get("/units/{code}")
def unit_page(request: Request, code: str, session: PageSession) -> Response:
    wanted = catalog_unit(portal_of(request).catalog.units, code)
    if wanted is None or not session.account.may_see(wanted):
        raise PortalError(404, "portal.error_404")
    return _unit_page(request, session, wanted)


def _unit_page(request: Request, session: Session, code: str) -> Response:
    portal = portal_of(request)
    catalog = portal.catalog
    sends = sends_of(portal.accounts, code)
    with snapshot(portal.settings.snapshot) as db:
        obligations = views.obligations(db, code, catalog.today())
        files = views.unit_files(db, code, sends)
        has_data = db is not None
    own = code == session.account.unit_code
    context = _context(
        request,
        session,
        unit_heading(catalog, code),
        has_data=has_data,
        may_send=own,
        obligations=obligations,
        files=files,
        warned=[file for file in files if file.warnings and file.status in ("accepted", "superseded")],
        dataset_names={o.dataset_code: dataset_name(catalog, o.dataset_code) for o in obligations},
        template_query="" if own else f"?unit={code}",
    )
    return page("home.html.j2", context)


def _province_page(request: Request, session: Session) -> Response:
    portal = portal_of(request)
    sends = sends_of(portal.accounts, None, views.LATEST)
    with snapshot(portal.settings.snapshot) as db:
        context = _context(
            request,
            session,
            say("portal.province_title"),
            has_data=db is not None,
            units=views.unit_summary(db),
            sends=views.sent_files(db, sends),
            rejected=views.rejected_files(db),
            warnings=views.warnings(db),
        )
    unit_names = {code: row["unit_name"] for code, row in portal.catalog.units.items()}
    extra = {"statuses": COMPLETENESS_STATUSES, "senders": senders(portal.accounts), "latest": views.LATEST}
    return page("province.html.j2", {**context, **extra, "unit_names": unit_names})


@router.get("/report")
def monitoring_report(request: Request, session: ProvinceSession) -> Response:
    """The monitoring report, drawn from the snapshot at each request (its styles allowed by their hashes)."""
    path = portal_of(request).settings.snapshot
    with snapshot(path) as db:
        if db is None:
            raise PortalError(404, "portal.no_data")
        html = render(collect(db), warehouse_name=path.name)
    return HTMLResponse(html, headers={**NO_STORE, "content-security-policy": report_policy(html)})


# ---------------------------------------------------------------- files: check, send, templates


@router.post("/dry-run")
async def dry_run(request: Request, session: PageSession) -> Response:
    portal = portal_of(request)
    with portal.admission.slot(session.account.account_id):
        form = await read_form(request, portal.settings.max_file_bytes)
        try:
            check_csrf(form, session.csrf_token)
            verdict = await actions.dry_run(portal, session.account, form)
        finally:
            await form.close()
    return page("verdict.html.j2", _context(request, session, say("portal.check_title"), verdict=verdict))


@router.post("/send")
async def send(request: Request, session: PageSession) -> Response:
    portal = portal_of(request)
    with portal.admission.slot(session.account.account_id):
        form = await read_form(request, portal.settings.max_file_bytes)
        try:
            check_csrf(form, session.csrf_token)
            sent = await actions.send(portal, session.account, form)
        finally:
            await form.close()
    sent_at = local_time(sent.sent_at, portal.catalog.timezone)
    return page("sent.html.j2", _context(request, session, say("portal.sent_title"), send=sent, sent_at=sent_at))


@router.get("/templates/{dataset}/{period}")
def template(request: Request, dataset: str, period: str, session: PageSession, unit: str | None = None) -> Response:
    code = session.account.unit_code if unit is None else catalog_unit(portal_of(request).catalog.units, unit)
    if not session.account.may_see(code):
        raise PortalError(404, "portal.error_404")
    return template_response(portal_of(request).catalog, dataset, code, period)
