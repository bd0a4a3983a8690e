"""Build the self-contained HTML monitoring report from a warehouse, read-only.

One file, no external asset: inline CSS, charts as inline SVG, no script. Every text that
comes from the data (file names, reasons, notes) goes through Jinja2's autoescape. What the
report shows of a plan — its years, time zone, charts, scopes — comes from the warehouse's
catalog tables; its words from the vocabulary.

Each figure is marked official (every report it is computed from accepted by the province, unchanged
since: the view rollup_marks) or provisional; `official=True` draws the figures from the official
ones only (official_rollup, official_target_progress), the files' sections unchanged. `geography` draws them in
the current or the fixed past geography (indicator_rollup_current_geography, _past_geography): each figure then
says whether it was allocated by a split weight or is incomplete (a mark and a legend), and is never official.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from chiso import lineage
from chiso.report import GEOGRAPHIES, charts, svg
from core.kinds import COMPLETENESS_STATUSES, SUBMISSION_STATUSES, WARNING_KINDS
from core.vocabulary import Text, say
from warehouse.db import connect_read_only, query_rows, read_sql

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "queries"
TEMPLATE = "template.html.j2"


@dataclass(frozen=True)
class Figures:
    """The view the report's figures come from (the plan targets' progress is computed over it)."""

    rollup: str
    official_only: bool  # every figure of the view is official
    geography: str = "as_reported"  # one of chiso.report.GEOGRAPHIES
    lineage: str = "figure_lineage"  # the view of the rows behind each figure


EVERY_FIGURE = Figures("indicator_rollup", official_only=False)
OFFICIAL_FIGURES = Figures("official_rollup", official_only=True)


def figures_of(official: bool = False, geography: str = "as_reported") -> Figures:
    """The view a report's figures come from: as reported (all, or official only), or in a geography."""
    if geography == "as_reported":
        return OFFICIAL_FIGURES if official else EVERY_FIGURE
    if official:
        raise ValueError("official figures are as reported: a geography's figures are re-expressed, never official")
    if geography not in GEOGRAPHIES:
        raise ValueError(f"no geography {geography!r}: one of {', '.join(GEOGRAPHIES)}")
    return Figures(
        f"indicator_rollup_{geography}_geography",
        official_only=False,
        geography=geography,
        lineage=f"figure_lineage_{geography}_geography",
    )


LINEAGE_TEMPLATE = "lineage.html.j2"
LINEAGE_SUFFIX = ".lineage"  # report.html -> report.lineage.html


@dataclass
class Links:
    """Where each figure and completeness cell of the report links to, its lineage: a section of the
    companion file written beside the report (offline), or the portal's lineage page. Records what it
    linked, so the companion holds exactly the figures and cells the report shows."""

    figure_href: Callable[[str, str, str, str], str]
    cell_href: Callable[[str, str, str], str]
    figures: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    cells: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def figure(self, indicator: str, period: str, scope: str, disaggregation: str = "") -> str:
        key = (indicator, period, scope, disaggregation)
        self.figures[key] = href = self.figure_href(*key)
        return href

    def cell(self, dataset: str, unit: str, period: str) -> str:
        key = (dataset, unit, period)
        self.cells[key] = href = self.cell_href(*key)
        return href

    @classmethod
    def companion(cls, name: str) -> Links:
        """Links into the companion file `name` (beside the report)."""
        return cls(
            lambda *key: f"{name}#{lineage.anchor(*key)}",
            lambda *key: f"{name}#{lineage.cell_anchor(*key)}",
        )


def lineage_path(output: Path) -> Path:
    """The report's companion file: where each of its figures comes from (report.html -> report.lineage.html)."""
    return output.with_name(f"{output.stem}{LINEAGE_SUFFIX}{output.suffix or '.html'}")


def build_report(
    warehouse: Path,
    output: Path,
    generated_at: datetime | None = None,
    *,
    official: bool = False,
    geography: str = "as_reported",
) -> Path:
    """Write the report for `warehouse` to `output` (atomically: readers never see half a file);
    `official`: its figures from the official ones only; `geography`: its figures in that geography."""
    figures = figures_of(official, geography)
    companion = lineage_path(output)
    links = Links.companion(companion.name)
    with connect_read_only(warehouse) as connection:
        data = collect(connection, figures)
        html = render(
            data,
            warehouse_name=warehouse.name,
            generated_at=generated_at,
            official_only=official,
            links=links,
            geography=figures.geography,
        )
        trail = collect_lineage(connection, links, figures)
    trail_html = render_lineage(trail, data, report_name=output.name, official_only=official)
    output.parent.mkdir(parents=True, exist_ok=True)
    # The companion first: a reader of the new report finds its figures' lineage beside it.
    for path, text in ((companion, trail_html), (output, html)):
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        try:
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return output


def collect(connection, figures: Figures = EVERY_FIGURE) -> dict:
    # The figures and targets drawn, with their official marks, made once (temporary tables of this
    # connection): each chart's query then reads them instead of computing the marks again.
    connection.execute(
        read_sql(QUERIES / "report_figures.sql"), [figures.rollup, figures.official_only, figures.geography]
    )
    connection.execute(read_sql(QUERIES / "report_targets.sql"))
    names = (
        "plan",
        "scopes",
        "submission_counts",
        "completeness",
        "targets",
        "rejections",
        "warnings",
        "charts",
        "breaks",
    )
    data: dict = {name: query_rows(connection, QUERIES / f"{name}.sql") for name in names}
    if figures.geography != "as_reported":
        data["past_geography_day"] = connection.execute("select cast(past_geography_day() as varchar)").fetchone()[0]
    for chart in data["charts"]:
        if chart["chart_kind"] == "parts":
            chart["rows"] = query_rows(connection, QUERIES / "parts.sql", chart["indicator_code"], chart["period_type"])
        else:
            scope = chart["scopes"].split()[0]
            chart["rows"] = query_rows(connection, QUERIES / "share.sql", chart["indicator_code"], scope)
    return data


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE),
        autoescape=True,  # every datum is text, never markup: a file named <script>… shows as such
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = svg.number
    env.filters["amount"] = svg.amount
    env.filters["percent"] = svg.percent
    env.filters["when"] = lambda value, fmt="%Y-%m-%d %H:%M": "–" if value is None else value.strftime(fmt)
    env.globals["say"] = say
    return env


def render(
    data: dict,
    warehouse_name: str,
    generated_at: datetime | None = None,
    official_only: bool = False,
    links: Links | None = None,
    geography: str = "as_reported",
) -> str:
    """The report's HTML; `links`: where its figures link to (none: no link)."""
    if links is not None:
        _link(data, links)
    legend = charts.geography_legend(geography, data.get("past_geography_day"))
    page = context(data, warehouse_name, generated_at, official_only) | legend
    return environment().get_template(TEMPLATE).render(**page)


def _link(data: dict, links: Links) -> None:
    """Give each figure the report draws (charts, targets) and each completeness cell its lineage link."""
    for row in data["completeness"]:
        row["lineage"] = links.cell(row["dataset_code"], row["unit_code"], row["period"])
    for chart in data["charts"]:
        code = chart["indicator_code"]
        for row in chart["rows"]:
            if chart["chart_kind"] == "parts" and row["whole"] is not None:
                row["lineage"] = links.figure(code, row["period"], row["scope"])
            elif chart["chart_kind"] != "parts" and row["value"] is not None:
                row["lineage"] = links.figure(code, str(row["year"]), chart["scopes"].split()[0], row["disaggregation"])
    for row in data["targets"]:
        if row["actual"] is not None:
            row["lineage"] = links.figure(row["indicator_code"], str(row["year"]), row["scope"], row["disaggregation"])


def collect_lineage(connection, links: Links, figures: Figures = EVERY_FIGURE) -> dict:
    """The rows behind the figures and cells `links` linked (after `render`), for the companion file."""
    indicators = sorted({key[0] for key in links.figures})
    drawn: dict[tuple, dict] = {}
    rows = query_rows(connection, QUERIES / "lineage_figures.sql", indicators, figures.official_only, figures.lineage)
    for row in rows:
        key = (row["indicator_code"], row["period"], row["scope"], row["disaggregation"])
        if key in links.figures:
            figure = drawn.setdefault(key, {**row, "anchor": lineage.anchor(*key), "rows": []})
            if row["unit_code"] is not None:
                figure["rows"].append(row)
    cells: dict[tuple, dict] = {}
    for row in query_rows(connection, QUERIES / "lineage_cells.sql"):
        slot = (row["dataset_code"], row["unit_code"], row["period"])
        if slot in links.cells:
            cell = cells.setdefault(slot, {**row, "anchor": lineage.cell_anchor(*slot), "files": []})
            if row["submission_id"] is not None:
                cell["files"].append(row)
    return {"figures": [drawn[key] for key in links.figures if key in drawn], "cells": list(cells.values())}


def render_lineage(trail: dict, data: dict, report_name: str, official_only: bool = False) -> str:
    """The companion file: each figure of the report and its units' values (a derived figure's numerator and
    denominator side by side, from one file), each completeness cell and its files."""
    files = {file["submission_id"] for cell in trail["cells"] for file in cell["files"]}
    figures = [_figure_units(figure) for figure in trail["figures"]]
    env = environment()
    env.filters["rows"] = _rows
    env.globals.update(figure_status=charts.figure_status, status_text=charts.status_text)
    return env.get_template(LINEAGE_TEMPLATE).render(
        plan=data["plan"][0],
        report_name=report_name,
        official_only=official_only,
        figures=figures,
        cells=trail["cells"],
        files=files,
    )


def _figure_units(figure: dict) -> dict:
    """A figure's rows grouped by unit, period and file: each role's value and the rows it was read from."""
    roles = list(dict.fromkeys((row["role"], row["input_indicator_code"]) for row in figure["rows"]))
    units: dict[tuple, dict] = {}
    for row in figure["rows"]:
        entry = units.setdefault(
            (row["unit_code"], row["reported_period"], row["submission_id"]), {**row, "by_role": {}, "source_rows": []}
        )
        entry["by_role"][row["role"]] = row["unit_value"]
        entry["source_rows"].append(row["source_row"])
    return {**figure, "roles": roles, "units": list(units.values())}


def _rows(numbers: list[int] | None) -> str:
    """Source rows as ranges: 3-9, 12."""
    ranges: list[list[int]] = []
    for number in numbers or []:
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges) or "–"


def context(data: dict, warehouse_name: str, generated_at: datetime | None, official_only: bool = False) -> dict:
    plan = data["plan"][0]
    timezone = ZoneInfo(plan["timezone"])
    generated_at = generated_at or datetime.now(timezone)
    generated_at = (
        generated_at.replace(tzinfo=timezone) if generated_at.tzinfo is None else generated_at.astimezone(timezone)
    )
    # the plans' years up to the data's reach: a plan running to 2030 shows no empty years ahead
    reach = [plan["first_year"], *(int(row["period"][:4]) for row in data["completeness"])]
    if plan["as_of"] is not None:
        reach.append(plan["as_of"].year)
    years = list(range(plan["first_year"], min(plan["last_year"], max(reach)) + 1))
    scopes = {row["scope"]: Text(row["scope_name"], row["scope_name_en"]) for row in data["scopes"]}
    breaks = [charts.series_break(row["effective_date"], row["changes"]) for row in data["breaks"]]
    return {
        "plan": plan,
        "years": years,
        "as_of": plan["as_of"],
        "generated_at": generated_at,
        "timezone": str(timezone),
        "warehouse_name": warehouse_name,
        "official_only": official_only,
        "provisional_mark": charts.PROVISIONAL_MARK,
        "figure_status": charts.figure_status,
        "approval_marks": charts.approval_legend(),
        "kpis": _kpis(data["submission_counts"], data["completeness"]),
        "heatmaps": _heatmaps(data["completeness"], years),
        "heatmap_legend": charts.heatmap_legend(),
        "statuses": {status.code: (status.colour, charts.status_text(status.code)) for status in COMPLETENESS_STATUSES},
        "sections": [_section(chart, years, scopes, breaks) for chart in data["charts"]],
        "targets": data["targets"],
        "target_verdict": charts.target_verdict,
        "rejections": _rejections(data["rejections"]),
        "rejected_reasons": len(data["rejections"]),
        "warnings": data["warnings"],
        "warning_counts": Counter(row["warning"] for row in data["warnings"]),
        "warning_kinds": WARNING_KINDS,
    }


def _kpis(counts: list[dict], completeness: list[dict]) -> dict:
    files = dict.fromkeys(SUBMISSION_STATUSES.codes, 0) | {row["status"]: row["files"] for row in counts}
    statuses = Counter(row["status"] for row in completeness)
    expected = sum(statuses[s] for s in COMPLETENESS_STATUSES.codes_where("due"))  # rates over the reports already due
    received = sum(statuses[s] for s in COMPLETENESS_STATUSES.codes_where("done"))
    return {
        "files": sum(files.values()),
        "by_status": files,
        "expected": expected,
        "received": received,
        "on_time": statuses["on_time"],
        "missing": sum(statuses[s] for s in COMPLETENESS_STATUSES.codes_where("chased")),
        "reporting_rate": 100 * received / expected if expected else None,
        "on_time_rate": 100 * statuses["on_time"] / expected if expected else None,
    }


def _heatmaps(completeness: list[dict], years: list[int]) -> list[dict]:
    """One heatmap per data set, in catalog order, with its status counts."""
    by_dataset: dict[str, list[dict]] = {}
    for row in completeness:
        by_dataset.setdefault(row["dataset_code"], []).append(row)
    heatmaps = []
    for code, rows in by_dataset.items():
        units = list(dict.fromkeys((row["unit_code"], row["unit_name"]) for row in rows))
        cells = {(row["unit_code"], row["period"]): row for row in rows}
        name = rows[0]["dataset_name"]
        chart = charts.heatmap(f"completeness-{code}", f"{code}: {name}", rows[0]["period_type"], years, units, cells)
        listed = charts.heatmap_units(rows[0]["period_type"], years, units, cells)
        counts = Counter(row["status"] for row in rows)
        approvals = Counter(charts.approval_key(row) for row in rows)
        heatmaps.append(
            {
                "code": code,
                "name": name,
                "chart": chart,
                "units": listed,
                "counts": counts,
                "approvals": approvals,
                "expected": len(rows),
            }
        )
    return heatmaps


def _section(chart: dict, years: list[int], scopes: dict[str, Text], breaks: list[charts.Break]) -> dict:
    """One section of the report for one row of report_charts: its title, lead text and charts; the
    breaks within its years marked on each chart and named below its lead."""
    breaks = [mark for mark in breaks if mark.day.year in years]
    section = _section_charts(chart, years, scopes, breaks)
    section["breaks"] = None
    if breaks:
        section["breaks"] = say(
            "report.series_breaks",
            vi="; ".join(mark.text.vi for mark in breaks),
            en="; ".join(mark.text.en for mark in breaks),
        )
    return section


def _section_charts(chart: dict, years: list[int], scopes: dict[str, Text], breaks: list[charts.Break]) -> dict:
    title = Text(chart["title"], chart["title_en"])
    anchor = chart["chart_code"].replace("_", "-")
    labels = {
        "whole": f"{chart['whole_label']} / {chart['whole_label_en']} ({chart['whole_code']})",
        "part": f"{chart['part_label']} / {chart['part_label_en']} ({chart['part_code']})",
        "tip": f"{chart['indicator_name']} / {chart['indicator_name_en']}",
        "unit": f"{chart['measure_unit']} / {chart['measure_unit_en']}",
    }
    fields = {key: chart[key] for key in ("whole_label", "whole_label_en", "part_label", "part_label_en")}
    chart_scopes = {scope: str(scopes.get(scope, Text(scope, scope))) for scope in chart["scopes"].split()}
    if chart["chart_kind"] == "share_vs_target":
        drawn = charts.share_vs_target(anchor, str(title), years, chart["rows"], labels["unit"], breaks)
        return {"id": anchor, "title": title, "lead": say("report.lead_share", **fields), "figures": [(None, drawn)]}
    if chart["period_type"] == "quarter":
        figures = []
        for scope, name in chart_scopes.items():
            rows = {row["period"]: row for row in chart["rows"] if row["scope"] == scope}
            figures.append(
                (name, charts.parts_by_quarter(f"{anchor}-{scope}", f"{title}: {name}", years, rows, labels, breaks))
            )
        return {"id": anchor, "title": title, "lead": say("report.lead_parts_quarter", **fields), "figures": figures}
    rows = {(row["scope"], row["period"]): row for row in chart["rows"]}
    drawn = charts.parts_by_year(anchor, str(title), years, rows, chart_scopes, labels, breaks)
    return {
        "id": anchor,
        "title": title,
        "lead": say("report.lead_parts_year", **fields, unit=labels["unit"]),
        "figures": [(None, drawn)],
    }


def _rejections(rows: list[dict]) -> list[dict]:
    """Reasons grouped under their file, in the order the files arrived."""
    files: dict[int, dict] = {}
    for row in rows:
        entry = files.setdefault(row["submission_id"], {**row, "reasons": []})
        entry["reasons"].append(row)
    return list(files.values())
