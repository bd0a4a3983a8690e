"""Where a figure comes from: the unit values a roll-up figure (or a target's actual) is computed from,
and the files of a completeness cell, each with its submission, its file and its source rows.

The rows come from the views figure_lineage and completeness_lineage (warehouse/views/18, 19), which
follow the roll-up's and completeness's own rules, or a geography's figure_lineage_current_geography and
_past_geography (24, 25); here they are only asked for one figure or one cell, for `chiso lineage`, the
report and the portal's lineage page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import duckdb

from warehouse.db import query_rows

QUERIES = Path(__file__).resolve().parent / "queries"


class NoSuchFigure(LookupError):
    """The roll-up has no such figure (or the grid no such cell); the message says what it does hold."""


@dataclass
class Figure:
    """One figure of the roll-up and the rows it is computed from."""

    period: str
    period_type: str
    scope: str
    indicator_code: str
    disaggregation: str
    value: float | None
    numerator: float | None
    denominator: float | None
    units_reporting: int
    target: float | None
    rows: list[dict] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.indicator_code, self.period, self.scope, self.disaggregation)

    def files(self) -> list[dict]:
        """Each file the figure draws on, once, in order of arrival: submission, name, receipt, sender, rows."""
        found: dict[int, dict] = {}
        for row in self.rows:
            entry = found.setdefault(row["submission_id"], {**row, "source_rows": []})
            entry["source_rows"].append(row["source_row"])
        return sorted(found.values(), key=lambda f: (f["received_at"], f["submission_id"]))


def figures(
    connection: duckdb.DuckDBPyConnection,
    indicator: str,
    period: str,
    scope: str = "province",
    disaggregation: str | None = None,
    rollup: str = "indicator_rollup",
    rows: str = "figure_lineage",
) -> list[Figure]:
    """The figure asked for (every disaggregation of it when `disaggregation` is None) with its rows;
    NoSuchFigure, saying what the roll-up holds of the indicator, when there is none. `rollup` and `rows`
    name the views of the figures and of their rows (a geography's: chiso.report.build.figures_of)."""
    args = (indicator, period, scope, disaggregation)
    found = [
        Figure(
            period=row["period"],
            period_type=row["period_type"],
            scope=row["scope"],
            indicator_code=row["indicator_code"],
            disaggregation=row["disaggregation"],
            value=row["value"],
            numerator=row["numerator"],
            denominator=row["denominator"],
            units_reporting=row["units_reporting"],
            target=row["target"],
        )
        for row in query_rows(connection, QUERIES / "figures.sql", *args, rollup)
    ]
    if not found:
        raise NoSuchFigure(_what_exists(connection, *args, rollup))
    by_key = {figure.disaggregation: figure for figure in found}
    for row in query_rows(connection, QUERIES / "figure_rows.sql", *args, rows):
        by_key[row["disaggregation"]].rows.append(row)
    return found


def _what_exists(
    connection: duckdb.DuckDBPyConnection,
    indicator: str,
    period: str,
    scope: str,
    disaggregation: str | None,
    rollup: str,
) -> str:
    asked = f"{indicator} {period} {scope}" + (f" {disaggregation}" if disaggregation else "")
    held = query_rows(connection, QUERIES / "what_exists.sql", indicator, rollup)[0]
    if held["periods"] is None:
        return (
            f"the roll-up has no figure {asked}: no value of {indicator} was accepted, or no such indicator"
            ' (see `chiso query "select indicator_code from indicators union all select indicator_code from'
            ' derived_indicators"`)'
        )
    return (
        f"the roll-up has no figure {asked}; it holds {indicator} for the periods {held['periods']},"
        f" the scopes {held['scopes']}"
        + (f" and the disaggregations {held['disaggregations']}" if held["disaggregations"] else "")
        + ": ask for one of those (a year as 2018, a quarter as 2018Q3)"
    )


def cell(connection: duckdb.DuckDBPyConnection, dataset: str, unit: str, period: str) -> list[dict]:
    """The files of one completeness cell (one row without a file when none was received);
    NoSuchFigure when the grid expects no such report."""
    rows = query_rows(connection, QUERIES / "cell_rows.sql", dataset, unit, period)
    if not rows:
        raise NoSuchFigure(
            f"the completeness grid has no report {dataset} {unit} {period}: the data set is not due from that"
            ' unit for that period, or the period has not ended (see `chiso query "select * from completeness'
            f" where unit_code = '{unit}'\"`)"
        )
    return rows


def anchor(indicator: str, period: str, scope: str, disaggregation: str = "") -> str:
    """The id of a figure's lineage in the report's companion file."""
    return "-".join(part for part in ("f", indicator, period, scope, disaggregation) if part)


def cell_anchor(dataset: str, unit: str, period: str) -> str:
    """The id of a completeness cell's lineage in the report's companion file."""
    return f"c-{dataset}-{unit}-{period}"


def portal_query(indicator: str, period: str, scope: str, disaggregation: str = "") -> str:
    """The query string of a figure's lineage page in the portal."""
    fields = {"indicator": indicator, "period": period, "scope": scope}
    if disaggregation:
        fields["disaggregation"] = disaggregation
    return urlencode(fields)


def cell_query(dataset: str, unit: str, period: str) -> str:
    """The query string of a completeness cell's lineage page in the portal."""
    return urlencode({"dataset": dataset, "unit": unit, "period": period})
