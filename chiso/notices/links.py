"""Where a notice leads on the portal (CHISO_PORTAL_URL): one place names the portal's pages.

The portal shows a unit's files and what it owes on the unit's page (`/units/<code>`: the
sections `#files` and `#due`, portal/pages/unit.py) and serves its templates at
`/templates/<data set>/<period>` (portal/pages/files.py); a unit's approver and the province's
reviewer act on slots at `/approvals`. When the portal gets a page per file, `file_page` points to it.
"""

from __future__ import annotations

from urllib.parse import quote


def unit_page(portal_url: str, unit_code: str) -> str:
    return f"{portal_url}/units/{quote(unit_code, safe='')}"


def file_page(portal_url: str, unit_code: str, file: dict) -> str:
    """The page showing this file and its verdict."""
    return f"{unit_page(portal_url, unit_code)}#files"


def due_page(portal_url: str, unit_code: str) -> str:
    """The page showing what the unit owes, and where it sends."""
    return f"{unit_page(portal_url, unit_code)}#due"


def template_page(portal_url: str, dataset_code: str, period: str) -> str:
    return f"{portal_url}/templates/{quote(dataset_code, safe='')}/{quote(period, safe='')}"


def approvals_page(portal_url: str) -> str:
    """Where a unit approves (again) what the province returned, and the province accepts: each sees its own."""
    return f"{portal_url}/approvals"
