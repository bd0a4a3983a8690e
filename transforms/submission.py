"""What a reader makes of one received file, before validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from transforms.text import fold

# Template fields: canonical name -> (English header, Vietnamese header, required).
FIELDS = {
    "dataset": ("dataset", "Biểu mẫu", True),
    "unit_code": ("unit_code", "Mã đơn vị", True),
    "period": ("period", "Kỳ báo cáo", True),
    "indicator_code": ("indicator_code", "Mã chỉ tiêu", True),
    "disaggregation": ("disaggregation", "Phân tổ", False),
    "value": ("value", "Giá trị", True),
    "note": ("note", "Ghi chú", False),
}
HEADER_BLOCK_FIELDS = ("dataset", "unit_code", "period")
TABLE_FIELDS = ("indicator_code", "disaggregation", "value", "note")

_FIELD_BY_KEY = {fold(label): name for name, labels in FIELDS.items() for label in labels[:2]}
# A report is a few dozen rows of short cells: these bounds keep hostile files cheap to refuse.
MAX_ROWS = 5000
MAX_CELL_CHARS = 32767  # what one Excel cell can hold


def field_for(label: object) -> str | None:
    """The template field a header cell names (English or Vietnamese, any case, diacritics optional)."""
    if label is None:
        return None
    return _FIELD_BY_KEY.get(fold(str(label)))


def vietnamese_label(name: str) -> str:
    return FIELDS[name][1]


class Unreadable(Exception):
    """Why a file could not be read, for the clerk (vi) and the engineer (en)."""

    def __init__(self, vi: str, en: str):
        super().__init__(en)
        self.vi = vi
        self.en = en


def check_cell_lengths(cells: list, row: int) -> None:
    """Refuse a cell longer than Excel allows: no report holds one, a hostile file might."""
    if any(isinstance(cell, str) and len(cell) > MAX_CELL_CHARS for cell in cells):
        raise cell_too_long(row)


def cell_too_long(row: int) -> Unreadable:
    return Unreadable(
        f"Một ô ở dòng {row} dài hơn {MAX_CELL_CHARS:,} ký tự, giới hạn của một ô. Hãy rút gọn nội dung ô đó.",
        f"A cell on row {row} holds more than the {MAX_CELL_CHARS:,} characters one cell may hold. Shorten it.",
    )


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
