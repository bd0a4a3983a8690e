"""File names as clerks give them: five patterns (codes, words with or without diacritics),
a suffix on a resend, the copy names operating systems make, and no two names alike.
"""

from __future__ import annotations

import unicodedata

from core.catalog import Catalog
from core.periods import Period
from demo.habits import ROMAN
from demo.model import ScriptedFile, Slot
from demo.plan import is_department

RESEND_SUFFIXES = ["_v2", " (sua lai)", "_bosung", " - ban chinh thuc", "_final", " (đã sửa)"]
EXTENSIONS = {
    "csv": ".csv",
    "xlsx": ".xlsx",
    "empty": ".csv",
    "xls": ".xls",
    "pdf": ".pdf",
    "docx": ".docx",
    "truncated_xlsx": ".xlsx",
}
COPY_NAMES = ["{stem} (1).{extension}", "Copy of {stem}.{extension}", "{stem} - Copy.{extension}"]


def ascii_text(text: str) -> str:
    """Vietnamese without diacritics (`Đồng Văn` -> `Dong Van`), as old tools want names."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def short_unit_name(catalog: Catalog, unit: str) -> str:
    """`So KHCN` for a department, `Dong Van` or `TP Ha Giang` for a district."""
    if is_department(catalog, unit):
        return "So " + unit[1:]
    return ascii_text(catalog.units[unit]["unit_name"].replace("Huyện ", "").replace("Thành phố", "TP"))


def name_by_codes(catalog: Catalog, dataset: str, unit: str, period: Period) -> str:
    return f"{dataset}_{unit}_{period.code}"


def name_in_plain_words(catalog: Catalog, dataset: str, unit: str, period: Period) -> str:
    if period.quarter:
        return f"Bao cao quy {period.quarter} nam {period.year} - {short_unit_name(catalog, unit)}"
    return f"Dieu tra CNTT nam {period.year} - {short_unit_name(catalog, unit)}"


def name_in_words(catalog: Catalog, dataset: str, unit: str, period: Period) -> str:
    name = catalog.units[unit]["unit_name"]
    if period.quarter:
        return f"Báo cáo quý {ROMAN[period.quarter]}-{period.year} {name}"
    return f"Biểu CNTT năm {period.year} - {name}"


def name_by_lower_codes(catalog: Catalog, dataset: str, unit: str, period: Period) -> str:
    if period.quarter:
        return f"{dataset.lower()}_{unit}_{period.year}q{period.quarter}"
    return f"{dataset.lower()}_{unit}_{period.year}"


def name_as_abbreviation(catalog: Catalog, dataset: str, unit: str, period: Period) -> str:
    if period.quarter:
        return f"BC đột phá Q{period.quarter}.{period.year} - {short_unit_name(catalog, unit)}"
    return f"BC CNTT {period.year} - {short_unit_name(catalog, unit)}"


PATTERNS = [name_by_codes, name_in_plain_words, name_in_words, name_by_lower_codes, name_as_abbreviation]


def base_name(catalog: Catalog, slot: Slot, pattern: int) -> str:
    dataset, unit, period = slot
    return PATTERNS[pattern](catalog, dataset, unit, Period.parse(period))


def name_files(files: list[ScriptedFile], catalog: Catalog) -> None:
    """Give every file its name, in order of receipt; a name already taken gets ` (2)`, ` (3)`…"""
    taken: set[str] = set()
    for scripted in files:
        if scripted.kind == "copy":
            source = scripted.copy_of
            assert source is not None
            stem, extension = source.file_name.rsplit(".", 1)
            pattern = COPY_NAMES[scripted.render_seed % len(COPY_NAMES)]
            name = pattern.format(stem=stem, extension=extension)
        else:
            name = (
                base_name(catalog, scripted.slot, scripted.style.naming)
                + scripted.name_suffix
                + EXTENSIONS[scripted.kind]
            )
        stem, extension = name.rsplit(".", 1)
        number = 2
        while name.lower() in taken:
            name = f"{stem} ({number}).{extension}"
            number += 1
        taken.add(name.lower())
        scripted.file_name = name
