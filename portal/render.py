"""The portal's pages, rendered on the server with Jinja2: no script, one small stylesheet, both languages."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from string import Formatter
from typing import TypeGuard, overload
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse

from core.catalog import Catalog
from core.vocabulary import Text, entries, grouped
from expectations.findings import Finding

HERE = Path(__file__).resolve().parent
NO_STORE = {"cache-control": "no-store"}  # a unit's verdicts are not for shared caches or the back button


class ViNumber(int):
    """An integer as Vietnamese writes it: `{size:,}` gives `11.373` (English: `11,373`)."""

    def __format__(self, spec: str) -> str:
        return format(int(self), spec).replace(",", ".")


def _is_number(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def say(key: str, **fields: object) -> Text:
    """The vocabulary's text `key`, numbers grouped the Vietnamese way in `vi` (`11.373`); in English,
    the entry `<key>_one` when there is one and the text's first number is 1 (`1 day`, `2 days`)."""
    known = entries()
    if key not in known:
        raise KeyError(f"no text {key!r} in the vocabulary")
    entry = known[key]
    numbers = [name for _, name, _, _ in Formatter().parse(entry["en"]) if name and _is_number(fields.get(name))]
    if numbers and fields[numbers[0]] == 1 and f"{key}_one" in known:
        entry = {**entry, "en": known[f"{key}_one"]["en"]}
    vi_fields = {name: ViNumber(value) if _is_number(value) else value for name, value in fields.items()}
    return Text(entry["vi"].format(**vi_fields), entry["en"].format(**fields))


def when(value: datetime | date | None) -> str:
    """Times and dates as people in the province write them (dd/mm/yyyy)."""
    if value is None:
        return "–"
    return value.strftime("%d/%m/%Y %H:%M" if isinstance(value, datetime) else "%d/%m/%Y")


def dash(value: object) -> str:
    """A value to show: an empty one as `–`, never `None`."""
    return "–" if value is None or value == "" else str(value)


def local_time(text: str, zone: ZoneInfo) -> datetime:
    """A stored UTC time as the province's wall clock, as every other time chiso shows."""
    return datetime.fromisoformat(text).astimezone(zone).replace(tzinfo=None)


@overload
def zoned(value: datetime | str, zone: ZoneInfo) -> datetime: ...
@overload
def zoned(value: None, zone: ZoneInfo) -> None: ...
def zoned(value: datetime | str | None, zone: ZoneInfo) -> datetime | None:
    """A time with the province's UTC offset, for the API (ISO 8601: `2026-12-04T09:30:02+07:00`): a stored
    UTC text is converted; a warehouse time (naive, already the province's wall clock) gets the offset."""
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value).astimezone(zone)
    return value.astimezone(zone) if value.tzinfo else value.replace(tzinfo=zone)


def rule_label(finding: Finding) -> Text:
    """The rule of a reason (`verdict.rule`: rule 6), the kind of a warning (`warning_kind.late`)."""
    if finding.rule.isdigit():
        return say("verdict.rule", rule=finding.rule)
    if finding.severity == "warning":
        try:
            return say(f"warning_kind.{finding.check}")
        except KeyError:
            pass
    key = "portal.rule_" + finding.rule  # the portal's own rules: sender, duplicate
    try:
        return say(key)
    except KeyError:
        return say("portal.rule_other", rule=finding.rule)


def days_text(days: int | None) -> Text:
    if days is None:
        return say("portal.done")
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
    env.filters["dash"] = dash
    env.filters["number"] = grouped
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
