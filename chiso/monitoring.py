"""Monitoring outputs refreshed after each load (by the monitoring DAG, or `chiso report`)."""

from __future__ import annotations

from chiso.settings import Config

OUTPUT_VIEWS = ("completeness", "reporting_rates")
REPORT_NAME = "report.html"


def refresh_outputs(config: Config) -> dict:
    """Write each monitoring view from the analysts' snapshot to `reports/<view>.csv`, and the HTML report."""
    from chiso.report.build import build_report
    from warehouse.db import connect_read_only

    config.reports.mkdir(parents=True, exist_ok=True)
    written = {}
    with connect_read_only(config.snapshot) as connection:
        for view in OUTPUT_VIEWS:
            target = config.reports / f"{view}.csv"
            partial = target.with_name(target.name + ".partial")
            connection.sql(f"select * from {view}").write_csv(str(partial))
            partial.replace(target)
            written[view] = str(target)
    written["report"] = str(build_report(config.snapshot, config.reports / REPORT_NAME))
    return written
