"""Monitoring outputs refreshed after each load (by the monitoring DAG): every output of
`chiso.outputs` declared `after_publish`, written from the analysts' snapshot into CHISO_REPORTS;
the report is also kept beside its publication (chiso.publications)."""

from __future__ import annotations

from pathlib import Path

from chiso.outputs import refreshed
from chiso.publications import write_and_keep
from chiso.report import REPORT_NAME
from core.settings import Settings


def refresh_outputs(settings: Settings) -> dict:
    """Write each refreshed output from the analysts' snapshot to `reports/`; every file written, by name."""
    written: dict[str, str] = {}

    def write_all() -> Path:
        for output in refreshed():
            written.update(
                {name: str(path) for name, path in output.write(settings.snapshot, settings.reports).items()}
            )
        return settings.reports / REPORT_NAME

    _, kept = write_and_keep(settings, write_all)
    if kept is not None:
        written["kept_report"] = str(kept)
    return written
