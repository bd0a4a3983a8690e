"""Reporting periods: `2017` and `2017Q3`, also as people write them in words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from core.text import clean, fold

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


@lru_cache(maxsize=4096, typed=True)  # every row of a file repeats its period
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


@dataclass(frozen=True)
class Period:
    """A period code with its kind and days: the one place that knows how `2017Q3` is built."""

    code: str
    type: str  # quarter | year
    year: int
    quarter: int | None
    start: date
    end: date

    @classmethod
    def parse(cls, code: object) -> Period | None:
        """The period of a code (`2017`, `2017Q3`), or None for anything else."""
        match = PERIOD_CODE.match(code) if isinstance(code, str) else None
        if not match or not 1 <= int(match[1]) <= 9998:  # beyond the calendar: out of any plan anyway
            return None
        return cls.of(int(match[1]), int(match[2]) if match[2] else None)

    @classmethod
    def of(cls, year: int, quarter: int | None = None) -> Period:
        """The year (`2017`), or its quarter (`2017Q3`)."""
        if quarter is None:
            return cls(f"{year:04d}", "year", year, None, date(year, 1, 1), date(year, 12, 31))
        start = date(year, 3 * quarter - 2, 1)
        next_start = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return cls(f"{year:04d}Q{quarter}", "quarter", year, quarter, start, next_start - timedelta(days=1))

    def due_date(self, days_after_end: int) -> date:
        return self.end + timedelta(days=days_after_end)


def code_year(code: object) -> int | None:
    """The year a period code names, even one beyond the calendar (`0000`), so it can be refused."""
    match = PERIOD_CODE.match(code) if isinstance(code, str) else None
    return int(match[1]) if match else None


@lru_cache(maxsize=64)  # asked again for every data set and file: made once a plan and kind
def plan_periods(first_year: int, last_year: int, period_type: str) -> tuple[Period, ...]:
    """Every period of a kind from `first_year` to `last_year`, in order."""
    if period_type == "year":
        return tuple(Period.of(year) for year in range(first_year, last_year + 1))
    return tuple(Period.of(year, quarter) for year in range(first_year, last_year + 1) for quarter in range(1, 5))
