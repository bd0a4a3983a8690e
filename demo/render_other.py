"""Files a clerk should never have sent, each refused under rule 1: a scanned report (.pdf), a
Word report (.docx), an Excel 97-2003 workbook (.xls), an empty file, and a workbook cut short.
Each is small but real enough that a tool recognises its type by its first bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, timedelta

from core.catalog import Catalog
from core.vocabulary import say
from demo.file_names import ascii_text
from demo.habits import period_text
from demo.model import ScriptedFile
from demo.plan import is_quarter
from demo.render_text import province_heading
from demo.render_xlsx import render_xlsx
from demo.reproducible_zip import write_entry

WORD_NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
DOCX_PARTS = {
    "[Content_Types].xml": XML_DECLARATION
    + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    "_rels/.rels": XML_DECLARATION
    + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
}


def render_empty(scripted: ScriptedFile, catalog: Catalog) -> bytes:
    return b""


def render_truncated_xlsx(scripted: ScriptedFile, catalog: Catalog) -> bytes:
    data = render_xlsx(scripted, catalog)
    return data[: len(data) * 3 // 5]  # the first three fifths: an attachment cut short


def render_pdf(scripted: ScriptedFile, catalog: Catalog) -> bytes:
    """A one-page PDF saying what the scan shows (the values are in the picture, not the text)."""
    dataset, unit, period = scripted.slot
    unit_name = ascii_text(catalog.units[unit]["unit_name"]).upper()
    text = f"BAO CAO {dataset} {period} - {unit_name} (ban scan co chu ky, dong dau)"
    stream = f"BT /F1 12 Tf 56 780 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    cross_reference = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{cross_reference}\n%%EOF\n".encode()
    return bytes(out)


def render_docx(scripted: ScriptedFile, catalog: Catalog) -> bytes:
    """A Word report: the heading and a sentence, saved an hour before it is sent."""
    dataset, unit, period = scripted.slot
    paragraphs = [
        province_heading(catalog),
        catalog.units[unit]["unit_name"].upper(),
        f"BÁO CÁO {catalog.datasets[dataset]['dataset_name'].upper()}",
        f"{say('field.period').vi}: {period_text(period, 'roman' if is_quarter(period) else 'nam')}",
        "Kết quả thực hiện các nhiệm vụ đột phá trong kỳ như sau: (xem bảng kèm theo)",
    ]
    body = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in paragraphs)
    document = f'<w:document xmlns:w="{WORD_NAMESPACE}"><w:body>{body}</w:body></w:document>'
    parts = {**DOCX_PARTS, "word/document.xml": XML_DECLARATION + document}
    saved = (scripted.received_at - timedelta(hours=1)).replace(tzinfo=UTC).astimezone(catalog.timezone)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            write_entry(archive, name, text.encode("utf-8"), saved.replace(tzinfo=None))
    return out.getvalue()


def render_xls(scripted: ScriptedFile, catalog: Catalog) -> bytes:
    """What an .xls starts with: the OLE2 compound-file signature and header, then padding."""
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00\x06\x00"
    label = f"Workbook {scripted.slot[0]} {scripted.slot[1]} {scripted.slot[2]}".encode("utf-16-le")
    return (head + b"\x00" * (512 - len(head)) + label).ljust(4096, b"\x00")
