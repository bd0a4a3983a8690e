"""Every text a clerk, an official or an analyst reads, in Vietnamese and English, by a stable id.

The texts live in the TOML files beside this module, one file per owner — `stages.toml` (a
file's fields and verdict, unreadable files, findings and fixes, the kinds' words), `template.toml`
(the reporting workbook), `report.toml` (the monitoring report, targets, exports), `portal.toml`,
`notices.toml` (notices and the engineers' alerts) — one entry per id. They are one id space: an
id is defined in one file only, and a second definition is refused with both files named. Code
names the id and the fields, never the words. Vietnamese comes first everywhere, English beside it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Formatter

SOURCE = Path(__file__).parent  # the folder of the TOML files, one per owner


@dataclass(frozen=True)
class Text:
    """One text in both languages."""

    vi: str
    en: str

    def __str__(self) -> str:
        return f"{self.vi} / {self.en}"


class Count(int):
    """A whole number in a text: `{n:vn}` groups its thousands the Vietnamese way (1.234.567),
    `{n:file|files}` is the English word for that number (1 file, 2 files); any other format as int's."""

    def __format__(self, spec: str) -> str:
        if spec == "vn":
            return grouped(int(self))
        if "|" in spec:
            one, many = spec.split("|", 1)
            return one if int(self) == 1 else many
        return int.__format__(int(self), spec)


def grouped(number: int | float) -> str:
    """A number as Vietnamese writes it: thousands grouped by '.', decimals after ','."""
    text = f"{number:,}" if isinstance(number, int) else f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


class _Lenient(dict):
    """Fields of a finding: a field a row lacks is shown empty, not raised."""

    def __missing__(self, key: str) -> str:
        return ""


class DuplicateText(ValueError):
    """An id defined in two files of the vocabulary."""


def sources() -> list[Path]:
    """The vocabulary's files, by name."""
    return sorted(SOURCE.glob("*.toml"))


@cache
def entries() -> dict[str, dict[str, str]]:
    """Every entry by its dotted id (`status.accepted`), from every file of the vocabulary."""
    return load(sources())


def load(paths: list[Path]) -> dict[str, dict[str, str]]:
    """The entries of `paths`, one id space: an id defined in two of them is refused."""
    found: dict[str, dict[str, str]] = {}
    defined_in: dict[str, Path] = {}
    for path in paths:
        for key, entry in _walk("", tomllib.loads(path.read_text(encoding="utf-8"))):
            if key in found:
                raise DuplicateText(f"text {key!r} is defined twice: in {defined_in[key].name} and in {path.name}")
            found[key], defined_in[key] = entry, path
    return found


def _walk(prefix: str, table: dict) -> Iterator[tuple[str, dict[str, str]]]:
    if "vi" in table and "en" in table:
        yield prefix, table
        return
    for key, value in table.items():
        yield from _walk(f"{prefix}.{key}" if prefix else key, value)


def say(key: str, **fields: object) -> Text:
    """The text `key` with its fields filled in; a missing field is an error."""
    entry = _entry(key)
    fields = {name: Count(value) if type(value) is int else value for name, value in fields.items()}
    return Text(entry["vi"].format(**fields), entry["en"].format(**fields))


def fill(key: str, fields: Mapping[str, object]) -> Text:
    """The text `key` filled from a row whose columns may be missing (shown empty)."""
    entry = _entry(key)
    row = _Lenient(fields)
    return Text(entry["vi"].format_map(row), entry["en"].format_map(row))


def field_names(key: str) -> set[str]:
    entry = _entry(key)
    return {name for text in (entry["vi"], entry["en"]) for _, name, _, _ in Formatter().parse(text) if name}


def _entry(key: str) -> dict[str, str]:
    try:
        return entries()[key]
    except KeyError:
        raise KeyError(f"no text {key!r} in core/vocabulary/*.toml") from None
