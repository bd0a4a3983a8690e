"""An account's pages, for units and the province alike: log in, log out, set a password from an
e-mailed link, change one's password."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from core.vocabulary import Text
from portal.accounts import normal_email
from portal.auth import (
    FORM_COOKIE,
    PageSession,
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
from portal.pages.common import page_context
from portal.render import page, say
from portal.security import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, Busy, password_problem
from portal.uploads import read_form

router = APIRouter(include_in_schema=False)
LINK_PATH = "/set-password"
LINK_COOKIE = "chiso_link"  # a set-password link's token, between opening the link and setting the password
LINK_COOKIE_SECONDS = 1800
BUSY_RETRY_SECONDS = 5


# ---------------------------------------------------------------- logging in and out


def _login_page(request: Request, token: str, email: str = "", error: Text | None = None, status: int = 200):
    context = page_context(request, None, say("portal.login_title"), form_token=token, email=email, error=error)
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


# ---------------------------------------------------------------- a password: set from a link, changed


def _link_spent(request: Request) -> HTMLResponse:
    context = page_context(
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
    context = page_context(
        request, None, say("portal.set_password_title"), account=account, form_token=token, error=error
    )
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
    context = page_context(
        request, None, say("portal.set_password_title"), kind="ok", message=say("portal.password_set")
    )
    response = page("message.html.j2", {**context, "link": "/login", "link_text": say("portal.login_title")})
    response.delete_cookie(LINK_COOKIE, path=LINK_PATH)
    return response


def _change_page(request: Request, session: Session, error: Text | None = None, status: int = 200) -> Response:
    context = page_context(request, session, say("portal.change_password_title"), error=error)
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
    context = page_context(
        request, kept, say("portal.change_password_title"), kind="ok", message=say("portal.password_changed")
    )
    response = page("message.html.j2", {**context, "link": "/", "link_text": say("portal.back_home")})
    keep_session(request, response, kept)
    return response
