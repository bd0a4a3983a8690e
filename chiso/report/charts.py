"""The report's charts, each a function of rows and the catalog's words, returning an SVG scene.

Nothing here touches the warehouse or knows a plan: the catalog's `report_charts.csv` says
which derived indicator each chart shows; its whole (denominator) and part (numerator) are
the bars, its value the share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from chiso.report.svg import (
    GRID,
    INK,
    MUTED,
    THIN_SPACE,
    WIDTH,
    Chart,
    nice_ticks,
    no_data,
    number,
    percent,
    rounded,
    y_axis,
)
from core.kinds import APPROVAL_STATES, COMPLETENESS_STATUSES
from core.periods import Period
from core.vocabulary import Text, say

# Completeness status colours (declared with the statuses). A rejected-only cell also carries a
# cross, so the heatmap reads in grey print and for the colour-blind.
STATUS_COLOURS = {status.code: status.colour for status in COMPLETENESS_STATUSES}
PLANNED = "#a9c6e8"  # the whole: what was planned (assigned, allocated)
REALISED = "#1c5d99"  # the part, or the share: what happened (deployed, disbursed)
TARGET = "#d9480f"
# Every colour a chart paints its data with (the browser test looks for them in a screenshot).
PALETTE = {
    **{f"status_{status}": colour for status, colour in STATUS_COLOURS.items()},
    "planned": PLANNED,
    "realised": REALISED,
    "target": TARGET,
}
VERDICT_COLOURS = {True: STATUS_COLOURS["on_time"], False: STATUS_COLOURS["rejected_only"], None: MUTED}


# --- breaks: the days the reporting units changed (issue 22) -------------------------------------

BREAK_COLOUR = "#7048e8"


@dataclass(frozen=True)
class Break:
    """A day the reporting units changed (the catalog's unit_successions): a series goes on across it,
    from other units; `text` says what changed (the province merged, the districts ended, from 1 July 2025)."""

    day: date
    text: Text


def series_break(day: date, changes: list[dict]) -> Break:
    """The break of a day from its changes (breaks.sql: each unit type's names, and whether it ended)."""
    parts = [say("report.break_ended" if change["ended"] else "report.break_merged", **change) for change in changes]
    vi, en = ", ".join(part.vi for part in parts), ", ".join(part.en for part in parts).lower()
    on = say("report.break_on", vi=vi[:1].upper() + vi[1:], en=en[:1].upper() + en[1:], day=day, month=day.month)
    return Break(day, on)


def year_step(band: float) -> int:
    """Label every year of an axis, or every other one when a year's band is too narrow for its label."""
    return 1 if band >= 30 else 2


def draw_breaks(
    chart: Chart,
    breaks: Sequence[Break],
    x_of: Callable[[date], float | None],
    top: float,
    bottom: float,
    labelled: bool = True,
) -> None:
    """A dashed line at each break's day on a time axis (`x_of`: None when the day is off it), its words as its
    tooltip; `labelled`: its day above it (staggered, the later higher), where the axis has room."""
    for place, mark in enumerate(mark for mark in breaks if x_of(mark.day) is not None):
        x = x_of(mark.day)
        assert x is not None
        chart.line(x, top - 8, x, bottom, stroke=BREAK_COLOUR, width=1.5, dash="4 3", title=str(mark.text))
        if labelled:
            day = f"{mark.day.day:02d}/{mark.day.month}/{mark.day.year}"
            chart.text(x - 2, top - 10 - 10 * place, day, size=8.5, anchor="end", fill=BREAK_COLOUR)


def quarter_x(periods: list[str], left: float, band: float) -> Callable[[date], float | None]:
    """Where a day falls on an axis of quarter bands (`periods`, each `band` wide from `left`)."""

    def x_of(day: date) -> float | None:
        code = f"{day.year}Q{(day.month - 1) // 3 + 1}"
        if code not in periods:
            return None
        period = Period.parse(code)
        assert period is not None
        share = (day - period.start).days / ((period.end - period.start).days + 1)
        return left + band * (periods.index(code) + share)

    return x_of


def year_x(years: list[int], left: float, band: float) -> Callable[[date], float | None]:
    """Where a day falls on an axis of year bands."""

    def x_of(day: date) -> float | None:
        if day.year not in years:
            return None
        share = (day - date(day.year, 1, 1)).days / ((date(day.year + 1, 1, 1) - date(day.year, 1, 1)).days)
        return left + band * (years.index(day.year) + share)

    return x_of


def status_text(status: str) -> Text:
    return COMPLETENESS_STATUSES.text(status)


# --- official or provisional (issue 20) ------------------------------------------------------

# Set after a provisional figure's label, so the mark reads without colour; the legend says what it means.
PROVISIONAL_MARK = "*"
# What a cell of the completeness grid says of its slot besides its state: the values changed since approval.
CHANGED = "changed_since_approval"


def figure_status(official: bool) -> Text:
    return say("figure.official" if official else "figure.provisional")


def figure_label(text: str, row: dict) -> str:
    """A figure's label with its marks: provisional, and in another geography allocated or incomplete."""
    marks = "" if row["official"] else PROVISIONAL_MARK
    return f"{text}{marks}{geography_marks(row)}"


def _with_status(tip: str, row: dict) -> str:
    words = [str(figure_status(row["official"]))]
    words += [str(_mark_words()[key][0]) for key in GEOGRAPHY_MARKS if _geography_mark(row, key)]
    return " · ".join([tip, *words])


# --- geographies (issue 22) -----------------------------------------------------------------

# Set after the label of a figure in the current or past geography: a value in it was allocated by a split
# weight; some value it would count could not be re-expressed (a blank reverse weight). Said in the legend.
GEOGRAPHY_MARKS = {"allocated": "\u2020", "incomplete": "\u2021"}  # dagger, double dagger


def _mark_words() -> dict[str, tuple[Text, Text]]:
    """Each mark's word (in a figure's tip) and its line of the legend."""
    return {
        "allocated": (say("geography.allocated"), say("geography.allocated_mark")),
        "incomplete": (say("geography.incomplete"), say("geography.incomplete_mark")),
    }


def _geography_mark(row: dict, key: str) -> bool:
    if key == "allocated":
        return bool(row.get("allocated"))
    return not row.get("complete", True)


def geography_marks(row: dict) -> str:
    """The geography marks of a figure (a row of report_figures, report_targets): '', or some of the marks."""
    return "".join(mark for key, mark in GEOGRAPHY_MARKS.items() if _geography_mark(row, key))


def geography_legend(geography: str, past_day: str | None = None) -> dict:
    """What the report says of its geography (chiso.report.GEOGRAPHIES): its name, and but as reported the
    marks its figures may carry, each with its words; `past_day`: the fixed past geography's day."""
    names = {
        "as_reported": say("geography.as_reported"),
        "current": say("geography.current"),
        "past": say("geography.past", day=past_day or "\u2013"),
    }
    words = _mark_words()
    marks = [] if geography == "as_reported" else [(mark, words[key][1]) for key, mark in GEOGRAPHY_MARKS.items()]
    return {
        "geography": geography,
        "geography_name": names[geography],
        "geography_marks": marks,
        "geography_mark": geography_marks,
    }


def approval_key(cell: dict) -> str | None:
    """The approval mark of an expected report: its slot's state, or CHANGED when the values changed
    since approval; None while its slot has no file in force and no action."""
    if cell.get("approval_state") is None:
        return None
    return CHANGED if cell["changed_since_approval"] else cell["approval_state"]


def approval_text(key: str) -> Text:
    return say("report.changed_since_approval") if key == CHANGED else APPROVAL_STATES.text(key)


def approval_mark(key: str) -> str:
    return say(f"approval_mark.{key}").vi  # a sign, the same in both languages


def approval_legend() -> list[tuple[str, str, Text]]:
    """Each approval mark of the grid: (key, sign, words), in the states' declared order, then CHANGED."""
    return [(key, approval_mark(key), approval_text(key)) for key in (*APPROVAL_STATES.codes, CHANGED)]


def ink_on(colour: str) -> str:
    """White or ink, whichever reads on `colour` (#rrggbb): by its relative luminance."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return INK if 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.5 else "#ffffff"


# --- completeness heatmap ----------------------------------------------------------------

HEAT_LABEL_W = 318
HEAT_COL_GAP_YEAR = 6
HEAT_ROW_H = 20
HEAT_TOP = 40


def heatmap(
    chart_id: str,
    title: str,
    period_type: str,
    years: list[int],
    units: list[tuple[str, str]],
    cells: dict[tuple[str, str], dict],
) -> Chart:
    """Units down, periods across (a year spans its four quarters), one coloured cell per expected report."""
    col_w = (WIDTH - HEAT_LABEL_W - 10 - HEAT_COL_GAP_YEAR * (len(years) - 1)) / max(len(years) * 4, 1)
    top = HEAT_TOP if period_type == "quarter" else HEAT_TOP - 16
    chart = Chart(chart_id, title, WIDTH, top + len(units) * HEAT_ROW_H + 6)
    if not units:
        chart.height = 80
        return no_data(chart, 45)

    def column_x(year_index: int, quarter_index: int) -> float:
        return HEAT_LABEL_W + (year_index * 4 + quarter_index) * col_w + year_index * HEAT_COL_GAP_YEAR

    for i, year in enumerate(years):
        left, right = column_x(i, 0), column_x(i, 3) + col_w
        chart.text((left + right) / 2, 14, year, size=12, anchor="middle", weight="bold")
        if period_type == "quarter":
            for q in range(4):
                chart.text(column_x(i, q) + col_w / 2, 31, f"Q{q + 1}", size=10, anchor="middle", fill=MUTED)
    for row, (code, name) in enumerate(units):
        y = top + row * HEAT_ROW_H
        if row % 2:
            chart.rect(0, y - 1, HEAT_LABEL_W - 6, HEAT_ROW_H, "#f5f7fa")
        chart.text(4, y + 13, code, size=11, weight="bold")
        chart.text(66, y + 13, name, size=11)
        for i, year in enumerate(years):
            spans = [(q, f"{year}Q{q + 1}", 1) for q in range(4)] if period_type == "quarter" else [(0, str(year), 4)]
            for q, period, width_cols in spans:
                cell = cells.get((code, period))
                if cell is not None:  # None: not expected (the unit did not exist, or the period has not ended)
                    _heat_cell(chart, column_x(i, q) + 1, y, width_cols * col_w - 2, code, period, cell)
    return chart


def _heat_cell(chart: Chart, x: float, y: float, w: float, code: str, period: str, cell: dict) -> None:
    colour = STATUS_COLOURS[cell["status"]]
    chart.link(cell.get("lineage"))
    chart.rect(x, y, w, HEAT_ROW_H - 2, colour, title=_cell_title(code, period, cell), mark=True)
    key = approval_key(cell)
    if key is not None:
        chart.text(
            x + w / 2, y + 13, approval_mark(key), size=10.5, anchor="middle", weight="bold", fill=ink_on(colour)
        )
    if cell["status"] == "rejected_only":
        cx, cy, s = x + w / 2, y + (HEAT_ROW_H - 2) / 2, 4
        cross = f"M{rounded(cx - s)} {rounded(cy - s)}L{rounded(cx + s)} {rounded(cy + s)}"
        cross += f"M{rounded(cx + s)} {rounded(cy - s)}L{rounded(cx - s)} {rounded(cy + s)}"
        chart.path(cross, stroke="#ffffff", width=1.8)
    chart.end_link(cell.get("lineage"))


def _cell_title(code: str, period: str, cell: dict) -> str:
    parts = [f"{code} · {period}: {status_text(cell['status'])}", str(say("chart.due", date=cell["due_date"]))]
    if cell.get("first_accepted_at"):
        parts.append(str(say("chart.received", date=f"{cell['first_accepted_at']:%Y-%m-%d}")))
    if cell.get("files"):
        parts.append(str(say("chart.files", files=cell["files"], rejected=cell["rejected_files"])))
    key = approval_key(cell)
    if key is not None:
        parts.append(f"{approval_mark(key)} {approval_text(key)}")
    return "; ".join(parts)


def heatmap_units(
    period_type: str, years: list[int], units: list[tuple[str, str]], cells: dict[tuple[str, str], dict]
) -> list[dict]:
    """The heatmap as a list, for narrow screens: per unit its row of cells by year, and each
    expected report's status and dates spelt out (what the grid shows only on hover)."""
    listed = []
    for code, name in units:
        row, reports = [], []
        for year in years:
            periods = [f"{year}Q{q}" for q in range(1, 5)] if period_type == "quarter" else [str(year)]
            marks = []
            for period in periods:
                cell = cells.get((code, period))
                marks.append(None if cell is None else cell["status"])
                if cell is not None:
                    reports.append({"period": period, "status": cell["status"], "text": _cell_text(cell)})
            row.append((year, marks))
        listed.append({"code": code, "name": name, "row": row, "reports": reports})
    return listed


def _cell_text(cell: dict) -> Text:
    """A cell's status, due date, receipt and files, each language on its own."""
    parts = [status_text(cell["status"]), say("chart.due", date=cell["due_date"])]
    if cell.get("first_accepted_at"):
        parts.append(say("chart.received", date=f"{cell['first_accepted_at']:%Y-%m-%d}"))
    if cell.get("files"):
        parts.append(say("chart.files", files=cell["files"], rejected=cell["rejected_files"]))
    key = approval_key(cell)
    if key is not None:
        words = approval_text(key)
        parts.append(Text(f"{approval_mark(key)} {words.vi}", f"{approval_mark(key)} {words.en}"))
    return Text("; ".join(part.vi for part in parts), "; ".join(part.en for part in parts))


def heatmap_legend() -> Chart:
    chart = Chart("completeness-legend", str(say("chart.legend")), WIDTH, 24)
    chart.legend(4, 16, [(colour, str(status_text(status))) for status, colour in STATUS_COLOURS.items()])
    return chart


# --- parts: a derived indicator's whole and part, per quarter --------------------------------


def parts_by_quarter(
    chart_id: str, title: str, years: list[int], rows: dict[str, dict], labels: dict, breaks: Sequence[Break] = ()
) -> Chart:
    """Per quarter: the whole (wide, light) with the part in front (narrow, dark), labelled part/whole."""
    chart = Chart(chart_id, title, WIDTH, 228)
    chart.legend(52, 14, [(PLANNED, labels["whole"]), (REALISED, labels["part"])])
    values = [v for row in rows.values() for v in (row["whole"], row["part"]) if v is not None]
    if not values:
        return no_data(chart, 110)
    x0, x1, top, bottom = 52, WIDTH - 8, 46, 186
    ticks = nice_ticks(max(values), 4, whole=True)
    scale = lambda v: bottom - (bottom - top) * v / ticks[-1]  # noqa: E731
    y_axis(chart, ticks, x0, x1, scale)
    periods = [f"{year}Q{q}" for year in years for q in range(1, 5)]
    band = (x1 - x0) / len(periods)
    for i, period in enumerate(periods):
        centre = x0 + band * (i + 0.5)
        chart.text(centre, bottom + 14, period[-2:], size=9.5, anchor="middle", fill=MUTED)
        if i % 4 == 0:
            chart.text(x0 + band * (i + 2), bottom + 30, period[:4], size=11, anchor="middle", weight="bold")
            if i:
                chart.line(x0 + band * i, top - 4, x0 + band * i, bottom + 32, stroke=GRID)
        row = rows.get(period)
        if row is None or row["whole"] is None:
            chart.text(centre, bottom - 4, "–", size=10, anchor="middle", fill=MUTED)
            continue
        whole, part = row["whole"], row["part"] or 0
        reporting = (
            f"{row['units_reporting']}/{row['units_expected']}" if row["units_expected"] else row["units_reporting"]
        )
        units = say("chart.units_reporting", units=reporting)
        tip = _with_status(f"{period}: {number(part)} / {number(whole)} · {labels['tip']} ({units})", row)
        chart.link(row.get("lineage"))
        chart.rect(
            centre - band * 0.36, scale(whole), band * 0.72, bottom - scale(whole), PLANNED, title=tip, mark=True
        )
        chart.rect(centre - band * 0.2, scale(part), band * 0.4, bottom - scale(part), REALISED, title=tip, mark=True)
        label = figure_label(f"{number(part)}/{number(whole)}", row)
        chart.text(centre, scale(whole) - 4, label, size=9, anchor="middle")
        chart.end_link(row.get("lineage"))
    draw_breaks(chart, breaks, quarter_x(periods, x0, band), top, bottom)
    return chart


# --- parts: a derived indicator's whole and part, per year and scope -------------------------


def parts_by_year(
    chart_id: str,
    title: str,
    years: list[int],
    rows: dict[tuple[str, str], dict],
    scopes: dict,
    labels: dict,
    breaks: Sequence[Break] = (),
) -> Chart:
    """One panel per scope, a shared scale: whole and part side by side, the share above."""
    chart = Chart(chart_id, title, WIDTH, 262)
    chart.legend(64, 14, [(PLANNED, labels["whole"]), (REALISED, labels["part"])])
    chart.text(WIDTH - 8, 15, labels["unit"], size=10, anchor="end", fill=MUTED)
    values = [v for row in rows.values() for v in (row["whole"], row["part"]) if v is not None]
    if not values:
        return no_data(chart, 130)
    x0, top, bottom, gap = 64, 64, 222, 22
    ticks = nice_ticks(max(values), 5)
    scale = lambda v: bottom - (bottom - top) * v / ticks[-1]  # noqa: E731
    y_axis(chart, ticks, x0, WIDTH - 8, scale)
    panel_w = (WIDTH - 8 - x0 - gap * (len(scopes) - 1)) / len(scopes)
    for p, (scope, name) in enumerate(scopes.items()):
        left = x0 + p * (panel_w + gap)
        chart.text(left + panel_w / 2, 38, name, size=11.5, anchor="middle", weight="bold")
        if p:
            chart.line(left - gap / 2, top - 6, left - gap / 2, bottom + 22, stroke=GRID)
        band = panel_w / len(years)
        for i, year in enumerate(years):
            centre = left + band * (i + 0.5)
            if i % year_step(band) == 0:
                chart.text(centre, bottom + 15, year, size=10, anchor="middle", fill=MUTED)
            row = rows.get((scope, str(year)))
            if row is None or row["whole"] is None:
                chart.text(centre, bottom - 4, "–", size=10, anchor="middle", fill=MUTED)
                continue
            whole, part = row["whole"], row["part"] or 0
            tip = f"{name}, {year}: {number(part, 1)} / {number(whole, 1)} {labels['unit']} · {labels['tip']}"
            tip = _with_status(f"{tip} ({percent(row['share'])})", row)
            bar = band * 0.34
            chart.link(row.get("lineage"))
            chart.rect(centre - bar, scale(whole), bar, bottom - scale(whole), PLANNED, title=tip, mark=True)
            chart.rect(centre, scale(part), bar, bottom - scale(part), REALISED, title=tip, mark=True)
            label = figure_label(percent(row["share"], 0), row)
            chart.text(centre, scale(whole) - 5, label, size=9, anchor="middle")
            chart.end_link(row.get("lineage"))
        draw_breaks(chart, breaks, year_x(years, left, band), top, bottom, labelled=False)
    return chart


# --- share against target, per disaggregation and year ----------------------------------------


def share_vs_target(
    chart_id: str, title: str, years: list[int], rows: list[dict], unit: str, breaks: Sequence[Break] = ()
) -> Chart:
    """One panel per disaggregation: the share by year, the plan target marked where set."""
    chart = Chart(chart_id, title, WIDTH, 276)
    chart.legend(
        44, 14, [(REALISED, str(say("chart.actual_share"))), ("line:" + TARGET, str(say("chart.plan_target")))]
    )
    if not any(row["value"] is not None or row["target"] is not None for row in rows):
        return no_data(chart, 130)
    kinds = list(dict.fromkeys(row["disaggregation"] for row in rows))
    names = {
        row["disaggregation"]: f"{row['name'] or row['disaggregation']} / {row['name_en'] or row['disaggregation']}"
        for row in rows
    }
    by_key = {(row["disaggregation"], row["year"]): row for row in rows}
    x0, top, bottom, gap = 44, 66, 226, 18
    scale = lambda v: bottom - (bottom - top) * v / 100  # noqa: E731
    y_axis(chart, [0, 20, 40, 60, 80, 100], x0, WIDTH - 8, scale, label=lambda t: f"{t:g}{THIN_SPACE}%")
    panel_w = (WIDTH - 8 - x0 - gap * (len(kinds) - 1)) / len(kinds)
    for p, kind in enumerate(kinds):
        left = x0 + p * (panel_w + gap)
        chart.text(left + panel_w / 2, 40, names[kind], size=11.5, anchor="middle", weight="bold")
        band, targets = panel_w / len(years), []
        for i, year in enumerate(years):
            centre = left + band * (i + 0.5)
            if i % year_step(band) == 0:
                chart.text(centre, bottom + 15, year, size=10, anchor="middle", fill=MUTED)
            row = by_key.get((kind, year))
            if row is not None:
                targets += _share_marks(chart, row, centre, band, scale, bottom, f"{names[kind]}, {year}", unit)
        draw_breaks(chart, breaks, year_x(years, left, band), top, bottom, labelled=False)
        for n, (year, target, achieved) in enumerate(targets[:2]):
            middle, y = left + panel_w / 2, bottom + 32 + n * 26
            target_text = say("chart.target", year=year, target=percent(target, 0))
            chart.text(middle, y, str(target_text), size=9.5, anchor="middle", fill=TARGET)
            chart.text(
                middle,
                y + 12,
                str(target_verdict(achieved)),
                size=9.5,
                anchor="middle",
                weight="bold",
                fill=VERDICT_COLOURS[achieved],
            )
            chart.height = max(chart.height, y + 20)
    return chart


def _share_marks(
    chart: Chart, row: dict, centre: float, band: float, scale, bottom: float, label: str, unit: str
) -> list[tuple]:
    """The year's share bar and its target line; the target, for the panel's caption."""
    if row["value"] is not None:
        tip = f"{label}: {percent(row['value'])} ({number(row['numerator'])}/{number(row['denominator'])} {unit})"
        tip = _with_status(tip, row)
        chart.link(row.get("lineage"))
        chart.rect(
            centre - band * 0.3,
            scale(row["value"]),
            band * 0.6,
            bottom - scale(row["value"]),
            REALISED,
            title=tip,
            mark=True,
        )
        above = max(row["value"], row["target"] if row["target"] is not None else 0)
        chart.text(centre, scale(above) - 5, figure_label(number(row["value"], 0), row), size=9, anchor="middle")
        chart.end_link(row.get("lineage"))
    if row["target"] is None:
        return []
    tip = (
        f"{say('chart.target', year=row['year'], target=percent(row['target'], 0))} ({target_verdict(row['achieved'])})"
    )
    y = scale(row["target"])
    chart.line(centre - band * 0.48, y, centre + band * 0.48, y, stroke=TARGET, width=3, mark=True, title=tip)
    return [(row["year"], row["target"], row["achieved"])]


def target_verdict(achieved: bool | None) -> Text:
    return say({True: "target.met", False: "target.not_met", None: "target.no_data"}[achieved])
