"""The province's pages: its desk (the overview, shown as a province account's home page), the list
behind each of its counts, both as CSV or XLSX downloads, and the monitoring report."""

from __future__ import annotations

import io
import re
from html import escape

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from chiso import lineage
from chiso.export import csv_text, write_sheet
from chiso.report.build import Links, collect, render
from core import kinds
from core.vocabulary import Text
from portal import views
from portal.accounts import catalog_unit
from portal.auth import ProvinceSession, Session, portal_of
from portal.errors import PortalError
from portal.pages.common import page_context, period_context, period_filter
from portal.render import NO_STORE, page, say
from portal.security import report_policy
from portal.uploads import senders, sends_named, sends_of
from portal.views import snapshot

router = APIRouter(include_in_schema=False)
COMPLETENESS_STATUSES = kinds.COMPLETENESS_STATUSES.codes
CHASED = kinds.COMPLETENESS_STATUSES.codes_where("chased")  # overdue, nothing accepted: what the province chases
CHASED_ON_DESK = 12  # late or missing reports shown on the province's desk, the others in their list
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


def _lineage_links() -> Links:
    """Each figure and cell of the report, as the portal serves it, opens its lineage page."""
    return Links(
        lambda *key: f"/province/lineage?{lineage.portal_query(*key)}",
        lambda *key: f"/province/lineage?{lineage.cell_query(*key)}",
    )


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


def province_page(request: Request, session: Session) -> Response:
    """The province's desk: a province account's home page (`/`, see `portal.pages.unit.home`)."""
    portal = portal_of(request)
    catalog = portal.catalog
    period = period_filter(request)
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
    context = page_context(
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
        **period_context(request, period),
    )
    extra = {"statuses": COMPLETENESS_STATUSES, "latest": views.LATEST, "unit_names": _unit_names(catalog)}
    return page("province.html.j2", {**context, **extra})


def _unit_names(catalog) -> dict[str, str]:
    return {code: row["unit_name"] for code, row in catalog.units.items()}


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
    period = period_filter(request)
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
    context = page_context(
        request,
        session,
        Text(say("portal.list_title", status=label.vi).vi, say("portal.list_title", status=label.en).en),
        rows=rows,
        unit=unit,
        status=status,
        list_query=query,
        contacts=_contacts(portal_of(request).catalog),
        unit_names=_unit_names(portal_of(request).catalog),
        **period_context(request, period),
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
    period = period_filter(request)
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
        html = render(collect(db), warehouse_name=path.name, links=_lineage_links())
    back = say("portal.back_to_desk")
    nav = f'<nav><a href="/">{escape(back.vi)} / {escape(back.en)}</a></nav>'
    html = re.sub(r"(<body[^>]*>)", lambda found: found.group(1) + nav, html, count=1)
    return HTMLResponse(html, headers={**NO_STORE, "content-security-policy": report_policy(html)})
