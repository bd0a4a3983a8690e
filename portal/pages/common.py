"""What every page's template is given: the session (None before logging in), the title, the province's clock."""

from __future__ import annotations

from fastapi import Request

from core.vocabulary import Text
from portal.auth import Session, portal_of


def page_context(request: Request, session: Session | None, title: Text, **extra) -> dict:
    return {"session": session, "title": title, "zone": portal_of(request).catalog.timezone, **extra}
