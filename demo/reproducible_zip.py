"""Zip archives (XLSX, DOCX) whose bytes depend only on their content and a given time:
fixed entry times, no system attributes, and a fixed 'modified' document property."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime


def write_entry(archive: zipfile.ZipFile, name: str, content: bytes, local_time: datetime) -> None:
    entry = zipfile.ZipInfo(name, date_time=local_time.timetuple()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.create_system = 0
    entry.external_attr = 0
    archive.writestr(entry, content)


def repack(data: bytes, modified_utc: datetime, local_time: datetime) -> bytes:
    """The zip `data` again, every entry dated `local_time`, `dcterms:modified` set to `modified_utc`."""
    stamp = modified_utc.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, content)
            write_entry(archive, info.filename, content, local_time)
    return out.getvalue()
