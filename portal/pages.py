"""The portal's HTML pages: log in, a unit's home page, check and send a file, the province's overview.

Every page that shows verdicts is filtered by the account: a unit sees only its own unit's files
and the files it sent; another unit's page, file or template answers 404, as if it did not exist.
"""

from __future__ import annotations

import io
import re
from html import escape

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from chiso.export import csv_text, write_sheet
from chiso.report.build import collect, render
from core import kinds
from core.vocabulary import Text
from portal import actions, views
from portal.accounts import catalog_unit, normal_email
from portal.auth import (
    FORM_COOKIE,
    PageSession,
    ProvinceSession,
    Session,
    check_csrf,
    end_session,
    form_token,
    keep_form_token,
    keep_session,
    open_session,
    portal_of,
    session_of,
    start_session,
)
from portal.errors import PortalError
from portal.render import NO_STORE, dataset_name, local_time, page, say, unit_heading
from portal.security import (
    MAX_PASSWORD_CHARS,
    MIN_PASSWORD_CHARS,
    Busy,
    password_problem,
    report_policy,
    token_digest,
)
from portal.templates_served import template_response
from portal.uploads import KEPT_SECONDS, read_form, send_by_id, senders, sends_named, sends_of
from portal.views import snapshot

router = APIRouter(include_in_schema=False)
COMPLETENESS_STATUSES = kinds.COMPLETENESS_STATUSES.codes
LINK_PATH = "/set-password"
LINK_COOKIE = "chiso_link"  # a set-password link's token, between opening the link and setting the password
LINK_COOKIE_SECONDS = 1800
BUSY_RETRY_SECONDS = 5
OWED_ON_HOME = 4  # reports owed shown first on a unit's home page, the others one click away
CHASED_ON_DESK = 12  # late or missing reports shown on the province's desk, the others in their list
LATEST_ON_HOME = 5  # files shown whole on a unit's home page; the older ones are folded in its history


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


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


def _busy(request: Request, token: str, email: str) -> Response:
    """No password-hash slot came free in time: 503, try again in a few seconds (nothing counted)."""
    response = _login_page(request, token, email, say("portal.busy"), 503)
    response.headers["retry-after"] = str(BUSY_RETRY_SECONDS)
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    """The attempt is counted before the password is hashed (see `LoginLimiter`); a password the policy
    refuses is a wrong one, never truncated nor hashed."""
    portal = portal_of(request)
    form = await read_form(request, max_files=0)
    check_csrf(form, request.cookies.get(FORM_COOKIE))
    email = normal_email(str(form.get("email") or ""))[:254]
    password = str(form.get("password") or "")
    client = _client(request)
    token = form_token(request)
    wait = portal.logins.reserve(email, client)
    if wait:
        error = say("portal.login_limited", seconds=wait)
        response = _login_page(request, token, email, error, 429)
        response.headers["retry-after"] = str(wait)
        return response
    account = None
    if password_problem(password, email) is None:
        try:
            account = await portal.hashes.run(portal.accounts.authenticate, email, password)
        except Busy:
            portal.logins.release(email, client)
            return _busy(request, token, email)
    if account is None:
        return _login_page(request, token, email, say("portal.login_failed"), 401)
    portal.logins.succeeded(email, client)
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
    response = page("message.html.j2", {**context, "link": "/login", "link_text": say("portal.login_title")}, 404)
    response.delete_cookie(LINK_COOKIE, path=LINK_PATH)
    return response


@router.get("/set-password/{link}")
def open_link(request: Request, link: str) -> Response:
    """The e-mailed link: its token moves into a short-lived cookie and the browser goes on to the
    token-free `/set-password`, so the token stays out of the page's address, history and logs.
    Opening the link spends nothing (mail scanners open links too): setting the password does."""
    if portal_of(request).accounts.link_account(link) is None:
        return _link_spent(request)
    response = RedirectResponse(LINK_PATH, 303)
    response.set_cookie(
        LINK_COOKIE,
        link,
        max_age=LINK_COOKIE_SECONDS,
        httponly=True,
        samesite="lax",  # the link is opened from a mail client: a top-level navigation from another site
        secure=request.url.scheme == "https",
        path=LINK_PATH,
    )
    return response


def _set_password_page(request: Request, account, error: Text | None = None, status: int = 200) -> Response:
    token = form_token(request)
    context = _context(request, None, say("portal.set_password_title"), account=account, form_token=token, error=error)
    response = page(
        "set_password.html.j2", {**context, "min_chars": MIN_PASSWORD_CHARS, "max_chars": MAX_PASSWORD_CHARS}, status
    )
    keep_form_token(request, response, token)
    return response


@router.get(LINK_PATH)
def set_password_form(request: Request) -> Response:
    link = request.cookies.get(LINK_COOKIE)
    account = portal_of(request).accounts.link_account(link) if link else None
    if account is None:
        return _link_spent(request)
    return _set_password_page(request, account)


def _new_password_error(form, email: str) -> Text | None:
    password, again = str(form.get("password") or ""), str(form.get("password_again") or "")
    problem = password_problem(password, email)
    if problem:
        return say(problem, min_chars=MIN_PASSWORD_CHARS, max_chars=MAX_PASSWORD_CHARS)
    if password != again:
        return say("portal.password_mismatch")
    return None


@router.post(LINK_PATH)
async def set_password(request: Request) -> Response:
    portal = portal_of(request)
    form = await read_form(request, max_files=0)
    check_csrf(form, request.cookies.get(FORM_COOKIE))
    link = request.cookies.get(LINK_COOKIE)
    account = portal.accounts.link_account(link) if link else None
    if account is None:
        return _link_spent(request)
    error = _new_password_error(form, account.email)
    if error is not None:
        return _set_password_page(request, account, error, 422)
    try:
        redeemed = await portal.hashes.run(portal.accounts.redeem_link, link, str(form.get("password")))
    except Busy:
        return _set_password_page(request, account, say("portal.busy"), 503)
    if not redeemed:
        return _link_spent(request)
    portal.logins.forget(account.email)  # the owner is back in: the account's login delay ends
    context = _context(request, None, say("portal.set_password_title"), kind="ok", message=say("portal.password_set"))
    response = page("message.html.j2", {**context, "link": "/login", "link_text": say("portal.login_title")})
    response.delete_cookie(LINK_COOKIE, path=LINK_PATH)
    return response


def _change_page(request: Request, session: Session, error: Text | None = None, status: int = 200) -> Response:
    context = _context(request, session, say("portal.change_password_title"), error=error)
    return page(
        "change_password.html.j2", {**context, "min_chars": MIN_PASSWORD_CHARS, "max_chars": MAX_PASSWORD_CHARS}, status
    )


@router.get("/account/password")
def change_password_form(request: Request, session: PageSession) -> Response:
    return _change_page(request, session)


@router.post("/account/password")
async def change_password(request: Request, session: PageSession) -> Response:
    """A new password for the logged-in owner: the current one is checked as a login is (same limits);
    every other session of the account and its API tokens end."""
    portal = portal_of(request)
    form = await read_form(request, max_files=0)
    check_csrf(form, session.csrf_token)
    email, client = session.account.email, _client(request)
    error = _new_password_error(form, email)
    if error is not None:
        return _change_page(request, session, error, 422)
    wait = portal.logins.reserve(email, client)
    if wait:
        response = _change_page(request, session, say("portal.login_limited", seconds=wait), 429)
        response.headers["retry-after"] = str(wait)
        return response
    current = str(form.get("current_password") or "")
    changed = None
    if password_problem(current, email) is None:
        try:
            changed = await portal.hashes.run(
                portal.accounts.change_password, email, current, str(form.get("password"))
            )
        except Busy:
            portal.logins.release(email, client)
            response = _change_page(request, session, say("portal.busy"), 503)
            response.headers["retry-after"] = str(BUSY_RETRY_SECONDS)
            return response
    if changed is None:
        return _change_page(request, session, say("portal.current_password_wrong"), 422)
    portal.logins.succeeded(email, client)
    kept = open_session(request, changed)  # this browser stays logged in; every other session ended
    context = _context(
        request, kept, say("portal.change_password_title"), kind="ok", message=say("portal.password_changed")
    )
    response = page("message.html.j2", {**context, "link": "/", "link_text": say("portal.back_home")})
    keep_session(request, response, kept)
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
    portal.kept.sweep()  # checked files kept past their time are removed here too, not only at the next check
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


def _period_filter(request: Request) -> str | None:
    """The province's period filter: a quarter (2017Q3), a year (2017) or the whole plan (None)."""
    wanted = (request.query_params.get("period") or "all").strip()
    if wanted == "all":
        return None
    if wanted not in _period_codes(portal_of(request).catalog):
        raise PortalError(404, "portal.error_404")
    return wanted


def _period_codes(catalog) -> list[str]:
    first, last = int(catalog.plan["first_year"]), int(catalog.plan["last_year"])
    codes = []
    for year in range(first, last + 1):
        codes += [str(year), *(f"{year}Q{quarter}" for quarter in range(1, 5))]
    return codes


def _period_label(period: str | None) -> Text:
    if period is None:
        return say("portal.period_all")
    return say("portal.period_year", year=period) if len(period) == 4 else Text(period, period)


def _contacts(catalog) -> dict[str, list[dict]]:
    """Each unit's contacts (catalog/contacts.csv, role unit): who to chase."""
    found: dict[str, list[dict]] = {}
    for row in catalog.contacts:
        if row["role"] == "unit":
            found.setdefault(row["unit_code"], []).append(row)
    return found


def _channel(file: views.FileView, emails: dict[int, str]) -> Text:
    """Who or what brought a file: a portal account, or a copy into the inbox."""
    if file.send is not None:
        return say("portal.channel_portal", email=emails.get(file.send.account_id, "–"))
    return say("portal.channel_inbox")


def _province_page(request: Request, session: Session) -> Response:
    portal = portal_of(request)
    catalog = portal.catalog
    period = _period_filter(request)
    with snapshot(portal.settings.snapshot) as db:
        units = views.unit_summary(db, period)
        owed = views.chase(db, list(CHASED), None, period, catalog.today())
        received = views.received(db, period)
        waiting = [
            f for f in views.sent_files(db, sends_of(portal.accounts, None, views.LATEST)) if f.status == "pending"
        ]
        rejected = views.rejected_files(db)
        warned = views.warnings(db)
        has_data = db is not None
    by_name = sends_named(
        portal.accounts, [f.inbox_name for f in received + rejected] + [w["file_name"] for w in warned]
    )
    views.named(received + rejected, by_name)
    for warning in warned:
        send = by_name.get(warning["file_name"])
        warning["shown_name"] = send.client_file_name if send else warning["file_name"]
    emails = senders(portal.accounts)
    context = _context(
        request,
        session,
        say("portal.province_title"),
        has_data=has_data,
        units=units,
        totals={s: sum(u[s] for u in units) for s in ("expected", *COMPLETENESS_STATUSES)},
        owed=owed[:CHASED_ON_DESK],
        received_shown=CHASED_ON_DESK,
        owed_count=len(owed),
        received=waiting + received,
        channels={f.inbox_name: _channel(f, emails) for f in waiting + received},
        rejected=rejected,
        warnings=warned,
        contacts=_contacts(catalog),
        **_period_context(request, period),
    )
    extra = {"statuses": COMPLETENESS_STATUSES, "latest": views.LATEST, "unit_names": _unit_names(catalog)}
    return page("province.html.j2", {**context, **extra})


def _unit_names(catalog) -> dict[str, str]:
    return {code: row["unit_name"] for code, row in catalog.units.items()}


def _period_context(request: Request, period: str | None) -> dict:
    return {
        "period": period,
        "period_query": f"period={period or 'all'}",
        "period_label": _period_label(period),
        "period_chosen": Text(
            say("portal.period_chosen", period=_period_label(period).vi).vi,
            say("portal.period_chosen", period=_period_label(period).en).en,
        ),
        "period_codes": _period_codes(portal_of(request).catalog),
    }


CHASED = kinds.COMPLETENESS_STATUSES.codes_where("chased")  # overdue, nothing accepted: what the province chases
EXPORTS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OVERVIEW_COLUMNS = ["unit_code", "unit_name", "unit_type", "expected", *COMPLETENESS_STATUSES]
LIST_COLUMNS = [
    "unit_code",
    "unit_name",
    "dataset_code",
    "period",
    "due_date",
    "status",
    "days_overdue",
    "first_accepted_at",
    "files",
    "rejected_files",
    "contacts",
]


def _list_query(request: Request) -> tuple[list[str] | None, str | None]:
    """The list's statuses (`owed`: missing and rejected only; none: every status) and unit."""
    portal = portal_of(request)
    status = request.query_params.get("status") or "owed"
    if status == "owed":
        statuses = list(CHASED)
    elif status == "all":
        statuses = None
    elif status in COMPLETENESS_STATUSES:
        statuses = [status]
    else:
        raise PortalError(404, "portal.error_404")
    unit = request.query_params.get("unit")
    code = catalog_unit(portal.catalog.units, unit) if unit else None
    if unit and code is None:
        raise PortalError(404, "portal.error_404")
    return statuses, code


def _list_rows(request: Request) -> tuple[list[dict], list[str] | None, str | None, str | None]:
    portal = portal_of(request)
    period = _period_filter(request)
    statuses, unit = _list_query(request)
    with snapshot(portal.settings.snapshot) as db:
        rows = views.chase(db, statuses, unit, period, portal.catalog.today())
    return rows, statuses, unit, period


@router.get("/province/list")
def province_list(request: Request, session: ProvinceSession) -> Response:
    """What a count of the province's desk counts: each report, its unit's contacts, downloadable."""
    rows, _, unit, period = _list_rows(request)
    status = request.query_params.get("status") or "owed"
    if status == "owed":
        label = say("portal.late_now_title")
    elif status == "all":
        label = say("portal.col_expected")
    else:
        label = say(f"completeness.{status}")
    query = f"status={status}&{'unit=' + unit + '&' if unit else ''}period={period or 'all'}"
    context = _context(
        request,
        session,
        Text(say("portal.list_title", status=label.vi).vi, say("portal.list_title", status=label.en).en),
        rows=rows,
        unit=unit,
        status=status,
        list_query=query,
        contacts=_contacts(portal_of(request).catalog),
        unit_names=_unit_names(portal_of(request).catalog),
        **_period_context(request, period),
    )
    return page("province_list.html.j2", context)


def _download(columns: list[str], rows: list[tuple], name: str, fmt: str) -> Response:
    if fmt == "csv":
        body, media = csv_text(columns, rows), "text/csv; charset=utf-8"
    else:
        buffer = io.BytesIO()
        write_sheet(columns, rows[:200], rows, name, buffer)
        body, media = buffer.getvalue(), XLSX_TYPE
    headers = {**NO_STORE, "content-disposition": f'attachment; filename="{name}.{fmt}"'}
    return Response(body, media_type=media, headers=headers)


@router.get("/province/overview.{fmt}")
def province_overview_download(request: Request, fmt: str, session: ProvinceSession) -> Response:
    if fmt not in EXPORTS:
        raise PortalError(404, "portal.error_404")
    portal = portal_of(request)
    period = _period_filter(request)
    with snapshot(portal.settings.snapshot) as db:
        units = views.unit_summary(db, period)
    names = _unit_names(portal.catalog)
    rows = [
        (
            u["unit_code"],
            names.get(u["unit_code"], ""),
            u["unit_type"],
            u["expected"],
            *(u[s] for s in COMPLETENESS_STATUSES),
        )
        for u in units
    ]
    return _download(OVERVIEW_COLUMNS, rows, f"overview_{period or 'all'}", fmt)


@router.get("/province/list.{fmt}")
def province_list_download(request: Request, fmt: str, session: ProvinceSession) -> Response:
    if fmt not in EXPORTS:
        raise PortalError(404, "portal.error_404")
    rows, _, unit, period = _list_rows(request)
    names, contacts = _unit_names(portal_of(request).catalog), _contacts(portal_of(request).catalog)
    table = [
        (
            r["unit_code"],
            names.get(r["unit_code"], ""),
            r["dataset_code"],
            r["period"],
            r["due_date"],
            r["status"],
            r["days_overdue"],
            r["first_accepted_at"],
            r["files"],
            r["rejected_files"],
            "; ".join(f"{c['name']} <{c['email']}>" for c in contacts.get(r["unit_code"], [])),
        )
        for r in rows
    ]
    status = request.query_params.get("status") or "owed"
    return _download(LIST_COLUMNS, table, f"{status}_{unit or 'all'}_{period or 'all'}", fmt)


@router.get("/report")
def monitoring_report(request: Request, session: ProvinceSession) -> Response:
    """The monitoring report, drawn from the snapshot at each request (its styles allowed by their hashes)."""
    path = portal_of(request).settings.snapshot
    with snapshot(path) as db:
        if db is None:
            raise PortalError(404, "portal.no_data")
        html = render(collect(db), warehouse_name=path.name)
    back = say("portal.back_to_desk")
    nav = f'<nav><a href="/">{escape(back.vi)} / {escape(back.en)}</a></nav>'
    html = re.sub(r"(<body[^>]*>)", lambda found: found.group(1) + nav, html, count=1)
    return HTMLResponse(html, headers={**NO_STORE, "content-security-policy": report_policy(html)})


# ---------------------------------------------------------------- files: check, send, templates


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
    context = _context(
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
        (file,) = views.sent_files(db, [sent])
    sent_at = local_time(sent.sent_at, portal.catalog.timezone)
    context = _context(request, session, say("portal.sent_title"), send=sent, sent_at=sent_at, file=file)
    return page("sent.html.j2", context)


@router.get("/templates/{dataset}/{period}")
def template(request: Request, dataset: str, period: str, session: PageSession, unit: str | None = None) -> Response:
    code = session.account.unit_code if unit is None else catalog_unit(portal_of(request).catalog.units, unit)
    if not session.account.may_see(code):
        raise PortalError(404, "portal.error_404")
    return template_response(portal_of(request).catalog, dataset, code, period)
