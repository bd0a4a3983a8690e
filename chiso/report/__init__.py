"""The HTML monitoring report (`chiso report`, refreshed by the monitoring DAG).

Kept import-free: the build (DuckDB, Jinja2) lives in chiso.report.build.
"""

REPORT_NAME = "report.html"  # under CHISO_REPORTS; the province's digest attaches it
OFFICIAL_REPORT_NAME = "report-official.html"  # `chiso report --official`, beside it: never the refreshed one
# The geographies a report's figures can be drawn in (issue 22): as reported (today's roll-ups), or history
# re-expressed in today's units, or today's data in the units of the fixed past day (docs/analyst-guide.md).
GEOGRAPHIES = ("as_reported", "current", "past")


def report_name(official: bool = False, geography: str = "as_reported") -> str:
    """The report's file name under CHISO_REPORTS: report.html, report-official.html, report-current-geography.html…"""
    if geography != "as_reported":
        return f"report-{geography}-geography.html"
    return OFFICIAL_REPORT_NAME if official else REPORT_NAME
