"""When clerks send their files: office hours, a few days after the period ends, sometimes late.

Every receipt time is a **naive UTC** datetime between 01:00 and 10:59 (08:00–17:59 in the
province), so the calendar day is the same in UTC and in local time, and no file is received
on its due day itself: whether a file is late does not depend on the pipeline's time zone.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from core.catalog import Catalog
from demo.model import Slot
from demo.plan import due_date, is_quarter, period_end

LATEST_LATE_DAYS = {"quarter": 45, "year": 60}  # how late a late file may be, after its due date
EARLIEST_DAYS = {"quarter": 1, "year": 3}  # how soon after the period ends a file may arrive


def during_office_hours(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randint(1, 10), rng.randint(0, 59), rng.randint(0, 59))


def first_receipt(catalog: Catalog, slot: Slot, rng: random.Random, late: bool = False) -> datetime:
    """The first file of a slot: before its due date, or (`late`) 2 to 45 (yearly: 60) days after."""
    dataset, _, period = slot
    kind = "quarter" if is_quarter(period) else "year"
    end, due = period_end(period), due_date(catalog, dataset, period)
    if late:
        return during_office_hours(due + timedelta(days=rng.randint(2, LATEST_LATE_DAYS[kind])), rng)
    return during_office_hours(end + timedelta(days=rng.randint(EARLIEST_DAYS[kind], (due - end).days - 1)), rng)


def days_later(previous: datetime, due: date, rng: random.Random, fewest: int, most: int) -> datetime:
    """A receipt `fewest` to `most` days after `previous`, never on the due day itself."""
    when = during_office_hours(previous.date() + timedelta(days=rng.randint(fewest, most)), rng)
    if when.date() == due:
        when += timedelta(days=1)
    return when
