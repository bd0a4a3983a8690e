"""What a stored file cannot tell of itself: its receipt beside it, and its sender beside it in the inbox.

A file moved to the archive or the quarantine keeps only its bytes; its submission row holds what was
learnt on its way (its id, receipt time, the clerk's file name, where it lay, the run and the day it
was judged as of, who brought it). The **receipt** (`<stored name>.receipt.json`, written whole before
the file is moved, by the same crash recovery that moves it: chiso.pipeline.recover_moves) keeps that
beside the bytes, so that `chiso rebuild` can make the warehouse again from the files alone. It is
never read for anything else: the warehouse stays the record.

The portal knows who sent a file; the loader learns it from the **sender** record the portal writes
in the inbox's hidden `.senders/` folder (`<inbox name>.json`) *before* the file appears, so no ingest
can see the file without it. Only the portal writes into the inbox (a unit cannot but through it);
the record is still read defensively: bounded in size, a JSON object of short texts and numbers, and
trusted only for the file whose SHA-256 it names.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

RECEIPT_SUFFIX = ".receipt.json"
RECEIPT_VERSION = 1
SENDERS = ".senders"
MAX_SENDER_BYTES = 16 * 1024  # a send's record is ~300 bytes
MAX_RECEIPT_BYTES = 64 * 1024
_MAX_TEXT = 320  # an e-mail address's longest
_SENDER_FIELDS = ("sent_by", "send_id", "unit_code", "client_file_name", "sha256", "size_bytes", "sent_at")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Receipt:
    """One stored file's receipt: what its submission row holds that its bytes do not."""

    submission_id: int
    file_name: str  # the name the file had in the inbox (the stored name is made safe and numbered)
    source_path: str | None
    sha256: str  # to tell a stored file that changed since
    received_at: datetime
    ingested_at: datetime
    run_id: str
    judged_as_of: date | None
    judged_after_action: int | None  # the last approval action in the log when it was judged
    sent_by: str | None = None
    sent: dict[str, object] = field(default_factory=dict)  # the portal's send: id, clerk's name, sent at…

    def to_json(self) -> str:
        record: dict[str, object] = {"version": RECEIPT_VERSION, **asdict(self)}
        for key in ("received_at", "ingested_at", "judged_as_of"):
            value = getattr(self, key)
            record[key] = value.isoformat() if value is not None else None
        return json.dumps(record, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Receipt:
        record = json.loads(text)
        if not isinstance(record, dict) or record.get("version") != RECEIPT_VERSION:
            raise ValueError("not a chiso receipt (version 1)")
        as_of = record["judged_as_of"]
        return cls(
            submission_id=int(record["submission_id"]),
            file_name=str(record["file_name"]),
            source_path=record["source_path"],
            sha256=str(record["sha256"]),
            received_at=datetime.fromisoformat(record["received_at"]),
            ingested_at=datetime.fromisoformat(record["ingested_at"]),
            run_id=str(record["run_id"]),
            judged_as_of=date.fromisoformat(as_of) if as_of else None,
            judged_after_action=record.get("judged_after_action"),
            sent_by=record.get("sent_by"),
            sent=dict(record.get("sent") or {}),
        )


def receipt_path(stored: Path) -> Path:
    return stored.with_name(stored.name + RECEIPT_SUFFIX)


def write_receipt(stored: Path, receipt: Receipt) -> Path:
    """Write the receipt beside where the file is (or will be) stored, whole or not at all."""
    return _write_whole(receipt_path(stored), receipt.to_json())


def read_receipt(path: Path) -> Receipt:
    """A receipt file (ValueError when it is not one, or too large to be one)."""
    if path.stat().st_size > MAX_RECEIPT_BYTES:
        raise ValueError(f"{path}: larger than a receipt can be")
    try:
        return Receipt.from_json(path.read_text(encoding="utf-8"))
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: not a readable receipt ({error})") from error


def sender_path(inbox_file: Path) -> Path:
    return inbox_file.parent / SENDERS / (inbox_file.name + ".json")


def write_sender(inbox_file: Path, sent: dict[str, object]) -> Path:
    """The portal's record of who sent `inbox_file` (written before the file lands in the inbox)."""
    unknown = set(sent) - set(_SENDER_FIELDS)
    if unknown:
        raise ValueError(f"not fields of a send: {sorted(unknown)}")
    return _write_whole(sender_path(inbox_file), json.dumps(sent, ensure_ascii=False) + "\n")


def read_sender(inbox_file: Path, sha256: str) -> dict[str, object]:
    """The send record of `inbox_file` when there is a sound one for these very bytes; {} otherwise."""
    path = sender_path(inbox_file)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_SENDER_BYTES + 1)
    except OSError:  # none (a file copied in), or not a file
        return {}
    if len(data) > MAX_SENDER_BYTES:
        return {}
    try:
        record = json.loads(data.decode("utf-8"))
    except ValueError:
        return {}
    if not isinstance(record, dict) or record.get("sha256") != sha256 or not _SHA256.fullmatch(sha256):
        return {}
    sent = {key: record[key] for key in _SENDER_FIELDS if _sound(record.get(key))}
    return sent if isinstance(sent.get("sent_by"), str) else {}


def forget_sender(inbox_file: Path) -> None:
    """Drop the send record of a file that left the inbox (its receipt holds the send now)."""
    sender_path(inbox_file).unlink(missing_ok=True)


def _sound(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 <= value < 2**53
    return isinstance(value, str) and 0 < len(value) <= _MAX_TEXT and value.isprintable()


def _write_whole(target: Path, text: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target)
    return target
