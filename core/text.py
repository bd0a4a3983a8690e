"""Text normalisation shared by the readers: NFC, header keys, codes."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

_SPACES = re.compile(r"\s+")
# A commune's code has five digits; a longer run of digits is no code to look up (and no number to parse).
_LONGEST_CODE = 9
# Control characters (NUL included) never belong in a report cell.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(value: object) -> str | None:
    """A cell as NFC text without control characters; None when blank."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", _CONTROL.sub("", str(value))).strip()
    return text or None


@lru_cache(maxsize=4096)  # the same few labels and names, in every file
def fold(text: str) -> str:
    """Case-, space- and diacritic-insensitive key, for matching labels people typed."""
    # d with stroke is a letter of its own, not d with a combining mark: NFD keeps it.
    decomposed = unicodedata.normalize("NFD", text.replace("\u0111", "d").replace("\u0110", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare).strip().rstrip(":").strip().casefold()


def code(value: object) -> str | None:
    """A code as people type it, normalised: trimmed, upper case, no inner spaces around it.

    Numeric cells come back from Excel as floats (26.0): they are codes, not numbers.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean(value)
    return text.upper() if text else None


def unit_code(value: object, by_number: Mapping[int, str] | None = None) -> str | None:
    """Numeric codes lose their leading zeros in Excel: `8` is province `08`, `26` district `026`,
    `691` commune `00691`.

    A code of digits is the catalog's code of that number (`by_number`, Catalog.unit_codes_by_number);
    one the catalog does not know is padded to a district's three digits, the shortest ambiguity.
    """
    text = code(value)
    if text and text.isascii() and text.isdigit():
        if by_number and len(text) <= _LONGEST_CODE and int(text) in by_number:
            return by_number[int(text)]
        if len(text) < 3:
            return text.zfill(3)
    return text


def readable_name(name: str) -> str:
    """A file name or path as text. A name that is not UTF-8 was most likely written by an old
    Windows tool in Windows-1258: decode it so, rather than carry undecodable bytes."""
    raw = os.fsencode(name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return unicodedata.normalize("NFC", raw.decode("cp1258", errors="replace"))
