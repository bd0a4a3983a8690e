"""Who is asking: a browser's session (cookie + CSRF token on every form), or a unit system's bearer token.

The API reads only the `Authorization: Bearer` header, never the session cookie, so a page on
another site cannot make a logged-in browser call it. Pages read only the cookie, and every
form they post carries the session's CSRF token; the two forms shown before a session exists
(log in, set a password) carry a double-submit token from a cookie of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import FormData
from starlette.responses import Response

from portal.accounts import SESSION_HOURS, Account
from portal.actions import Portal
from portal.errors import LoginNeeded, PortalError
from portal.security import new_token, same_secret

SESSION_COOKIE = "chiso_session"
FORM_COOKIE = "chiso_form"

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="unitToken",
    description="A unit's API token, from `chiso accounts token --email ADDRESS`.",
)


@dataclass(frozen=True)
class Session:
    account: Account
    csrf_token: str
    token: str


def portal_of(request: Request) -> Portal:
    return request.app.state.portal


def session_of(request: Request) -> Session | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    found = portal_of(request).accounts.session(token)
    return Session(found[0], found[1], token) if found else None


def page_session(request: Request) -> Session:
    """The live session of a page's request; without one, the browser goes to the login page."""
    session = session_of(request)
    if session is None:
        raise LoginNeeded()
    return session


def province_session(session: Annotated[Session, Depends(page_session)]) -> Session:
    if not session.account.is_province:
        raise PortalError(403, "portal.error_403")
    return session


PageSession = Annotated[Session, Depends(page_session)]
ProvinceSession = Annotated[Session, Depends(province_session)]


def check_csrf(form: FormData, expected: str | None) -> None:
    given = form.get("csrf_token")
    if not isinstance(given, str) or not same_secret(given, expected):
        raise PortalError(403, "portal.csrf")


def api_account(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Account:
    """The enabled account of a bearer token; 401 otherwise."""
    account = portal_of(request).accounts.by_api_token(credentials.credentials) if credentials else None
    if account is None:
        raise PortalError(401, "portal.error_401", headers={"WWW-Authenticate": "Bearer"})
    return account


ApiAccount = Annotated[Account, Depends(api_account)]


def _secure(request: Request) -> bool:
    """Behind a TLS reverse proxy (uvicorn's --proxy-headers), the cookies are HTTPS-only."""
    return request.url.scheme == "https"


def start_session(request: Request, response: Response, account: Account) -> None:
    keep_session(request, response, open_session(request, account))


def open_session(request: Request, account: Account) -> Session:
    """A new session of the account (its cookie set by `keep_session`, on the answer that shows it)."""
    token = portal_of(request).accounts.new_session(account.account_id)
    found = portal_of(request).accounts.session(token)
    assert found is not None  # just made
    return Session(found[0], found[1], token)


def keep_session(request: Request, response: Response, session: Session) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(FORM_COOKIE, path="/")


def end_session(request: Request, response: Response, session: Session) -> None:
    portal_of(request).accounts.end_session(session.token)
    response.delete_cookie(SESSION_COOKIE, path="/")


def form_token(request: Request) -> str:
    """The double-submit token of the forms shown before login: the cookie's, or a new one."""
    return request.cookies.get(FORM_COOKIE) or new_token()


def keep_form_token(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        FORM_COOKIE, token, max_age=3600, httponly=True, samesite="strict", secure=_secure(request), path="/"
    )
