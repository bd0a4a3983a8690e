"""The catalog: the plan's knowledge, read from the CSV files of one folder.

Units, data sets, indicators, their disaggregations, derived indicators, the plan, its
targets, the unit types and the report's charts; optionally, the units' successions (which unit
became which, with what weights, when a reform merged or split them). The files are the single source: the
warehouse loads the same files into its dimension tables, every stage reads them through
this model, and a second plan is a second folder, not a code change.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

from core.kinds import CONTACT_ROLES, SUCCESSION_KINDS
from core.periods import Period, plan_periods
from core.text import fold

Row = dict[str, str]
# One address, no display name: `name` is its own column.
_EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")
# Each table of the catalog and the columns its file must have.
TABLES: dict[str, tuple[str, ...]] = {
    "unit_types": ("unit_type", "unit_type_name", "unit_type_name_en", "scope_name", "scope_name_en"),
    "units": ("unit_code", "unit_name", "unit_type", "parent_code", "valid_from", "valid_to"),
    "datasets": (
        "dataset_code",
        "dataset_name",
        "dataset_name_en",
        "submitter_type",
        "period_type",
        "due_days_after_period_end",
        "reminder_days_before",
        "lock_after_days",
        "approve_within_days",
    ),
    "indicators": (
        "indicator_code",
        "indicator_name",
        "indicator_name_en",
        "measure_unit",
        "measure_unit_en",
        "value_type",
        "time_aggregation",
        "across_units",
    ),
    "dataset_indicators": ("dataset_code", "indicator_code", "mandatory"),
    "disaggregations": (
        "indicator_code",
        "disaggregation_code",
        "disaggregation_name",
        "disaggregation_name_en",
        "mandatory",
    ),
    "derived_indicators": (
        "indicator_code",
        "indicator_name",
        "indicator_name_en",
        "numerator_code",
        "denominator_code",
        "multiplier",
        "part_of_whole",
    ),
    "plan": ("plan_code", "plan_name", "first_year", "last_year", "province_code", "timezone"),
    "targets": ("indicator_code", "disaggregation", "scope", "year", "target", "source"),
    "report_charts": (
        "chart_code",
        "indicator_code",
        "chart_kind",
        "period_type",
        "scopes",
        "title",
        "title_en",
        "whole_label",
        "whole_label_en",
        "part_label",
        "part_label_en",
    ),
    "contacts": ("unit_code", "email", "name", "role"),
}
# The tables a catalog folder may lack: a folder without the file has none of its rows.
OPTIONAL_TABLES: dict[str, tuple[str, ...]] = {
    "unit_successions": (
        "from_code",
        "to_code",
        "kind",
        "effective_date",
        "weight",
        "weight_method",
        "reverse_weight",
        "mapping",
        "legal_basis",
        "note",
    ),
}
# How a succession's weight was found, and whether its territory mapping is exact (docs/configuration.md).
WEIGHT_METHODS = ("whole", "equal", "population", "old_commune_share")
MAPPINGS = ("exact", "approximate")
# The data sets' optional day counts: blank = none (docs/configuration.md).
DAY_COUNTS = ("reminder_days_before", "lock_after_days", "approve_within_days")


class CatalogError(ValueError):
    """The catalog files cannot be used as they are; the message names the file and what to fix."""


def read_table(directory: Path, table: str) -> list[Row]:
    """The rows of `<table>.csv`, refused with the missing columns named; an optional table's
    absent file has no rows."""
    path = directory / f"{table}.csv"
    if table in OPTIONAL_TABLES and not path.exists():
        return []
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            rows = list(reader)
            columns = reader.fieldnames or []
    except FileNotFoundError:
        raise CatalogError(f"the catalog has no {path}: every catalog folder holds {', '.join(TABLES)}") from None
    missing = [column for column in (TABLES | OPTIONAL_TABLES)[table] if column not in columns]
    if missing:
        raise CatalogError(f"{path} lacks the column(s) {', '.join(missing)}; see docs/configuration.md")
    return rows


def _contact_problem(row: Row, units: dict[str, Row]) -> str:
    if row["unit_code"] not in units:
        return f"unit_code {row['unit_code']!r} is not in units.csv"
    if row["role"] not in CONTACT_ROLES:
        return f"role {row['role']!r} is not one of {', '.join(CONTACT_ROLES.codes)}"
    if not _EMAIL.fullmatch(row["email"]):
        return f"{row['email']!r} is not one e-mail address"
    return ""


def share(text: str) -> Fraction | None:
    """A succession's weight as written (`1`, `0.25`, `7/16`) as an exact fraction; None when blank.

    Raises ValueError when the text is not a number.
    """
    text = text.strip()
    if not text:
        return None
    try:
        return Fraction(text)
    except ZeroDivisionError:
        raise ValueError(f"{text!r} divides by zero") from None


def _day(text: str) -> date | None:
    return date.fromisoformat(text.strip()) if text.strip() else None


def _succession_problem(row: Row, units: dict[str, Row]) -> str:
    """What is wrong with one row of unit_successions.csv, and what to do; '' when nothing is."""
    kind, from_code, to_code = row["kind"].strip(), row["from_code"].strip(), row["to_code"].strip()
    if kind not in SUCCESSION_KINDS:
        return f"kind {kind!r} is not one of {', '.join(SUCCESSION_KINDS.codes)}"
    if from_code not in units:
        return f"from_code {from_code!r} is not a unit of units.csv: add the unit or correct the code"
    try:
        effective = date.fromisoformat(row["effective_date"].strip())
    except ValueError:
        return f"effective_date {row['effective_date']!r} is not a date (YYYY-MM-DD)"
    ended = _day(units[from_code]["valid_to"])
    if ended != effective - timedelta(days=1):
        return (
            f"effective_date {effective} is not the day after {from_code}'s valid_to ({ended or 'blank'}) in"
            f" units.csv: set {from_code}'s valid_to to {effective - timedelta(days=1)} or correct the date"
        )
    if not SUCCESSION_KINDS[kind].has_successor:
        if to_code or row["weight"].strip() or row["reverse_weight"].strip():
            return f"an `{kind}` row names no successor: leave to_code, weight and reverse_weight blank"
        return ""
    if not to_code:
        return f"a `{kind}` row names its successor: fill to_code (or use kind `end`)"
    if to_code == from_code:
        return f"to_code {to_code!r} is its from_code: a successor has a new code (no code is reused)"
    if to_code not in units:
        return f"to_code {to_code!r} is not a unit of units.csv: add the unit or correct the code"
    begun, to_ended = _day(units[to_code]["valid_from"]), _day(units[to_code]["valid_to"])
    if (begun and begun > effective) or (to_ended and to_ended < effective):
        return (
            f"to_code {to_code} is not valid on {effective} (units.csv: valid_from {begun}, valid_to"
            f" {to_ended or 'blank'}): a successor exists on the effective date"
        )
    if row["weight_method"].strip() not in WEIGHT_METHODS:
        return f"weight_method {row['weight_method']!r} is not one of {', '.join(WEIGHT_METHODS)}"
    if row["mapping"].strip() not in MAPPINGS:
        return f"mapping {row['mapping']!r} is not one of {', '.join(MAPPINGS)}"
    for column in ("weight", "reverse_weight"):
        try:
            value = share(row[column])
        except ValueError:
            return f"{column} {row[column]!r} is not a number: write a decimal (0.25) or a fraction (7/16)"
        if value is None and column == "weight":
            return f"a `{kind}` row has a weight: the share of {from_code}'s values that goes to {to_code}"
        if value is not None and not 0 < value <= 1:
            return f"{column} {row[column]!r} is not a share: it lies in (0, 1]"
    if SUCCESSION_KINDS[kind].whole and share(row["weight"]) != 1:
        return f"a `{kind}` passes the whole unit on: its weight is 1, not {row['weight']!r}"
    return ""


def _successions_problem(rows: list[Row]) -> tuple[int, str]:
    """The first line whose group of rows does not add up: a unit's weights, a successor's reverse weights."""
    weights: dict[str, list[tuple[int, Fraction]]] = defaultdict(list)
    reverse: dict[tuple[str, str], list[tuple[int, Fraction | None]]] = defaultdict(list)
    for number, row in enumerate(rows, 2):
        if SUCCESSION_KINDS[row["kind"].strip()].has_successor:
            weights[row["from_code"].strip()].append((number, share(row["weight"]) or Fraction(0)))
            reverse[(row["to_code"].strip(), row["effective_date"].strip())].append(
                (number, share(row["reverse_weight"]))
            )
    for code, found in weights.items():
        total = sum(weight for _, weight in found)
        if total != 1:
            return found[-1][0], (
                f"the weights of {code}'s {len(found)} successor row(s) sum to {total}, not 1:"
                " every value of the old unit goes somewhere, once"
            )
    for (code, day), backs in reverse.items():
        filled = [back for _, back in backs if back is not None]
        if filled and (len(filled) < len(backs) or sum(filled) != 1):
            return backs[-1][0], (
                f"the reverse weights of {code}'s {len(backs)} predecessor row(s) on {day} sum to"
                f" {sum(filled)}{' with some blank' if len(filled) < len(backs) else ''}, not 1: fill them all"
                f" so they sum to 1, or leave them all blank when {code}'s territory is not wholly covered"
                " by units of the catalog"
            )
    return 0, ""


def is_true(text: str) -> bool:
    return text.strip().lower() in {"true", "1", "yes"}


@dataclass(frozen=True)
class ConsistencyPair:
    """Rule 9: `part` counts some of what `whole` counts, so it can never exceed it."""

    part: str
    whole: str


@dataclass(frozen=True)
class Catalog:
    directory: Path

    def table(self, name: str) -> list[Row]:
        return read_table(self.directory, name)

    def _by_code(self, name: str) -> dict[str, Row]:
        key = TABLES[name][0]
        return {row[key]: row for row in self.table(name)}

    @cached_property
    def unit_types(self) -> dict[str, Row]:
        return self._by_code("unit_types")

    @cached_property
    def units(self) -> dict[str, Row]:
        """Checked: a code listed twice would be one unit in the model and two in the warehouse (no code is reused)."""
        rows = self.table("units")
        seen: dict[str, int] = {}
        for number, row in enumerate(rows, 2):
            if row["unit_code"] in seen:
                raise CatalogError(
                    f"{self.directory / 'units.csv'} line {number}: unit_code {row['unit_code']!r} is already on"
                    f" line {seen[row['unit_code']]}: a code names one unit, ever; give the new unit a new code"
                )
            seen[row["unit_code"]] = number
        return {row["unit_code"]: row for row in rows}

    @cached_property
    def unit_codes_by_number(self) -> dict[int, str]:
        """A numeric code as Excel keeps it (no leading zeros) -> the unit's code; a number two codes share is
        left out."""
        numbers = Counter(int(code) for code in self.units if code.isascii() and code.isdigit())
        return {int(code): code for code in self.units if code.isascii() and code.isdigit() and numbers[int(code)] == 1}

    @cached_property
    def successions(self) -> list[Row]:
        """Which unit became which (unit_successions.csv, optional: none without it), checked against the units."""
        rows = self.table("unit_successions")
        path = self.directory / "unit_successions.csv"
        for number, row in enumerate(rows, 2):
            problem = _succession_problem(row, self.units)
            if problem:
                raise CatalogError(f"{path} line {number}: {problem}")
        number, problem = _successions_problem(rows)
        if problem:
            raise CatalogError(f"{path} line {number}: {problem}")
        return rows

    def successors(self, unit_code: str) -> list[Row]:
        """The succession rows from `unit_code` to its direct successors, in file order."""
        return [row for row in self.successions if row["from_code"] == unit_code]

    def predecessors(self, unit_code: str) -> list[Row]:
        """The succession rows from `unit_code`'s direct predecessors to it, in file order."""
        return [row for row in self.successions if row["to_code"] == unit_code]

    @cached_property
    def datasets(self) -> dict[str, Row]:
        """Checked: a day count that is not a whole number would stop the warehouse's load, not say where."""
        rows = self._by_code("datasets")
        for number, row in enumerate(rows.values(), 2):
            for column in DAY_COUNTS:
                if row[column].strip() and not row[column].strip().isdigit():
                    raise CatalogError(
                        f"{self.directory / 'datasets.csv'} line {number}: {column} is {row[column]!r},"
                        " not a whole number of days (leave it empty for none)"
                    )
        return rows

    def days(self, dataset_code: str, column: str) -> int | None:
        """A data set's day count (`DAY_COUNTS`), None when blank."""
        text = self.datasets[dataset_code][column].strip()
        return int(text) if text else None

    @cached_property
    def indicators(self) -> dict[str, Row]:
        return self._by_code("indicators")

    @cached_property
    def derived_indicators(self) -> dict[str, Row]:
        return self._by_code("derived_indicators")

    @cached_property
    def report_charts(self) -> list[Row]:
        return self.table("report_charts")

    @cached_property
    def contacts(self) -> list[Row]:
        """Who is told what; checked, since a typo here would silently stop a unit's notices."""
        rows = self.table("contacts")
        for number, row in enumerate(rows, 2):
            problem = _contact_problem(row, self.units)
            if problem:
                raise CatalogError(f"{self.directory / 'contacts.csv'} line {number}: {problem}")
        return rows

    @cached_property
    def plans(self) -> list[Row]:
        """The plans monitored one after another (plan.csv's rows in order): checked, since the years of
        every period follow from them. A plan continued by another is a second row, its years the next ones."""
        rows = self.table("plan")
        if not rows:
            raise CatalogError(f"{self.directory / 'plan.csv'} has no plan: write one row per plan")
        for number, (before, after) in enumerate(pairwise(rows), 3):
            if int(after["first_year"]) != int(before["last_year"]) + 1 or after["timezone"] != before["timezone"]:
                raise CatalogError(
                    f"{self.directory / 'plan.csv'} line {number}: a plan continues the one before it, from the year"
                    f" after its last ({int(before['last_year']) + 1}) in the same time zone ({before['timezone']})"
                )
        return rows

    @cached_property
    def plan(self) -> Row:
        """The plan in force (the last row) over the years of every plan: what the warehouse's `plan` holds."""
        return {**self.plans[-1], "first_year": self.plans[0]["first_year"]}

    @cached_property
    def dataset_indicators(self) -> dict[str, list[Row]]:
        """The indicators on each data set's form, in catalog order."""
        result: dict[str, list[Row]] = {code: [] for code in self.datasets}
        for row in self.table("dataset_indicators"):
            result.setdefault(row["dataset_code"], []).append(row)
        return result

    @cached_property
    def disaggregations(self) -> dict[str, list[Row]]:
        """Allowed disaggregations per indicator; indicators without any take none."""
        result: dict[str, list[Row]] = {}
        for row in self.table("disaggregations"):
            result.setdefault(row["indicator_code"], []).append(row)
        return result

    @cached_property
    def disaggregation_codes_by_name(self) -> dict[str, str]:
        """A disaggregation as a clerk may write it (its code or its name, any case or accents) -> its code."""
        names = {}
        for rows in self.disaggregations.values():
            for row in rows:
                names[fold(row["disaggregation_name"])] = row["disaggregation_code"]
                names[fold(row["disaggregation_code"])] = row["disaggregation_code"]
        return names

    @cached_property
    def dataset_indicator_keys(self) -> list[str]:
        """`DATASET/INDICATOR` for every indicator on a data set's form."""
        return [
            f"{row['dataset_code']}/{row['indicator_code']}"
            for rows in self.dataset_indicators.values()
            for row in rows
        ]

    @cached_property
    def disaggregation_keys(self) -> list[str]:
        """`INDICATOR/DISAGGREGATION`, with an empty disaggregation for indicators that take none."""
        keys = []
        for code in self.indicators:
            rows = self.disaggregations.get(code)
            keys += [f"{code}/{row['disaggregation_code']}" for row in rows] if rows else [f"{code}/"]
        return keys

    def form_rows(self, dataset_code: str) -> list[tuple[Row, str, bool]]:
        """(indicator, disaggregation, mandatory) for every line of a data set's form, in catalog order."""
        lines = []
        for entry in self.dataset_indicators.get(dataset_code, []):
            indicator = self.indicators[entry["indicator_code"]]
            mandatory = is_true(entry["mandatory"])
            rows = self.disaggregations.get(entry["indicator_code"])
            if rows:
                lines += [
                    (indicator, row["disaggregation_code"], mandatory and is_true(row["mandatory"])) for row in rows
                ]
            else:
                lines.append((indicator, "", mandatory))
        return lines

    @cached_property
    def mandatory_items(self) -> list[tuple[str, str, str]]:
        """(data set, indicator, disaggregation) that every submission of the data set must carry."""
        return [
            (dataset, indicator["indicator_code"], disaggregation)
            for dataset in self.datasets
            for indicator, disaggregation, mandatory in self.form_rows(dataset)
            if mandatory
        ]

    @cached_property
    def consistency_pairs(self) -> list[ConsistencyPair]:
        """Rule 9's pairs: the derived indicators whose numerator is part of their denominator."""
        return [
            ConsistencyPair(row["numerator_code"], row["denominator_code"])
            for row in self.derived_indicators.values()
            if is_true(row["part_of_whole"])
        ]

    def datasets_for(self, unit_type: str) -> list[str]:
        return [code for code, row in self.datasets.items() if row["submitter_type"] == unit_type]

    def units_submitting(self, dataset_code: str, period: Period | None = None) -> list[str]:
        """The plan's units that must send a data set (for `period`: those that owe it, `unit_exists`)."""
        kind = self.datasets[dataset_code]["submitter_type"]
        return [
            code for code, row in self.plan_units.items() if row["unit_type"] == kind and self.unit_exists(code, period)
        ]

    @cached_property
    def plan_units(self) -> dict[str, Row]:
        """The units valid on some day of the plan's years, in catalog order: a unit that a later (or
        earlier) reform made or ended outside them has no part in this plan (no account, no form)."""
        start, end = date(self.first_year, 1, 1), date(self.last_year, 12, 31)
        return {
            code: row
            for code, row in self.units.items()
            if date.fromisoformat(row["valid_from"]) <= end
            and not (row["valid_to"] and date.fromisoformat(row["valid_to"]) < start)
        }

    def unit_exists(self, unit_code: str, period: Period | None) -> bool:
        """Whether the unit owes (and may send) `period`: it is valid on the period's last day
        (docs/design.md; the same rule as the `completeness` view and the GX rule 3 checks)."""
        if period is None:
            return True
        row = self.units[unit_code]
        ended = row["valid_to"] and date.fromisoformat(row["valid_to"]) < period.end
        return date.fromisoformat(row["valid_from"]) <= period.end and not ended

    def due_date(self, dataset_code: str, period: Period) -> date:
        return period.due_date(int(self.datasets[dataset_code]["due_days_after_period_end"]))

    def periods(self, period_type: str) -> tuple[Period, ...]:
        """Every period of the plan of a kind (`quarter`, `year`), in order."""
        return plan_periods(self.first_year, self.last_year, period_type)

    @property
    def timezone(self) -> ZoneInfo:
        """Receipt times and due dates are in the province's local time."""
        return ZoneInfo(self.plan["timezone"])

    def today(self) -> date:
        return datetime.now(self.timezone).date()

    @property
    def first_year(self) -> int:
        return int(self.plan["first_year"])

    @property
    def last_year(self) -> int:
        return int(self.plan["last_year"])
