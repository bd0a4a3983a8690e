"""The HTML monitoring report (`chiso report`, refreshed by the monitoring DAG).

Kept import-free: the build (DuckDB, Jinja2) lives in chiso.report.build.
"""

REPORT_NAME = "report.html"  # under CHISO_REPORTS; the province's digest attaches it
OFFICIAL_REPORT_NAME = "report-official.html"  # `chiso report --official`, beside it: never the refreshed one
