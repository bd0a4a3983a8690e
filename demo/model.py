"""The records the demo scripts with: a report's rows, a file's style, a scripted file, and the
`DemoFile` the public API returns.

A *slot* is one submission a clerk means to fill: `(dataset, unit, period)` in canonical codes
(`("DP-HUYEN", "026", "2017Q2")`). A scripted file says which slot it is for, what it holds (a
`Report`, unless it is a file a clerk should never have sent), how it is written (`FileStyle`),
when it is received, and what the pipeline must make of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

Slot = tuple[str, str, str]  # (dataset, unit, period)
Number = int | float

DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


@dataclass(frozen=True)
class DemoFile:
    """One file of the demo inbox and what the pipeline must make of it.

    `dataset_code`, `unit_code` and `period` name the submission slot the clerk
    meant to fill (canonical codes, e.g. "DP-HUYEN", "026", "2017Q2"); the
    content of a rejected file may say otherwise (that is why it is rejected).
    `expected_rules` are the critical rule numbers ("1".."9") a rejected file
    must be rejected for (empty otherwise). `expected_warnings` ("late",
    "formula") are given for accepted and superseded files only.
    `received_at` is naive UTC and equals the file's mtime.
    """

    file_name: str
    dataset_code: str
    unit_code: str
    period: str
    received_at: datetime
    expected_status: str
    expected_rules: tuple[str, ...] = ()
    expected_warnings: tuple[str, ...] = ()
    scenario: str = "normal"  # what happens in this file, in a few words
    form: str = ""  # e.g. "csv utf-16 tab vi", "xlsx", "pdf"


@dataclass
class ReportRow:
    """One line of a report's table."""

    indicator: str  # the form line's indicator code
    disaggregation: str | None
    value: object  # int | float, or text written exactly as is
    note: str = ""
    period: str | None = None  # a period code on this row that differs from the file's (rule 5)
    written_code: str | None = None  # the indicator code as the clerk mistyped it, if they did


@dataclass
class Report:
    """What a file says: its slot, its rows, and any header the clerk wrote wrongly."""

    dataset: str
    unit: str
    period: str
    rows: list[ReportRow]
    dataset_text: str | None = None  # written instead of the slot's data set
    unit_text: str | None = None  # written instead of the slot's unit code
    period_text: str | None = None  # written instead of the slot's period
    left_out: str | None = None  # "value" column (CSV) or "period" header field (XLSX) missing

    def values(self) -> dict[tuple[str, str | None], object]:
        """{(indicator, disaggregation or None): value} as the rows give them."""
        return {(row.indicator, row.disaggregation): row.value for row in self.rows}


@dataclass(frozen=True)
class FileStyle:
    """How a unit's clerk writes a report file."""

    file_format: str  # csv | xlsx
    encoding: str = "utf-8"  # utf-8 | utf-8-sig | utf-16 | cp1258
    delimiter: str = ","
    header_language: str = "vi"  # vi | en
    decomposed: bool = False  # Unicode NFD, as some Mac tools write
    line_end: str = "\r\n"
    naming: int = 0  # which of the file-name patterns the clerk uses
    period_form: str = "code"  # how the period is written (see demo.habits.PERIOD_WRITERS)

    def describe(self) -> str:
        if self.file_format != "csv":
            return self.file_format
        nfd = " nfd" if self.decomposed else ""
        return f"csv {self.encoding} {DELIMITER_NAMES[self.delimiter]} {self.header_language}{nfd}"


@dataclass
class ScriptedFile:
    """A file of the inbox as scripted, before it is rendered and named."""

    slot: Slot
    kind: str  # csv | xlsx | empty | xls | pdf | docx | truncated_xlsx | copy
    style: FileStyle
    report: Report | None
    received_at: datetime  # naive UTC
    rejected: bool = False
    rules: tuple[str, ...] = ()
    scenario: str = "normal"
    render_seed: int = 0  # the renderer's own random choices (title, columns, …) start here
    name_suffix: str = ""
    copy_of: ScriptedFile | None = None
    file_name: str = ""
    formula_note: bool = False
    status: str = ""
    warnings: tuple[str, ...] = ()

    def form(self) -> str:
        """The file's form as the manifest says it: its style for CSV and XLSX, else its kind."""
        source = self.copy_of if self.copy_of is not None else self
        return source.style.describe() if source.kind in ("csv", "xlsx") else source.kind
