"""The portal's application: `create_app(settings)` for uvicorn (`chiso serve`) and the tests.

Every response carries the security headers; an error answers with its status and a sentence
from the vocabulary, never a stack trace, SQL or a server path (those go to the server's log).
"""

from __future__ import annotations

import gc
import logging
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Match

import portal as package
from core.catalog import Catalog
from core.settings import Settings
from portal import api, pages
from portal.accounts import Accounts
from portal.actions import Portal
from portal.admission import Admission
from portal.desk import Desk
from portal.dryrun import DryRuns
from portal.errors import LoginNeeded, text_of
from portal.render import page, say
from portal.security import HEADERS, LoginLimiter
from portal.uploads import staging_folder, sweep_staged

STYLESHEET = Path(__file__).resolve().parent / "static" / "portal.css"
log = logging.getLogger("portal")


class SecurityHeaders:
    """ASGI middleware: the headers of `security.HEADERS` on every response (a route may set a stricter CSP),
    and every redirect relative: Starlette builds an absolute `Location` from the request's `Host` (the
    trailing-slash redirect), which a client chooses; only the path and query are kept."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "location" in headers:
                    headers["location"] = _relative(headers["location"])
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if scope.get("scheme") == "https":
                    headers.setdefault("strict-transport-security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, with_headers)


def _relative(location: str) -> str:
    """`http://any.host/login?next=1` -> `/login?next=1`; a relative location is kept as it is."""
    parts = urlsplit(location)
    if not (parts.scheme or parts.netloc):
        return location
    path = "/" + parts.path.lstrip("/")  # never `//host`: a browser reads it as another site
    return urlunsplit(("", "", path, parts.query, parts.fragment))


def create_app(settings: Settings, dry_run_window: float = 0.05) -> FastAPI:
    catalog = Catalog(settings.catalog_dir)
    portal = Portal(
        settings,
        catalog,
        Accounts(settings.accounts),
        DryRuns(settings, catalog, dry_run_window),
        LoginLimiter(),
        Admission(settings.portal_uploads_at_once, settings.portal_uploads_per_account),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        removed = sweep_staged(staging_folder(settings))
        if removed:
            log.info("removed %d upload(s) left staged by a server that stopped mid-request", removed)
        with portal.accounts.connect():  # the accounts file and its schema, before the first request
            pass
        await run_in_threadpool(portal.dry_runs.start)
        # GX, pandas and the suites are ~a million objects that live as long as the server: out of the garbage
        # collector's full passes, which otherwise walk them all in the middle of a request (a dry run's p90
        # 0.34-0.39 s -> 0.24-0.26 s, docs/benchmarks.md).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            portal.dry_runs.stop()

    app = FastAPI(
        title="chiso reporting portal API",
        summary="Check a report file before sending it, send it, follow its verdict and what is due.",
        description=(package.__doc__ or "") + "\nAuthenticate with `Authorization: Bearer <token>`.",
        version="1",
        docs_url=None,  # the interactive docs load scripts from a CDN: the schema alone is published
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        lifespan=lifespan,
        # Given here, not with `add_exception_handler`: FastAPI types a handler's error as the class it handles,
        # Starlette's signature as any `Exception` (so a handler of `HTTPException` would not type-check).
        exception_handlers={
            HTTPException: _refused,
            RequestValidationError: _invalid,
            LoginNeeded: _to_login,
            ClientDisconnect: _gone,
            Exception: _failed,
        },
    )
    app.state.portal = portal
    app.state.desk = Desk(settings, portal.accounts)  # the SQL desk's query slots and saved queries
    app.add_middleware(SecurityHeaders)
    app.include_router(pages.router)
    app.include_router(api.router)

    @app.get("/static/portal.css", include_in_schema=False)
    def stylesheet() -> Response:
        return FileResponse(STYLESHEET, media_type="text/css", headers={"cache-control": "public, max-age=86400"})

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict:
        return {"status": "ok"}

    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _answer(request: Request, status_code: int, error: Exception | None, headers=None, extra=None) -> Response:
    text = text_of(status_code, error)
    if _is_api(request):
        return JSONResponse({"detail": text.en, "vi": text.vi, "en": text.en, **(extra or {})}, status_code, headers)
    context = {"session": None, "title": say("portal.error_title"), "message": text}
    response = page("error.html.j2", context, status_code)
    response.headers.update(headers or {})
    return response


async def _refused(request: Request, error: HTTPException) -> Response:
    headers = dict(error.headers or {})
    if error.status_code == 405:
        # Starlette names the methods of the first route on the path (as `Allow`); a path may have several
        # routes: one header, every method.
        headers = {name: value for name, value in headers.items() if name.lower() != "allow"}
        headers["allow"] = ", ".join(_methods_at(request))
    return _answer(request, error.status_code, error, headers)


def _methods_at(request: Request) -> list[str]:
    routes = [route for route in request.app.router.routes if route.matches(request.scope)[0] is not Match.NONE]
    return sorted({method for route in routes for method in getattr(route, "methods", None) or ()})


async def _invalid(request: Request, error: RequestValidationError) -> Response:
    """422, naming the fields at fault, without echoing what was sent."""
    fields = [{"loc": list(item.get("loc", ())), "msg": item.get("msg", "")} for item in error.errors()]
    return _answer(request, 422, None, extra={"errors": fields})


async def _to_login(request: Request, error: LoginNeeded) -> Response:
    return RedirectResponse("/login", 303)


async def _gone(request: Request, error: ClientDisconnect) -> Response:
    """The client went away while sending its request: nothing failed here, and nobody reads the answer."""
    log.info("%s %s: the client disconnected before its request was whole", request.method, request.url.path)
    return Response(status_code=400, headers={"connection": "close"})


async def _failed(request: Request, error: Exception) -> Response:
    """The server's own failure: logged here with its traceback, answered with a sentence and the headers
    (this answer leaves through Starlette's outermost middleware, past SecurityHeaders)."""
    log.error("%s %s failed", request.method, request.url.path, exc_info=error)
    response = _answer(request, 500, None)
    response.headers.update(HEADERS)
    return response
