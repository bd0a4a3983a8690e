"""The report's charts as SVG scenes: plain shapes laid out here, drawn by the template.

Hand-built SVG rather than matplotlib: no extra dependency (matplotlib brings numpy, Pillow,
fonttools… and ~0.5 s of import), labels stay real text (Vietnamese set in the reader's
fonts, searchable, escaped by the template's autoescape like every other datum), each mark
carries a <title> tooltip with its exact figures, and the file stays small and prints crisp.

Nothing here touches the warehouse: each function takes rows and returns a `Chart`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH = 880
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"
AXIS = "#9aa5b1"

# Completeness status: colour, Vietnamese, English. Lightness differs as well as hue, and a
# rejected-only cell also carries a cross, so the heatmap reads in grey print and for the colour-blind.
STATUS = {
    "on_time": ("#1f8a70", "Đúng hạn", "On time"),
    "late": ("#f0b429", "Nộp muộn", "Late"),
    "rejected_only": ("#b83227", "Chỉ có tệp bị từ chối", "Rejected only"),
    "missing": ("#cbd2d9", "Chưa nộp", "Missing"),
    "not_due": ("#eef2f6", "Chưa đến hạn", "Not yet due"),
}
PLANNED = "#a9c6e8"  # assigned task groups, allocated funding: what was planned
REALISED = "#1c5d99"  # deployed task groups, disbursed funding, IT share: what happened
TARGET = "#d9480f"
# Every colour a chart paints its data with (the browser test looks for them in a screenshot).
PALETTE = {
    **{f"status_{status}": colour for status, (colour, _, _) in STATUS.items()},
    "planned": PLANNED,
    "realised": REALISED,
    "target": TARGET,
}

SCOPES = {
    "department": ("Sở, ngành", "Departments"),
    "district": ("Huyện, thành phố", "Districts"),
    "province": ("Toàn tỉnh", "Province"),
}


# --- formatting ---------------------------------------------------------------------------

THIN_SPACE = "\u202f"


def number(value: float | None, decimals: int = 0) -> str:
    """`20 472,6`: thin-space thousands and a decimal comma, unambiguous in Vietnamese and English."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", THIN_SPACE).replace(".", ",")


def amount(value: float | None) -> str:
    """A count or an amount: whole numbers without decimals, others with one."""
    if value is None:
        return "–"
    return number(value, 0 if float(value).is_integer() else 1)


def percent(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None else f"{number(value, decimals)}{THIN_SPACE}%"


def _text_width(text: str, size: float) -> float:
    """A rough advance width (DejaVu/Noto-like sans): enough to lay out legends without a font."""
    return len(text) * size * 0.53


# --- scene --------------------------------------------------------------------------------


@dataclass
class Chart:
    """An SVG drawing: a view box and its shapes, in painting order."""

    id: str
    title: str
    width: float
    height: float
    shapes: list[dict] = field(default_factory=list)
    empty: bool = False

    def rect(self, x, y, w, h, fill, title=None, mark=False, stroke=None, rx=0):
        if w <= 0 or h <= 0:
            return  # a zero bar paints nothing: its label says 0
        self.shapes.append({"kind": "rect", "x": _r(x), "y": _r(y), "w": _r(w), "h": _r(h),
                            "fill": fill, "stroke": stroke, "rx": rx, "title": title, "mark": mark})  # fmt: skip

    def line(self, x1, y1, x2, y2, stroke=GRID, width=1.0, dash=None, mark=False, title=None):
        self.shapes.append({"kind": "line", "x1": _r(x1), "y1": _r(y1), "x2": _r(x2), "y2": _r(y2),
                            "stroke": stroke, "width": width, "dash": dash, "mark": mark, "title": title})  # fmt: skip

    def text(self, x, y, text, size=11, anchor="start", weight="normal", fill=INK, title=None):
        self.shapes.append({"kind": "text", "x": _r(x), "y": _r(y), "text": str(text), "size": size,
                            "anchor": anchor, "weight": weight, "fill": fill, "title": title})  # fmt: skip

    def path(self, d, stroke, width=1.5, fill="none"):
        self.shapes.append({"kind": "path", "d": d, "stroke": stroke, "width": width, "fill": fill})

    def legend(self, x, y, items: list[tuple[str, str]], size=11) -> float:
        """Swatch + label pairs in a row from (x, y); returns the x after the last one."""
        for colour, label in items:
            if colour.startswith("line:"):
                self.line(x, y - size * 0.35, x + 14, y - size * 0.35, stroke=colour[5:], width=2.5)
            else:
                self.rect(x, y - size * 0.8, 12, 12, colour, rx=2)
            self.text(x + 18, y + 1, label, size=size, fill=INK)
            x += 18 + _text_width(label, size) + 18
        return x


def _r(value: float) -> float:
    return round(float(value), 1)


def _nice_ticks(top: float, count: int = 5, whole: bool = False) -> list[float]:
    """Round axis ticks from 0 to at least `top`."""
    if top <= 0:
        return [0, 1] if whole else [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1, math.ceil(step))
    ticks = [0.0]
    while ticks[-1] < top - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _no_data(chart: Chart, y: float) -> Chart:
    chart.empty = True
    chart.text(chart.width / 2, y, "Không có số liệu / No data", size=13, anchor="middle", fill=MUTED)
    return chart


def _y_axis(chart: Chart, ticks, x0, x1, scale, label=lambda t: number(t), size=10):
    for tick in ticks:
        y = scale(tick)
        chart.line(x0, y, x1, y, stroke=GRID if tick else AXIS)
        chart.text(x0 - 6, y + size * 0.35, label(tick), size=size, anchor="end", fill=MUTED)


# --- (a) completeness heatmap ---------------------------------------------------------------

HEAT_LABEL_W = 318
HEAT_COL_GAP_YEAR = 6
HEAT_ROW_H = 20
HEAT_TOP = 40


def heatmap(chart_id: str, title: str, period_type: str, years: list[int], units: list[tuple[str, str]],
            cells: dict[tuple[str, str], dict]) -> Chart:  # fmt: skip
    """Units down, periods across (a year spans its four quarters), one coloured cell per expected report."""
    quarters = len(years) * 4
    col_w = (WIDTH - HEAT_LABEL_W - 10 - HEAT_COL_GAP_YEAR * (len(years) - 1)) / max(quarters, 1)
    top = HEAT_TOP if period_type == "quarter" else HEAT_TOP - 16
    chart = Chart(chart_id, title, WIDTH, top + len(units) * HEAT_ROW_H + 6)
    if not units:
        chart.height = 80
        return _no_data(chart, 45)

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
                if cell is None:
                    continue  # not expected: the unit did not exist, or the period has not ended
                colour, vi, en = STATUS[cell["status"]]
                x, w = column_x(i, q) + 1, width_cols * col_w - 2
                chart.rect(x, y, w, HEAT_ROW_H - 2, colour, title=_cell_title(code, period, cell, vi, en), mark=True)
                if cell["status"] == "rejected_only":
                    cx, cy, s = x + w / 2, y + (HEAT_ROW_H - 2) / 2, 4
                    chart.path(f"M{_r(cx - s)} {_r(cy - s)}L{_r(cx + s)} {_r(cy + s)}M{_r(cx + s)} {_r(cy - s)}"
                               f"L{_r(cx - s)} {_r(cy + s)}", stroke="#ffffff", width=1.8)  # fmt: skip
    return chart


def _cell_title(code: str, period: str, cell: dict, vi: str, en: str) -> str:
    parts = [f"{code} · {period}: {vi} / {en}", f"hạn / due {cell['due_date']}"]
    if cell.get("first_accepted_at"):
        parts.append(f"nhận / received {cell['first_accepted_at']:%Y-%m-%d}")
    if cell.get("files"):
        parts.append(f"{cell['files']} tệp / files, {cell['rejected_files']} bị từ chối / rejected")
    return "; ".join(parts)


def heatmap_legend() -> Chart:
    chart = Chart("completeness-legend", "Chú giải / Legend", WIDTH, 24)
    chart.legend(4, 16, [(colour, f"{vi} / {en}") for colour, vi, en in STATUS.values()])
    return chart


# --- (b) task groups assigned vs deployed ----------------------------------------------------


def task_groups(chart_id: str, title: str, years: list[int], rows: dict[str, dict]) -> Chart:
    """Per quarter: groups assigned (wide, light) with groups deployed in front (narrow, dark)."""
    chart = Chart(chart_id, title, WIDTH, 228)
    chart.legend(52, 14, [(PLANNED, "Được giao / Assigned (NV_GIAO)"),
                          (REALISED, "Đã triển khai / Deployed (NV_TRIENKHAI)")])  # fmt: skip
    values = [v for row in rows.values() for v in (row["assigned"], row["deployed"]) if v is not None]
    if not values:
        return _no_data(chart, 110)
    x0, x1, top, bottom = 52, WIDTH - 8, 46, 186
    ticks = _nice_ticks(max(values), 4, whole=True)
    scale = lambda v: bottom - (bottom - top) * v / ticks[-1]  # noqa: E731
    _y_axis(chart, ticks, x0, x1, scale)
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
        if row is None or row["assigned"] is None:
            chart.text(centre, bottom - 4, "–", size=10, anchor="middle", fill=MUTED)
            continue
        assigned, deployed = row["assigned"], row["deployed"] or 0
        reporting = f"{row['units_reporting']}/{row['units_expected']}" if row["units_expected"] else row["units_reporting"]
        tip = (f"{period}: {number(deployed)} / {number(assigned)} nhóm nhiệm vụ đã triển khai / task groups deployed"
               f" ({reporting} đơn vị báo cáo / units reporting)")  # fmt: skip
        chart.rect(centre - band * 0.36, scale(assigned), band * 0.72, bottom - scale(assigned), PLANNED, tip, True)
        chart.rect(centre - band * 0.2, scale(deployed), band * 0.4, bottom - scale(deployed), REALISED, tip, True)
        chart.text(centre, scale(assigned) - 4, f"{number(deployed)}/{number(assigned)}", size=9, anchor="middle")
    return chart


# --- (c) funding allocated vs disbursed -------------------------------------------------------


def funding(chart_id: str, title: str, years: list[int], rows: dict[tuple[str, str], dict]) -> Chart:
    """One panel per scope, a shared scale: allocated and disbursed side by side, the disbursed share above."""
    chart = Chart(chart_id, title, WIDTH, 262)
    chart.legend(64, 14, [(PLANNED, "Kinh phí được bố trí / Allocated (KP_BOTRI)"),
                          (REALISED, "Đã giải ngân / Disbursed (KP_GIAINGAN)")])  # fmt: skip
    chart.text(WIDTH - 8, 15, "triệu đồng / million VND", size=10, anchor="end", fill=MUTED)
    values = [v for row in rows.values() for v in (row["allocated"], row["disbursed"]) if v is not None]
    if not values:
        return _no_data(chart, 130)
    x0, top, bottom, gap = 64, 64, 222, 22
    ticks = _nice_ticks(max(values), 5)
    scale = lambda v: bottom - (bottom - top) * v / ticks[-1]  # noqa: E731
    _y_axis(chart, ticks, x0, WIDTH - 8, scale)
    panel_w = (WIDTH - 8 - x0 - gap * (len(SCOPES) - 1)) / len(SCOPES)
    for p, (scope, (vi, en)) in enumerate(SCOPES.items()):
        left = x0 + p * (panel_w + gap)
        chart.text(left + panel_w / 2, 38, f"{vi} / {en}", size=11.5, anchor="middle", weight="bold")
        if p:
            chart.line(left - gap / 2, top - 6, left - gap / 2, bottom + 22, stroke=GRID)
        band = panel_w / len(years)
        for i, year in enumerate(years):
            centre = left + band * (i + 0.5)
            chart.text(centre, bottom + 15, year, size=10, anchor="middle", fill=MUTED)
            row = rows.get((scope, str(year)))
            if row is None or row["allocated"] is None:
                chart.text(centre, bottom - 4, "–", size=10, anchor="middle", fill=MUTED)
                continue
            allocated, disbursed = row["allocated"], row["disbursed"] or 0
            tip = (f"{vi} / {en}, {year}: {number(disbursed, 1)} / {number(allocated, 1)} triệu đồng / million VND"
                   f" đã giải ngân / disbursed ({percent(row['disbursed_share'])})")  # fmt: skip
            bar = band * 0.34
            chart.rect(centre - bar, scale(allocated), bar, bottom - scale(allocated), PLANNED, tip, True)
            chart.rect(centre, scale(disbursed), bar, bottom - scale(disbursed), REALISED, tip, True)
            chart.text(centre, scale(allocated) - 5, percent(row["disbursed_share"], 0), size=9, anchor="middle")
    return chart


# --- (d) IT-application share vs target -----------------------------------------------------

VERDICTS = {
    True: ("Đạt / Met", STATUS["on_time"][0]),
    False: ("Chưa đạt / Not met", STATUS["rejected_only"][0]),
    None: ("Chưa có số liệu / No data", MUTED),
}
ESTABLISHMENTS = {
    "TRUONGHOC": "Schools",
    "BENHVIEN": "Hospitals",
    "NHAHANG": "Restaurants",
    "KHACHSAN": "Hotels",
}


def it_share(chart_id: str, title: str, years: list[int], rows: list[dict]) -> Chart:
    """One panel per establishment type: the province's share by year, the plan target marked where set."""
    chart = Chart(chart_id, title, WIDTH, 276)
    chart.legend(44, 14, [(REALISED, "Tỷ lệ thực hiện / Actual share"),
                          ("line:" + TARGET, "Chỉ tiêu kế hoạch / Plan target")])  # fmt: skip
    if not any(row["value"] is not None or row["target"] is not None for row in rows):
        return _no_data(chart, 130)
    kinds = list(dict.fromkeys([*(k for k in ESTABLISHMENTS if any(r["disaggregation"] == k for r in rows)),
                                *(r["disaggregation"] for r in rows)]))  # fmt: skip
    names = {r["disaggregation"]: r["disaggregation_name"] or r["disaggregation"] for r in rows}
    by_key = {(r["disaggregation"], r["year"]): r for r in rows}
    x0, top, bottom, gap = 44, 66, 226, 18
    ticks = [0, 20, 40, 60, 80, 100]
    scale = lambda v: bottom - (bottom - top) * v / 100  # noqa: E731
    _y_axis(chart, ticks, x0, WIDTH - 8, scale, label=lambda t: f"{t:g}{THIN_SPACE}%")
    panel_w = (WIDTH - 8 - x0 - gap * (len(kinds) - 1)) / len(kinds)
    for p, kind in enumerate(kinds):
        left = x0 + p * (panel_w + gap)
        english = ESTABLISHMENTS.get(kind, kind)
        chart.text(left + panel_w / 2, 40, f"{names[kind]} / {english}", size=11.5, anchor="middle", weight="bold")
        band, targets = panel_w / len(years), []
        for i, year in enumerate(years):
            centre = left + band * (i + 0.5)
            chart.text(centre, bottom + 15, year, size=10, anchor="middle", fill=MUTED)
            row = by_key.get((kind, year))
            if row is None:
                continue
            if row["value"] is not None:
                tip = (f"{names[kind]} / {english}, {year}: {percent(row['value'])}"
                       f" ({number(row['numerator'])}/{number(row['denominator'])} cơ sở / establishments)")  # fmt: skip
                chart.rect(centre - band * 0.3, scale(row["value"]), band * 0.6, bottom - scale(row["value"]),
                           REALISED, tip, True)  # fmt: skip
                above = max(row["value"], row["target"] if row["target"] is not None else 0)
                chart.text(centre, scale(above) - 5, number(row["value"], 0), size=9, anchor="middle")
            if row["target"] is not None:
                verdict, colour = VERDICTS[row["achieved"]]
                tip = f"Chỉ tiêu / target {year}: {percent(row['target'], 0)} ({verdict})"
                y = scale(row["target"])
                chart.line(centre - band * 0.48, y, centre + band * 0.48, y, stroke=TARGET, width=3, mark=True, title=tip)
                targets.append((year, row["target"], verdict, colour))
        for n, (year, target, verdict, colour) in enumerate(targets[:2]):
            middle, y = left + panel_w / 2, bottom + 32 + n * 26
            chart.text(middle, y, f"Chỉ tiêu / target {year}: {percent(target, 0)}", size=9.5, anchor="middle", fill=TARGET)
            chart.text(middle, y + 12, verdict, size=9.5, anchor="middle", weight="bold", fill=colour)
            chart.height = max(chart.height, y + 20)
    return chart
