"""The completeness CSVs refreshed after each publish: what the province checks first."""

from __future__ import annotations

from pathlib import Path

from chiso.export import export_view

# Each file's view: completeness.csv is every expected report with its completeness status and, beside
# it, its slot's approval state (the view completeness_approvals: completeness's columns, then the state's).
FILES = {"completeness": "completeness_approvals", "reporting_rates": "reporting_rates"}


def write(snapshot: Path, folder: Path) -> dict[str, Path]:
    """Each file as `<name>.csv` (UTF-8 with a BOM, formula-like text neutralised) in `folder`."""
    return {name: export_view(snapshot, view, "csv", folder / f"{name}.csv")[0] for name, view in FILES.items()}
