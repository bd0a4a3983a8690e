"""Numbers in the two conventions of the template.

International (comma-delimited CSV): `.` is the decimal mark, no grouping.
Vietnamese (semicolon/tab CSV, text cells in xlsx): `.` groups thousands, `,` is the decimal mark.
Parsing is strict: `12.5` in a Vietnamese file is refused rather than guessed.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

INTERNATIONAL = "international"
VIETNAMESE = "vietnamese"

# ASCII digits only: `١٢` or `１２` are not numbers in the template.
_FORMS = {
    INTERNATIONAL: re.compile(r"^[+-]?\d+(?:\.\d+)?$", re.ASCII),
    VIETNAMESE: re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$", re.ASCII),
}


def parse_number(value: object, convention: str) -> Decimal | None:
    """The number a cell holds, or None when it is not one (text, date, NaN, infinity)."""
    if isinstance(value, (bool, date, datetime, time, timedelta)):
        return None
    if isinstance(value, float):
        number = Decimal(repr(value)) if math.isfinite(value) else None
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        number = _parse_text(value, convention)
    else:
        number = None
    # A double must hold it: 400 digits would load as infinity.
    if number is None or not math.isfinite(float(number)):
        return None
    return abs(number) if number.is_zero() else number  # -0 is 0


def _parse_text(value: str, convention: str) -> Decimal | None:
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if not _FORMS[convention].match(text):
        return None
    if convention == VIETNAMESE:
        text = text.replace(".", "").replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def canonical(number: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros: `12`, `12.5`."""
    text = format(number.normalize(), "f")
    return text if text != "-0" else "0"
