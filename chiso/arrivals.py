"""When a file in the inbox has arrived completely: the one rule the ingest and the inbox watcher share.

A file copied into the inbox (a network share, `cp`) may still be growing: it counts once it
has not changed for CHISO_SETTLE_SECONDS. A file the portal sends is complete the moment it
appears (written beside, then renamed), and the portal *announces* it with a marker in the
inbox's hidden `.arrivals/` folder: it counts at once, so a clerk's send starts an ingest
within seconds. The marker goes when the file has been moved to the archive or quarantine.

The portal's approval actions arrive the same way: each is a request file written whole in the
inbox's hidden `.approvals/waiting/` folder (chiso.approval.requests), taken by the one writer.

Standard library only: the Airflow triggerer imports it (chiso.airflow_glue.triggers) and must stay light.
"""

from __future__ import annotations

import os
from pathlib import Path

MARKERS = ".arrivals"
WAITING_REQUESTS = Path(".approvals") / "waiting"


def announce(inbox: Path, name: str) -> None:
    """Say that `inbox/<name>` has arrived whole (its marker, written after the file itself)."""
    folder = inbox / MARKERS
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).touch()


def announced(inbox: Path | str) -> set[str]:
    """The names (relative to the inbox) announced as arrived."""
    try:
        return {entry.name for entry in os.scandir(Path(inbox) / MARKERS) if entry.is_file()}
    except FileNotFoundError:
        return set()


def has_arrived(relative_name: str, mtime: float, settled_before: float, marked: set[str]) -> bool:
    """Announced, or unchanged since `settled_before` (now minus CHISO_SETTLE_SECONDS)."""
    return relative_name in marked or mtime <= settled_before


def forget(inbox: Path, names: list[str]) -> None:
    """Drop the markers of files that left the inbox (moved to the archive or quarantine)."""
    for name in names:
        (inbox / MARKERS / name).unlink(missing_ok=True)


def waiting_requests(inbox: Path | str) -> list[Path]:
    """The approval requests waiting for the writer, oldest first (their names sort by time)."""
    folder = Path(inbox) / WAITING_REQUESTS
    try:
        return sorted(Path(entry.path) for entry in os.scandir(folder) if entry.name.endswith(".json"))
    except FileNotFoundError:
        return []
