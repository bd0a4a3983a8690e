"""Turn received files into raw submissions; a file that cannot be read becomes one with a reason."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from core.text import clean, readable_name
from transforms.csv_reader import read_csv
from transforms.numbers import VIETNAMESE
from transforms.submission import HEADER_BLOCK_FIELDS, RawSubmission, Unreadable, vietnamese_label
from transforms.template.stamp import read_stamp
from transforms.xlsx_reader import read_xlsx

ACCEPTED_SUFFIXES = (".csv", ".xlsx")


def received_at(path: Path, zone: ZoneInfo) -> datetime:
    """A file's receipt time: its modification time in the inbox, as the province's local time."""
    return datetime.fromtimestamp(path.lstat().st_mtime, tz=zone).replace(tzinfo=None)


def read_submission(path: Path, max_bytes: int, zone: ZoneInfo) -> RawSubmission:
    link = path.is_symlink()  # never followed: it may point anywhere on the server
    size = path.lstat().st_size
    data = path.read_bytes() if size <= max_bytes and not link else b""
    submission = RawSubmission(
        path=path,
        file_name=readable_name(path.name),
        sha256=_sha256(path, data, link),
        size_bytes=size,
        received_at=received_at(path, zone),
        file_format=path.suffix.lower().lstrip(".") or "none",
    )
    try:
        _parse(submission, data, max_bytes)
    except BaseException as error:
        submission.read_error = _read_error(error)
        submission.rows = []
    return submission


def _read_error(error: BaseException) -> Unreadable:
    """Why a file was not read. An error no reader foresaw (a reader's bug, a panic in the Rust
    workbook reader) refuses that file alone, not its whole batch."""
    if isinstance(error, Unreadable):
        return error
    if isinstance(error, MemoryError):
        raise error  # the reader's budget, not the file's fault alone: its caller says so (transforms.sandbox)
    if not isinstance(error, Exception) and type(error).__name__ != "PanicException":
        raise error  # an interrupt or exit is not about the file
    return Unreadable("unexpected", error=f"{type(error).__name__}: {str(error)[:200]}")


def _sha256(path: Path, data: bytes, link: bool) -> str:
    return hashlib.sha256(data).hexdigest() if data and not link else file_sha256(path)


def file_sha256(path: Path) -> str:
    """A received file's digest, read in blocks; a symbolic link's is its target's text (never
    followed), and anything but a regular file's is that of no bytes: opening a FIFO never blocks."""
    if path.is_symlink():
        return hashlib.sha256(os.fsencode(os.readlink(path))).hexdigest()
    digest = hashlib.sha256()
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    with os.fdopen(descriptor, "rb") as stream:
        if stat.S_ISREG(os.fstat(descriptor).st_mode):
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _parse(submission: RawSubmission, data: bytes, max_bytes: int) -> None:
    if submission.path.is_symlink():
        raise Unreadable("symlink")
    suffix = submission.path.suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise Unreadable("file_type", suffix=suffix or "-")
    if submission.size_bytes > max_bytes:
        raise Unreadable("too_large", size=submission.size_bytes, limit=max_bytes)
    if not data.strip():
        raise Unreadable("empty")
    if suffix == ".csv":
        submission.rows, submission.missing_fields, submission.number_convention = read_csv(data)
        first = submission.rows[0] if submission.rows else None
        submission.declared = {name: getattr(first, name, None) for name in HEADER_BLOCK_FIELDS}
    else:
        submission.rows, submission.missing_fields, submission.declared = read_xlsx(data)
        submission.number_convention = VIETNAMESE
        stamp = read_stamp(data)
        submission.template_stamp = f"{stamp['version']}:{stamp['checksum']}" if stamp else None
    # A header field present but left blank is as missing as an absent one.
    for name in HEADER_BLOCK_FIELDS:
        label = vietnamese_label(name)
        if clean(submission.declared.get(name)) is None and label not in submission.missing_fields:
            submission.missing_fields.append(label)
