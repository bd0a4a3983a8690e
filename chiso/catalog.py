"""The catalog (units, data sets, indicators, breakdowns, plan) read from its CSV files.

The CSV files under `catalog/` are the single source: the warehouse loads the same files
into its dimension tables, and validation reads them through this module.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

TABLES = (
    "units",
    "datasets",
    "indicators",
    "dataset_indicators",
    "disaggregations",
    "derived_indicators",
    "plan",
    "targets",
)


class CatalogError(ValueError):
    """The catalog files cannot replace the warehouse's catalog as they are."""


def read_table(catalog_dir: Path, table: str) -> list[dict[str, str]]:
    with (catalog_dir / f"{table}.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _true(text: str) -> bool:
    return text.strip().lower() in {"true", "1", "yes"}


@dataclass(frozen=True)
class Catalog:
    directory: Path

    @cached_property
    def units(self) -> dict[str, dict[str, str]]:
        return {row["unit_code"]: row for row in read_table(self.directory, "units")}

    @cached_property
    def datasets(self) -> dict[str, dict[str, str]]:
        return {row["dataset_code"]: row for row in read_table(self.directory, "datasets")}

    @cached_property
    def indicators(self) -> dict[str, dict[str, str]]:
        return {row["indicator_code"]: row for row in read_table(self.directory, "indicators")}

    @cached_property
    def plan(self) -> dict[str, str]:
        return read_table(self.directory, "plan")[0]

    @cached_property
    def breakdowns(self) -> dict[str, list[dict[str, str]]]:
        """Allowed breakdowns per indicator; indicators without any take none."""
        result: dict[str, list[dict[str, str]]] = {}
        for row in read_table(self.directory, "disaggregations"):
            result.setdefault(row["indicator_code"], []).append(row)
        return result

    @cached_property
    def breakdown_codes_by_name(self) -> dict[str, str]:
        from transforms.text import fold

        names = {}
        for rows in self.breakdowns.values():
            for row in rows:
                names[fold(row["disaggregation_name"])] = row["disaggregation_code"]
                names[fold(row["disaggregation_code"])] = row["disaggregation_code"]
        return names

    @cached_property
    def form_keys(self) -> list[str]:
        """`DATASET/INDICATOR` for every indicator on a data set's form."""
        return [f"{r['dataset_code']}/{r['indicator_code']}" for r in read_table(self.directory, "dataset_indicators")]

    @cached_property
    def breakdown_keys(self) -> list[str]:
        """`INDICATOR/BREAKDOWN`, with an empty breakdown for indicators that take none."""
        keys = []
        for code in self.indicators:
            rows = self.breakdowns.get(code)
            keys += [f"{code}/{r['disaggregation_code']}" for r in rows] if rows else [f"{code}/"]
        return keys

    @cached_property
    def mandatory_items(self) -> list[tuple[str, str, str]]:
        """(data set, indicator, breakdown) that every submission of the data set must carry."""
        items = []
        for row in read_table(self.directory, "dataset_indicators"):
            if not _true(row["mandatory"]):
                continue
            code = row["indicator_code"]
            breakdowns = [r["disaggregation_code"] for r in self.breakdowns.get(code, []) if _true(r["mandatory"])]
            items += [(row["dataset_code"], code, b) for b in breakdowns or [""]]
        return items

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
