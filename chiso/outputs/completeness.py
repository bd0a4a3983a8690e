"""The completeness CSVs refreshed after each publish: what the province checks first."""

from __future__ import annotations

from pathlib import Path

from chiso.export import export_view

VIEWS = ("completeness", "reporting_rates")


def write(snapshot: Path, folder: Path) -> dict[str, Path]:
    """Each view as `<view>.csv` (UTF-8 with a BOM, formula-like text neutralised) in `folder`."""
    return {view: export_view(snapshot, view, "csv", folder / f"{view}.csv")[0] for view in VIEWS}
