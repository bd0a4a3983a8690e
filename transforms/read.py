"""Turn received files into raw submissions; a file that cannot be read becomes one with a reason."""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo
from pathlib import Path

from transforms.csv_reader import read_csv
from transforms.numbers import VIETNAMESE
from transforms.submission import HEADER_BLOCK_FIELDS, RawSubmission, Unreadable, vietnamese_label
from transforms.text import clean
from transforms.xlsx_reader import read_xlsx

ACCEPTED_SUFFIXES = (".csv", ".xlsx")


def received_at(path: Path, zone: ZoneInfo) -> datetime:
    """A file's receipt time: its modification time in the inbox, as the province's local time."""
    return datetime.fromtimestamp(path.stat().st_mtime, tz=zone).replace(tzinfo=None)


def read_submission(path: Path, max_bytes: int, zone: ZoneInfo) -> RawSubmission:
    data = path.read_bytes() if path.stat().st_size <= max_bytes else b""
    submission = RawSubmission(
        path=path,
        file_name=path.name,
        sha256=hashlib.sha256(data).hexdigest() if data else _sha256_of_large(path),
        size_bytes=path.stat().st_size,
        received_at=received_at(path, zone),
        file_format=path.suffix.lower().lstrip(".") or "none",
    )
    try:
        _parse(submission, data, max_bytes)
    except Unreadable as error:
        submission.read_error = error
        submission.rows = []
    return submission


def _sha256_of_large(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _parse(submission: RawSubmission, data: bytes, max_bytes: int) -> None:
    suffix = submission.path.suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise Unreadable(
            f"Định dạng tệp '{suffix or '(không có)'}' không được chấp nhận. Chỉ nhận tệp .xlsx (theo biểu mẫu) hoặc .csv.",
            f"File type '{suffix or '(none)'}' is not accepted. Send an .xlsx in the template, or a .csv.",
        )
    if submission.size_bytes > max_bytes:
        raise Unreadable(
            f"Tệp quá lớn ({submission.size_bytes:,} byte; tối đa {max_bytes:,}). Một báo cáo chỉ gồm vài chục dòng.",
            f"The file is too large ({submission.size_bytes:,} bytes; limit {max_bytes:,}). A report is a few dozen rows.",
        )
    if not data.strip():
        raise Unreadable("Tệp rỗng.", "The file is empty.")
    if suffix == ".csv":
        submission.rows, submission.missing_fields, submission.number_convention = read_csv(data)
        first = submission.rows[0] if submission.rows else None
        submission.declared = {name: getattr(first, name, None) for name in HEADER_BLOCK_FIELDS}
    else:
        submission.rows, submission.missing_fields, submission.declared = read_xlsx(data)
        submission.number_convention = VIETNAMESE
    # A header field present but left blank is as missing as an absent one.
    for name in HEADER_BLOCK_FIELDS:
        label = vietnamese_label(name)
        if clean(submission.declared.get(name)) is None and label not in submission.missing_fields:
            submission.missing_fields.append(label)
