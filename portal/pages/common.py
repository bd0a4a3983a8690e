"""What every page's template is given: the session (None before logging in), the title, the province's clock;
and the period filter the province's pages and the approval page share."""

from __future__ import annotations

from fastapi import Request

from core.vocabulary import Text
from portal.auth import Session, portal_of
from portal.render import say
from portal.views import chosen_period, period_codes


def page_context(request: Request, session: Session | None, title: Text, **extra) -> dict:
    return {"session": session, "title": title, "zone": portal_of(request).catalog.timezone, **extra}


def period_filter(request: Request) -> str | None:
    """The period filter (`?period=`): a quarter (2017Q3), a year (2017: the year and its quarters) or the
    whole plan (`all`, None); a period outside the plan answers 404."""
    return chosen_period(portal_of(request).catalog, request.query_params.get("period"))


def period_label(period: str | None) -> Text:
    if period is None:
        return say("portal.period_all")
    return say("portal.period_year", year=period) if len(period) == 4 else Text(period, period)


def period_context(request: Request, period: str | None) -> dict:
    """What `period_filter.html.j2` shows: the choice, its words, the plan's periods."""
    return {
        "period": period,
        "period_query": f"period={period or 'all'}",
        "period_label": period_label(period),
        "period_chosen": Text(
            say("portal.period_chosen", period=period_label(period).vi).vi,
            say("portal.period_chosen", period=period_label(period).en).en,
        ),
        "period_codes": period_codes(portal_of(request).catalog),
    }
