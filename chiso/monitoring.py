"""Monitoring outputs refreshed after each load (by the monitoring DAG, or `chiso report`)."""

from __future__ import annotations

from chiso.export import export_view
from chiso.report import REPORT_NAME
from chiso.report.build import build_report
from core.settings import Settings

OUTPUT_VIEWS = ("completeness", "reporting_rates")


def refresh_outputs(settings: Settings) -> dict:
    """Write each monitoring view from the analysts' snapshot to `reports/<view>.csv`, and the HTML report."""
    written = {
        view: str(export_view(settings.snapshot, view, "csv", settings.reports / f"{view}.csv")[0])
        for view in OUTPUT_VIEWS
    }
    written["report"] = str(build_report(settings.snapshot, settings.reports / REPORT_NAME))
    return written
