"""What a reader makes of one received file, before validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from core.text import fold
from core.vocabulary import say

# The template's fields a reader takes, and whether a submission must have them; their
# headers (Vietnamese label, English CSV header) are the vocabulary's `field.<name>`.
FIELDS = {
    "dataset": True,
    "unit_code": True,
    "period": True,
    "indicator_code": True,
    "disaggregation": False,
    "value": True,
    "note": False,
}
HEADER_BLOCK_FIELDS = ("dataset", "unit_code", "period")
TABLE_FIELDS = ("indicator_code", "disaggregation", "value", "note")

_FIELD_BY_KEY = {fold(label): name for name in FIELDS for label in (say(f"field.{name}").vi, name)}
# A report is a few dozen rows of short cells: these bounds keep hostile files cheap to refuse.
MAX_ROWS = 5000
MAX_CELL_CHARS = 32767  # what one Excel cell can hold


def field_for(label: object) -> str | None:
    """The template field a header cell names (English or Vietnamese, any case, diacritics optional)."""
    if label is None:
        return None
    return _FIELD_BY_KEY.get(fold(str(label)))


def vietnamese_label(name: str) -> str:
    return say(f"field.{name}").vi


class Unreadable(Exception):
    """Why a file could not be read (rule 1): the vocabulary's `unreadable.<key>` with its fields."""

    def __init__(self, key: str, **fields: object):
        self.key, self.fields = key, fields
        self.text = say(f"unreadable.{key}", **fields)
        super().__init__(self.text.en)

    def __reduce__(self):  # pickled by a reader process for its caller
        return _unreadable, (self.key, self.fields)


def _unreadable(key: str, fields: dict) -> Unreadable:
    return Unreadable(key, **fields)


def check_cell_lengths(cells: list, row: int) -> None:
    """Refuse a cell longer than Excel allows: no report holds one, a hostile file might."""
    if any(isinstance(cell, str) and len(cell) > MAX_CELL_CHARS for cell in cells):
        raise cell_too_long(row)


def cell_too_long(row: int) -> Unreadable:
    return Unreadable("cell_too_long", row=row, limit=MAX_CELL_CHARS)


@dataclass
class RawRow:
    source_row: int
    dataset: object
    unit_code: object
    period: object
    indicator_code: object
    disaggregation: object
    value: object
    note: object


@dataclass
class RawSubmission:
    """A received file as read. `declared` holds its data set, unit and period: the
    workbook's header block, or a CSV's first row."""

    path: Path
    file_name: str
    sha256: str
    size_bytes: int
    received_at: datetime
    file_format: str
    number_convention: str | None = None
    declared: dict[str, object] = field(default_factory=dict)
    rows: list[RawRow] = field(default_factory=list)
    missing_fields: list[str] = field(default_factory=list)
    read_error: Unreadable | None = None
    submission_id: int | None = None
    template_stamp: str | None = None  # "version:form checksum" of a workbook made from the template
