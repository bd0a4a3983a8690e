"""The plan as the demo reads it from the catalog: who sends which form, the lines of each
form, every submission slot of the plan, and when each is due.

Nothing here is a copy of the catalog: units, data sets, indicators, disaggregations, plan years
and due days all come from `core.catalog.Catalog` (by default the catalog the settings name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.catalog import Catalog
from core.periods import Period
from core.settings import load_settings
from demo.model import Slot


def default_catalog() -> Catalog:
    """The catalog the application uses (`CHISO_CATALOG_DIR`, by default `catalog/`)."""
    return Catalog(load_settings().catalog_dir)


@dataclass(frozen=True)
class FormLine:
    """One line of a form: an indicator, with its disaggregation when it takes one."""

    indicator: str
    disaggregation: str | None
    mandatory: bool


def form_lines(catalog: Catalog, dataset: str) -> list[FormLine]:
    """The lines of a data set's form, mandatory ones first, each group in catalog order."""
    lines = [
        FormLine(indicator["indicator_code"], disaggregation or None, mandatory)
        for indicator, disaggregation, mandatory in catalog.form_rows(dataset)
    ]
    return sorted(lines, key=lambda line: not line.mandatory)


def optional_indicators(catalog: Catalog, dataset: str) -> list[str]:
    """The indicators a unit may leave out of a data set's form, in catalog order."""
    return list(dict.fromkeys(line.indicator for line in form_lines(catalog, dataset) if not line.mandatory))


def form_has_disaggregations(catalog: Catalog, dataset: str) -> bool:
    return any(line.disaggregation for line in form_lines(catalog, dataset))


def disaggregations(catalog: Catalog, indicator: str) -> list[str]:
    """The disaggregation codes an indicator takes, in catalog order."""
    return [row["disaggregation_code"] for row in catalog.disaggregations.get(indicator, [])]


def disaggregation_name(catalog: Catalog, indicator: str, code: str) -> str:
    """A disaggregation's name on the form; a code the catalog does not know is shown as written."""
    names = {
        row["disaggregation_code"]: row["disaggregation_name"] for row in catalog.disaggregations.get(indicator, [])
    }
    return names.get(code, code)


def reporting_units(catalog: Catalog) -> list[str]:
    """Every unit of the plan that sends some data set, in catalog order."""
    return [code for code, row in catalog.plan_units.items() if catalog.datasets_for(row["unit_type"])]


def is_department(catalog: Catalog, unit: str) -> bool:
    return catalog.units[unit]["unit_type"] == "department"


def province_name(catalog: Catalog) -> str:
    return catalog.units[catalog.plan["province_code"]]["unit_name"]


def plan_slots(catalog: Catalog) -> list[Slot]:
    """Every submission the plan expects, ordered by year, period, data set and unit."""
    slots = [
        (dataset, unit, period.code)
        for dataset, row in catalog.datasets.items()
        for period in catalog.periods(row["period_type"])
        for unit in catalog.units_submitting(dataset, period)
    ]
    return sorted(slots, key=lambda slot: (slot[2][:4], slot[2], slot[0], slot[1]))


def period_end(period: str) -> date:
    return Period.parse(period).end


def is_quarter(period: str) -> bool:
    return Period.parse(period).type == "quarter"


def due_date(catalog: Catalog, dataset: str, period: str) -> date:
    return catalog.due_date(dataset, Period.parse(period))
