"""SVG scenes for the report's charts: plain shapes laid out in Python, drawn by the template.

Hand-built SVG rather than matplotlib: no extra dependency (matplotlib brings numpy, Pillow,
fonttools… and ~0.5 s of import), labels stay real text (Vietnamese set in the reader's
fonts, searchable, escaped by the template's autoescape like every other datum), each mark
carries a <title> tooltip with its exact figures, and the file stays small and prints crisp.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from core.vocabulary import say

WIDTH = 880
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"
AXIS = "#9aa5b1"

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


def text_width(text: str, size: float) -> float:
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

    def rect(self, x, y, w, h, fill, *, title=None, mark=False, stroke=None, rx=0):
        if w <= 0 or h <= 0:
            return  # a zero bar paints nothing: its label says 0
        self.shapes.append(
            {
                "kind": "rect",
                "x": rounded(x),
                "y": rounded(y),
                "w": rounded(w),
                "h": rounded(h),
                "fill": fill,
                "stroke": stroke,
                "rx": rx,
                "title": title,
                "mark": mark,
            }
        )

    def line(self, x1, y1, x2, y2, *, stroke=GRID, width=1.0, dash=None, mark=False, title=None):
        self.shapes.append(
            {
                "kind": "line",
                "x1": rounded(x1),
                "y1": rounded(y1),
                "x2": rounded(x2),
                "y2": rounded(y2),
                "stroke": stroke,
                "width": width,
                "dash": dash,
                "mark": mark,
                "title": title,
            }
        )

    def text(self, x, y, text, *, size=11, anchor="start", weight="normal", fill=INK, title=None):
        self.shapes.append(
            {
                "kind": "text",
                "x": rounded(x),
                "y": rounded(y),
                "text": str(text),
                "size": size,
                "anchor": anchor,
                "weight": weight,
                "fill": fill,
                "title": title,
            }
        )

    def link(self, href: str | None) -> None:
        """The shapes drawn until `end_link` open `href` (a figure's lineage); None: no link."""
        if href:
            self.shapes.append({"kind": "a", "href": href})

    def end_link(self, href: str | None) -> None:
        if href:
            self.shapes.append({"kind": "a_end"})

    def tips(self) -> list[str]:
        """The marks' tooltips, each once, in painting order: the figures a narrow screen lists as text."""
        return list(dict.fromkeys(shape["title"] for shape in self.shapes if shape.get("title")))

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
            x += 18 + text_width(label, size) + 18
        return x


def rounded(value: float) -> float:
    return round(float(value), 1)


def nice_ticks(top: float, count: int = 5, whole: bool = False) -> list[float]:
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


def no_data(chart: Chart, y: float) -> Chart:
    chart.empty = True
    chart.text(chart.width / 2, y, str(say("chart.no_data")), size=13, anchor="middle", fill=MUTED)
    return chart


def y_axis(chart: Chart, ticks, x0, x1, scale, label=lambda t: number(t), size=10):
    for tick in ticks:
        y = scale(tick)
        chart.line(x0, y, x1, y, stroke=GRID if tick else AXIS)
        chart.text(x0 - 6, y + size * 0.35, label(tick), size=size, anchor="end", fill=MUTED)
