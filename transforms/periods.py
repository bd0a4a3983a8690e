"""Reporting periods: `2017` and `2017Q3`, also as people write them in words."""

from __future__ import annotations

import re
from datetime import date, timedelta

from transforms.text import clean, fold

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_PATTERNS = [
    (re.compile(r"^(?:nam )?(\d{4})$"), lambda m: m[1]),
    (re.compile(r"^(\d{4}) ?q([1-4])$"), lambda m: f"{m[1]}Q{m[2]}"),
    (re.compile(r"^q ?([1-4]) ?[/-] ?(\d{4})$"), lambda m: f"{m[2]}Q{m[1]}"),
    (
        re.compile(r"^quy ?(i{1,3}|iv|[1-4]) ?(?:/|-|nam) ?(\d{4})$"),
        lambda m: f"{m[2]}Q{_ROMAN.get(m[1], m[1])}",
    ),
]
PERIOD_CODE = re.compile(r"^(\d{4})(?:Q([1-4]))?$")


def normalise_period(value: object) -> str | None:
    """The period code for what a clerk wrote, or the text itself when it cannot be read.

    Unreadable text is returned as written so that validation can show it back.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean(value)
    if text is None:
        return None
    key = " ".join(fold(text).replace(":", " ").split())
    for pattern, to_code in _PATTERNS:
        match = pattern.match(key)
        if match:
            return to_code(match)
    return text


def period_type(period: str) -> str | None:
    match = PERIOD_CODE.match(period)
    if not match:
        return None
    return "quarter" if match[2] else "year"


def period_bounds(period: str) -> tuple[date, date] | None:
    """First and last day of a period code."""
    match = PERIOD_CODE.match(period)
    if not match or not 1 <= int(match[1]) <= 9998:  # beyond the calendar: out of the plan anyway
        return None
    year = int(match[1])
    if not match[2]:
        return date(year, 1, 1), date(year, 12, 31)
    quarter = int(match[2])
    start = date(year, 3 * quarter - 2, 1)
    next_start = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, next_start - timedelta(days=1)
