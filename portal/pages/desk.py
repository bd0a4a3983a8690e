"""The analysts' SQL desk's page (the province's only; a unit's account is refused, 403, as on every province
page): type SQL or open a saved query, run it on the published snapshot, page through the answer, download it
(CSV, XLSX, Parquet), save it for the province or delete a saved one, and download the snapshot file itself.

Running is a POST with the session's CSRF token (a query costs the server: no other site may start one); the
paging and download buttons post the same form again, so the SQL never sits in a URL or a server's log."""

from __future__ import annotations

import os

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response, StreamingResponse

from portal.auth import ProvinceSession, Session, check_csrf
from portal.desk import DOWNLOADS, MAX_SQL_CHARS, MEDIA, PAGE_SIZE, SNAPSHOT_NAME, Desk, Page, download
from portal.errors import PortalError
from portal.pages.common import page_context
from portal.render import NO_STORE, page, say
from portal.uploads import read_form

router = APIRouter(include_in_schema=False)
FORM_BYTES = 4 * MAX_SQL_CHARS + 4096  # the SQL (up to 4 bytes a character), a title and the buttons


def desk_of(request: Request) -> Desk:
    return request.app.state.desk


def _page(
    request: Request,
    session: Session,
    sql: str = "",
    result: Page | None = None,
    error=None,
    status_code: int = 200,
    opened: int | None = None,
) -> Response:
    desk = desk_of(request)
    settings = desk.settings
    size = settings.snapshot.stat().st_size if settings.snapshot.exists() else 0
    context = page_context(
        request,
        session,
        say("desk.title"),
        sql=sql,
        result=result,
        error=error,
        saved=desk.saved(),
        opened=opened,
        downloads=DOWNLOADS,
        limits=desk.limits,
        max_sql_chars=MAX_SQL_CHARS,
        snapshot_mib=f"{size / 1_048_576:.1f} MiB",
        has_data=settings.snapshot.exists(),
    )
    return page("desk.html.j2", context, status_code)


@router.get("/province/sql")
def desk_page(request: Request, session: ProvinceSession, saved: int | None = None) -> Response:
    """The desk; `?saved=ID` opens a saved query in the editor (it runs when the analyst says so)."""
    sql = desk_of(request).one(saved).sql if saved is not None else ""
    return _page(request, session, sql, opened=saved)


@router.post("/province/sql")
async def run(request: Request, session: ProvinceSession) -> Response:
    """Run the form's SQL: the answer's page (`page`), or the whole kept answer as a file (`format`)."""
    form = await read_form(request, FORM_BYTES, max_files=0, max_fields=8)
    try:
        check_csrf(form, session.csrf_token)
        sql = str(form.get("sql") or "")
        number = _number(form.get("page"))
        fmt = str(form.get("format") or "")
    finally:
        await form.close()
    desk = desk_of(request)
    if fmt and fmt not in DOWNLOADS:
        raise PortalError(404, "portal.error_404")
    try:
        answer = await run_in_threadpool(desk.run, sql)
        body = await run_in_threadpool(download, answer, fmt) if fmt else b""
    except PortalError as refused:
        if refused.status_code not in (400, 503):
            raise
        response = _page(request, session, sql, error=refused.text, status_code=refused.status_code)
        response.headers.update(refused.headers or {})
        return response
    if fmt:
        headers = {**NO_STORE, "content-disposition": f'attachment; filename="query.{fmt}"'}
        return Response(body, media_type=MEDIA[fmt], headers=headers)
    return _page(request, session, sql, result=desk.page(answer, number, PAGE_SIZE))


def _number(given) -> int:
    text = str(given or "1")
    return int(text) if text.isdecimal() and len(text) < 9 else 1


@router.post("/province/sql/saved")
async def save(request: Request, session: ProvinceSession) -> Response:
    form = await read_form(request, FORM_BYTES, max_files=0, max_fields=8)
    try:
        check_csrf(form, session.csrf_token)
        title, sql = str(form.get("title") or ""), str(form.get("sql") or "")
    finally:
        await form.close()
    try:
        query_id = desk_of(request).save(session.account.account_id, title, sql)
    except PortalError as refused:
        return _page(request, session, sql, error=refused.text, status_code=refused.status_code)
    return RedirectResponse(f"/province/sql?saved={query_id}", 303)


@router.post("/province/sql/saved/{query_id}/delete")
async def delete(request: Request, query_id: int, session: ProvinceSession) -> Response:
    form = await read_form(request, 8192, max_files=0, max_fields=4)
    try:
        check_csrf(form, session.csrf_token)
    finally:
        await form.close()
    desk_of(request).delete(session.account.account_id, query_id)
    return RedirectResponse("/province/sql", 303)


@router.get("/province/snapshot.duckdb")
def snapshot_file(request: Request, session: ProvinceSession) -> Response:
    """The published snapshot, as the loader wrote it (storage compatible with DuckDB 1.5: warehouse.db).

    Opened once and streamed from that open file: a publish that swaps the snapshot meanwhile replaces the
    name, not this file, so the download is one published state whole."""
    path = desk_of(request).settings.snapshot
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise PortalError(404, "portal.no_data") from None
    size = os.fstat(handle.fileno()).st_size

    def chunks():
        with handle:
            while chunk := handle.read(1 << 20):
                yield chunk

    headers = {
        **NO_STORE,
        "content-length": str(size),
        "content-disposition": f'attachment; filename="{SNAPSHOT_NAME}"',
    }
    return StreamingResponse(chunks(), media_type="application/vnd.duckdb", headers=headers)
