"""The template's stamp read back: the version and form checksum a workbook carries.

Three places carry it (`transforms.template.workbook` writes them), because LibreOffice keeps
some and Excel others: a hidden sheet, two custom document properties and a defined name.
The parts are a clerk's bytes: parsed with no DTD at all (defusedxml), and only when small.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from core.catalog import Catalog
from transforms.template.form import TemplateError, form_of

TEMPLATE_VERSION = "1"
STAMP_SHEET = "chiso"
STAMP_NAME = "chiso_template"  # a defined name: "version;checksum"
PROPERTY_VERSION = "chiso_template_version"
PROPERTY_CHECKSUM = "chiso_form_checksum"
_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# The stamp's parts are a few kilobytes; a larger one is not parsed (the stamp is then unknown).
MAX_STAMP_PART_BYTES = 1024 * 1024


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    entry = archive.getinfo(name)
    return archive.read(entry) if entry.file_size <= MAX_STAMP_PART_BYTES else None


def _parsed(xml: bytes | None):
    """The part's tree, parsed without any DTD (entities, external references: refused)."""
    return fromstring(xml, forbid_dtd=True) if xml is not None else None


def read_stamp(data: bytes) -> dict[str, str] | None:
    """The version and form checksum a workbook carries, from its custom document properties,
    else its defined name; None for a workbook not made from the template."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        properties = _parsed(_small_part(archive, "docProps/custom.xml")) if "docProps/custom.xml" in names else None
        if properties is not None:
            found = {
                prop.get("name"): "".join(prop.itertext()).strip() for prop in properties.iter(f"{_CUSTOM}property")
            }
            if PROPERTY_VERSION in found and PROPERTY_CHECKSUM in found:
                return {
                    "version": found[PROPERTY_VERSION],
                    "checksum": found[PROPERTY_CHECKSUM],
                    "source": "properties",
                }
        workbook = _parsed(_small_part(archive, "xl/workbook.xml")) if "xl/workbook.xml" in names else None
        if workbook is not None:
            for defined in workbook.iter(f"{_MAIN}definedName"):
                if defined.get("name") == STAMP_NAME:
                    version, _, checksum = (defined.text or "").strip().strip('"').partition(";")
                    return {"version": version, "checksum": checksum, "source": "defined name"}
    except (zipfile.BadZipFile, ParseError, DefusedXmlException, OSError, ValueError, KeyError):
        return None
    return None


def stamp_status(catalog: Catalog, data: bytes, dataset_code: str) -> str:
    """`current`, `outdated` (made from another version of the form) or `unknown` (no stamp)."""
    stamp = read_stamp(data)
    if stamp is None:
        return "unknown"
    try:
        current = form_of(catalog, dataset_code).checksum()
    except TemplateError:
        return "unknown"
    return "current" if stamp["version"] == TEMPLATE_VERSION and stamp["checksum"] == current else "outdated"
