"""How a cell's text is written, for the CSV and XLSX renderers alike: numbers in the file's
convention, a unit code as the clerk types it, the province's heading."""

from __future__ import annotations

import random

from core.catalog import Catalog
from demo.model import Report
from demo.plan import province_name

PEOPLES_COMMITTEE = "ỦY BAN NHÂN DÂN"  # the first line of every official document of the province


def province_heading(catalog: Catalog) -> str:
    """`ỦY BAN NHÂN DÂN TỈNH HÀ GIANG`."""
    return f"{PEOPLES_COMMITTEE} {province_name(catalog).upper()}"


def plain_number(value: object) -> str:
    """`1250.5`: a comma-delimited CSV's number (text is written as it is)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def vietnamese_number(value: object) -> str:
    """`1.250,5`: '.' groups thousands, ',' is the decimal mark."""
    if isinstance(value, str):
        return value
    text = plain_number(value)
    negative = text.startswith("-")
    whole, _, fraction = text.lstrip("-").partition(".")
    written = f"{int(whole):,}".replace(",", ".") + ("," + fraction if fraction else "")
    return "-" + written if negative else written


def unit_code_as_typed(report: Report, rng: random.Random, in_workbook: bool) -> object:
    """The unit code as a clerk types it: a district's code as a number in a workbook (26), or
    without its zeros in a CSV ("26"); a department's sometimes in lower case or with spaces."""
    if report.unit_text is not None:
        return report.unit_text
    unit = report.unit
    chance = rng.random()
    if unit.isdigit() and len(unit) <= 3:  # a commune's five digits are always typed as text
        if in_workbook and chance < 0.3:
            return int(unit)
        if not in_workbook and chance < 0.2:
            return str(int(unit))
        return unit
    return unit.lower() if chance < 0.06 else f" {unit} " if chance < 0.1 else unit
