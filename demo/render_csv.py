"""A report as a CSV file in its unit's dialect: encoding (UTF-8 with or without BOM, UTF-16,
Windows-1258, NFD), delimiter and number convention, Vietnamese or English headers (from the
vocabulary), and now and then a column left out or moved."""

from __future__ import annotations

import csv
import io
import random
import unicodedata

from core.catalog import Catalog
from core.vocabulary import say
from demo.habits import period_text
from demo.model import FileStyle, Report, ScriptedFile
from demo.plan import form_has_disaggregations
from demo.render_text import plain_number, unit_code_as_typed, vietnamese_number

COLUMNS = ["dataset", "unit_code", "period", "indicator_code", "disaggregation", "value", "note"]
VALUE_COLUMN_MISNAMED = {"vi": "Số liệu", "en": "amount"}  # rule 2: no column the template knows as the value
_MODIFIERS = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn: precomposed in cp1258


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 as Windows writes it: precomposed â ê ô ă ơ ư, combining tone marks."""
    out: list[bytes] = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", parts[0] + "".join(mark for mark in parts[1:] if mark in _MODIFIERS))
        tones = "".join(mark for mark in parts[1:] if mark not in _MODIFIERS)
        try:
            out.append((base + tones).encode("cp1258"))
        except UnicodeEncodeError:
            out.append(b"?")
    return b"".join(out)


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if encoding == "cp1258":
        return encode_cp1258(text)
    return text.encode(encoding)


def choose_columns(report: Report, catalog: Catalog, rng: random.Random) -> list[str]:
    """The template's columns; the disaggregation column of a form without disaggregations, or an unused
    note column, is sometimes left out, and the value column sometimes comes before the code."""
    columns = list(COLUMNS)
    if not form_has_disaggregations(catalog, report.dataset) and rng.random() < 0.4:
        columns.remove("disaggregation")
    if rng.random() < 0.15 and not any(row.note for row in report.rows):
        columns.remove("note")
    if rng.random() < 0.1:
        columns.remove("value")
        columns.insert(columns.index("indicator_code"), "value")
    return columns


def choose_headers(style: FileStyle, report: Report, rng: random.Random) -> dict[str, str]:
    language = style.header_language
    headers = {column: getattr(say(f"field.{column}"), language) for column in COLUMNS}
    if language == "en" and rng.random() < 0.3:
        headers = {column: header.title() for column, header in headers.items()}
    if report.left_out == "value":
        headers["value"] = VALUE_COLUMN_MISNAMED[language]
    return headers


def render_csv(scripted: ScriptedFile, catalog: Catalog) -> bytes:
    report, style = scripted.report, scripted.style
    assert report is not None
    rng = random.Random(scripted.render_seed)
    columns = choose_columns(report, catalog, rng)
    headers = choose_headers(style, report, rng)
    unit = unit_code_as_typed(report, rng, in_workbook=False)
    period = report.period_text or period_text(report.period, style.period_form)
    number = plain_number if style.delimiter == "," else vietnamese_number
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=style.delimiter, lineterminator=style.line_end)
    writer.writerow([headers[column] for column in columns])
    for row in report.rows:
        cells = {
            "dataset": report.dataset_text or report.dataset,
            "unit_code": unit,
            "period": period if row.period is None else row.period,
            "indicator_code": row.written_code or row.indicator,
            "disaggregation": row.disaggregation or "",
            "value": number(row.value),
            "note": row.note,
        }
        writer.writerow([cells[column] for column in columns])
    text = buffer.getvalue()
    if style.decomposed:
        text = unicodedata.normalize("NFD", text)
    return encode(text, style.encoding)
