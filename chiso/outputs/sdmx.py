"""SDMX-CSV 2.0 of the indicator values and roll-ups, for the national and partner exchanges.

Two data structures, derived from the snapshot's catalog tables (the loader fills them from
catalog/*.csv on every run, so a structure describes exactly the data beside it); a second plan
gets its own, named after its plan code:

- `CHISO:<plan>_VALUES(1.0)`, of `indicator_values`: dimensions FREQ, REF_AREA (the reporting
  unit), INDICATOR, DISAGGREGATION, TIME_PERIOD; measure OBS_VALUE; attributes UNIT_MEASURE and
  OBS_COMMENT (the clerk's note).
- `CHISO:<plan>_ROLLUP(1.0)`, of `indicator_rollup`: FREQ, REF_AREA (the province), UNIT_TYPE
  (`_T` all units, or `department`, `district`), INDICATOR, DISAGGREGATION, TIME_PERIOD;
  OBS_VALUE; UNIT_MEASURE, UNITS_REPORTING, OBS_STATUS (`A` normal; `M` missing: a ratio whose
  denominator is zero).

SDMX's own codes: `_Z` not applicable (an indicator with no disaggregation), `_T` total. Periods
are SDMX's (`2017`, `2017-Q3`). Values are written verbatim: this file is for machines, not for
spreadsheets, so no formula-like text is neutralised. pysdmx writes the file (with pandas).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from pysdmx.io.csv.sdmx20.writer import write as write_sdmx_csv
from pysdmx.io.pd import PandasDataset
from pysdmx.model import Code, Codelist, Component, Components, Concept, DataType, Role, Schema
from pysdmx.model.dataset import ActionType

from chiso.export import ExportError, resolve
from core.periods import Period
from warehouse.db import connect_read_only

FORMAT = "sdmx"
SUFFIX = ".sdmx.csv"
# The maintenance agency of the structures; an exchange agreement that assigns another changes it here.
AGENCY = "CHISO"
VERSION = "1.0"
NOT_APPLICABLE, TOTAL = "_Z", "_T"
FREQUENCY = {"year": "A", "quarter": "Q"}
# The roll-up's scope of every unit (warehouse/views/03_indicator_rollup_live.sql): UNIT_TYPE `_T`.
ALL_UNITS_SCOPE = "province"
# Derived indicators are ratios; a multiplier of 100 makes them percentages.
PERCENT = "%"


def write(snapshot: Path, folder: Path) -> dict[str, Path]:
    """Both views, as `<view>.sdmx.csv` in `folder`."""
    return {view: export(snapshot, view, FORMAT, folder / f"{view}{SUFFIX}")[0] for view in STRUCTURES}


def export(snapshot: Path, view: str, fmt: str, output: Path | None = None) -> tuple[Path, int]:
    """`view` (indicator_values or indicator_rollup) of `snapshot` as SDMX-CSV 2.0 to `output`."""
    with connect_read_only(snapshot) as connection:
        name = resolve(connection, view)
        if name not in STRUCTURES:
            raise ExportError(f"SDMX is written for {' and '.join(STRUCTURES)}, not {name}")
        catalog = {table: _rows(connection, table) for table in CATALOG_TABLES}
        frame = STRUCTURES[name][1](connection.table(name).df(), catalog)
    schema = STRUCTURES[name][0](catalog)
    output = output or Path(f"{name}{SUFFIX}")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    try:
        dataset = PandasDataset(structure=schema, data=frame, action=ActionType.Information)
        write_sdmx_csv([dataset], output_path=partial)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return output, len(frame)


CATALOG_TABLES = ("plan", "units", "unit_types", "indicators", "derived_indicators", "disaggregations")


def _rows(connection, table: str) -> list[dict]:
    relation = connection.table(table)
    return [dict(zip(relation.columns, row)) for row in relation.fetchall()]


def sdmx_period(code: str) -> tuple[str, str]:
    """(FREQ, TIME_PERIOD) of a period code: `2017Q3` -> (`Q`, `2017-Q3`), `2017` -> (`A`, `2017`)."""
    period = Period.parse(code)
    if period is None:
        raise ValueError(f"{code!r} is not a period code")
    return FREQUENCY[period.type], f"{period.year}-Q{period.quarter}" if period.quarter else str(period.year)


def measure_units(catalog: dict) -> dict[str, str | None]:
    """Each indicator's unit of measure (English), derived ones `%` when their multiplier is 100."""
    units: dict[str, str | None] = {row["indicator_code"]: row["measure_unit_en"] for row in catalog["indicators"]}
    for row in catalog["derived_indicators"]:
        units[row["indicator_code"]] = PERCENT if row["multiplier"] == 100 else None
    return units


# --- the structures -----------------------------------------------------------------------------


def _codes(codelist: str, codes: Mapping[str, str | None]) -> Codelist:
    return Codelist(
        id=codelist, name=codelist, agency=AGENCY, items=[Code(id=c, name=n or c) for c, n in codes.items()]
    )


def _component(id_: str, role: Role, name: str, dtype=DataType.STRING, codes=None, required=True, attached=None):
    return Component(
        id=id_,
        required=required,
        role=role,
        concept=Concept(id=id_, name=name),
        local_dtype=dtype,
        local_codes=codes,
        attachment_level=attached,
    )


def _dimensions(catalog: dict, area: Component, *extra: Component) -> list[Component]:
    indicators = {row["indicator_code"]: row["indicator_name_en"] for row in catalog["indicators"]}
    indicators |= {row["indicator_code"]: row["indicator_name_en"] for row in catalog["derived_indicators"]}
    disaggregations = {NOT_APPLICABLE: "Not applicable"} | {
        row["disaggregation_code"]: row["disaggregation_name_en"] for row in catalog["disaggregations"]
    }
    frequencies = {"A": "Annual", "Q": "Quarterly"}
    return [
        _component("FREQ", Role.DIMENSION, "Frequency", codes=_codes("CL_FREQ", frequencies)),
        area,
        *extra,
        _component("INDICATOR", Role.DIMENSION, "Indicator", codes=_codes("CL_INDICATOR", indicators)),
        _component(
            "DISAGGREGATION", Role.DIMENSION, "Disaggregation", codes=_codes("CL_DISAGGREGATION", disaggregations)
        ),
        _component("TIME_PERIOD", Role.DIMENSION, "Time period", dtype=DataType.PERIOD),
        _component("OBS_VALUE", Role.MEASURE, "Observation value", dtype=DataType.DOUBLE),  # missing: NaN
        _component("UNIT_MEASURE", Role.ATTRIBUTE, "Unit of measure", required=False, attached="O"),
    ]


def _schema(catalog: dict, suffix: str, name: str, components: list[Component]) -> Schema:
    plan = catalog["plan"][0]
    return Schema(
        context="datastructure",
        agency=AGENCY,
        id=f"{plan['plan_code']}_{suffix}",
        version=VERSION,
        name=f"{name}, {plan['plan_code']}",
        components=Components(components),
    )


def values_schema(catalog: dict) -> Schema:
    units = {row["unit_code"]: row["unit_name"] for row in catalog["units"]}
    area = _component("REF_AREA", Role.DIMENSION, "Reporting unit", codes=_codes("CL_UNIT", units))
    comment = _component("OBS_COMMENT", Role.ATTRIBUTE, "Comment", required=False, attached="O")
    return _schema(catalog, "VALUES", "Indicator values", [*_dimensions(catalog, area), comment])


def rollup_schema(catalog: dict) -> Schema:
    province = catalog["plan"][0]["province_code"]
    names = {row["unit_code"]: row["unit_name"] for row in catalog["units"]}
    area = _component("REF_AREA", Role.DIMENSION, "Area", codes=_codes("CL_AREA", {province: names.get(province)}))
    types = {TOTAL: "All units"} | {
        row["unit_type"]: row["scope_name_en"] for row in catalog["unit_types"] if row["unit_type"] != ALL_UNITS_SCOPE
    }
    unit_type = _component("UNIT_TYPE", Role.DIMENSION, "Reporting units", codes=_codes("CL_UNIT_TYPE", types))
    reporting = _component(
        "UNITS_REPORTING", Role.ATTRIBUTE, "Units reporting", dtype=DataType.INTEGER, required=False, attached="O"
    )
    status = _component(
        "OBS_STATUS",
        Role.ATTRIBUTE,
        "Observation status",
        codes=_codes("CL_OBS_STATUS", {"A": "Normal value", "M": "Missing value"}),
        attached="O",
    )
    return _schema(catalog, "ROLLUP", "Indicator roll-ups", [*_dimensions(catalog, area, unit_type), reporting, status])


# --- the rows -----------------------------------------------------------------------------------


def _keys(data: pd.DataFrame, catalog: dict) -> dict[str, pd.Series]:
    periods = data["period"].map(sdmx_period)
    return {
        "FREQ": periods.str[0],
        "INDICATOR": data["indicator_code"],
        "DISAGGREGATION": data["disaggregation"].replace("", NOT_APPLICABLE),
        "TIME_PERIOD": periods.str[1],
        "OBS_VALUE": data["value"],
        "UNIT_MEASURE": data["indicator_code"].map(measure_units(catalog)),
    }


def values_frame(data: pd.DataFrame, catalog: dict) -> pd.DataFrame:
    frame = pd.DataFrame({"REF_AREA": data["unit_code"], **_keys(data, catalog), "OBS_COMMENT": data["note"]})
    return _sorted(frame, ["REF_AREA"])


def rollup_frame(data: pd.DataFrame, catalog: dict) -> pd.DataFrame:
    province = catalog["plan"][0]["province_code"]
    frame = pd.DataFrame(
        {
            "REF_AREA": province,
            "UNIT_TYPE": data["scope"].replace(ALL_UNITS_SCOPE, TOTAL),
            **_keys(data, catalog),
            "UNITS_REPORTING": data["units_reporting"],
            "OBS_STATUS": data["value"].isna().map({False: "A", True: "M"}),
        }
    )
    return _sorted(frame, ["REF_AREA", "UNIT_TYPE"])


def _sorted(frame: pd.DataFrame, area: list[str]) -> pd.DataFrame:
    """One stable order (the key's), so the same snapshot always writes the same file."""
    return frame.sort_values([*area, "INDICATOR", "DISAGGREGATION", "FREQ", "TIME_PERIOD"], ignore_index=True)


# view -> (its structure, its rows)
STRUCTURES = {"indicator_values": (values_schema, values_frame), "indicator_rollup": (rollup_schema, rollup_frame)}
