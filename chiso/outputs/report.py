"""The HTML monitoring report (chiso/report/), refreshed after each publish."""

from __future__ import annotations

from pathlib import Path

from chiso.report import REPORT_NAME
from chiso.report.build import build_report


def write(snapshot: Path, folder: Path) -> dict[str, Path]:
    return {"report": build_report(snapshot, folder / REPORT_NAME)}
