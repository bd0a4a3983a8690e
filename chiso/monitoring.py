"""Monitoring outputs refreshed after each load (by the monitoring DAG): every output of
`chiso.outputs` declared `after_publish`, written from the analysts' snapshot into CHISO_REPORTS."""

from __future__ import annotations

from chiso.outputs import refreshed
from core.settings import Settings


def refresh_outputs(settings: Settings) -> dict:
    """Write each refreshed output from the analysts' snapshot to `reports/`; every file written, by name."""
    written: dict[str, str] = {}
    for output in refreshed():
        written |= {name: str(path) for name, path in output.write(settings.snapshot, settings.reports).items()}
    return written
