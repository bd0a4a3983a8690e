"""The portal's pages, rendered on the server with Jinja2: no script, one small stylesheet, both languages."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse

from core.catalog import Catalog
from core.vocabulary import Text, say
from expectations.findings import Finding

HERE = Path(__file__).resolve().parent
NO_STORE = {"cache-control": "no-store"}  # a unit's verdicts are not for shared caches or the back button


def when(value: datetime | date | None) -> str:
    """Times and dates as people in the province write them."""
    if value is None:
        return "–"
    return value.strftime("%d/%m/%Y %H:%M" if isinstance(value, datetime) else "%d/%m/%Y")


def local_time(text: str, zone: ZoneInfo) -> datetime:
    """A stored UTC time as the province's wall clock, as every other time chiso shows."""
    return datetime.fromisoformat(text).astimezone(zone).replace(tzinfo=None)


def rule_label(finding: Finding) -> Text:
    """The rule of a reason (`verdict.rule`: rule 6), the kind of a warning (`warning_kind.late`)."""
    if finding.rule.isdigit():
        return say("verdict.rule", rule=finding.rule)
    if finding.severity == "warning":
        try:
            return say(f"warning_kind.{finding.check}")
        except KeyError:
            pass
    return Text(finding.rule, finding.rule)


def days_text(days: int) -> Text:
    if days < 0:
        return say("portal.days_overdue", days=-days)
    return say("portal.due_today") if days == 0 else say("portal.days_left", days=days)


def status_text(status: str) -> Text:
    return say("portal.pending") if status == "pending" else say(f"status.{status}")


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every file name, reason and note is text, never markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(say=say, rule_label=rule_label, days_text=days_text, status_text=status_text)
    env.filters["when"] = when
    env.filters["local"] = local_time
    return env


def page(template: str, context: dict, status_code: int = 200) -> HTMLResponse:
    html = environment().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=NO_STORE)


def dataset_name(catalog: Catalog, code: str | None) -> Text:
    row = catalog.datasets.get(code or "")
    return Text(row["dataset_name"], row["dataset_name_en"]) if row else Text(code or "–", code or "–")


def unit_heading(catalog: Catalog, code: str) -> Text:
    row = catalog.units.get(code)
    return say("portal.unit_heading", unit_code=code, unit_name=row["unit_name"] if row else code)
