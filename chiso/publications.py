"""Publications for the analysts: a past publication's report written again, each publication's
report kept beside it, the list of them (warehouse.publications records and rebuilds them).

A past report is the normal report (chiso.report.build) run on the warehouse as it was at that
publication, rebuilt into a temporary file: the same figures, rejections, warnings and approval
marks; only the generation stamp differs. The catalog is today's (the warehouse keeps no catalog
history): a unit, indicator or target changed since shows as it is now (docs/analyst-guide.md).

The reports written for the current publication (`chiso report`, the monitoring DAG) are kept as
`CHISO_HOME/publications/<N>/<report name>`, the first one written for each publication only.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from chiso.report.build import LINEAGE_SUFFIX, build_report, lineage_path
from core.settings import Settings
from warehouse.db import connect_read_only
from warehouse.publications import Publication, find, publications, rebuild_past

KEPT = "publications"  # under CHISO_HOME


@dataclass(frozen=True)
class KeptReport:
    publication: Publication
    files: list[Path]  # the reports kept for it (report.html, report-official.html), may be none


def kept_folder(settings: Settings) -> Path:
    return settings.home / KEPT


def publication_of(snapshot: Path, number: int | None = None, as_of: datetime | None = None) -> Publication:
    """Publication `number` of `snapshot`, or the one in force at `as_of`, or the latest (NoSuchPublication)."""
    with connect_read_only(snapshot) as connection:
        return find(connection, number, as_of)


def past_report(
    snapshot: Path,
    output: Path,
    *,
    number: int | None = None,
    as_of: datetime | None = None,
    official: bool = False,
    geography: str = "as_reported",
) -> tuple[Publication, Path]:
    """Write the report of publication `number` (or of the one in force at `as_of`, province time)
    to `output`, from `snapshot`; the publication and the file written."""
    publication = publication_of(snapshot, number, as_of)
    with tempfile.TemporaryDirectory(prefix="chiso-publication-") as work:
        # Named as the snapshot: the report shows the warehouse's file name.
        past = rebuild_past(snapshot, Path(work) / snapshot.name, publication)
        return publication, build_report(past, output, official=official, geography=geography)


def current_number(snapshot: Path) -> int | None:
    """The publication the snapshot holds (its latest), None before the first or before migration 011."""
    try:
        with connect_read_only(snapshot) as connection:
            held = publications(connection)
    except FileNotFoundError:
        return None
    return held[0].number if held else None


def keep(settings: Settings, report: Path, number: int | None, name: str | None = None) -> Path | None:
    """Keep `report`, written from publication `number` (current_number, asked before the report was
    built and again after: None if the snapshot changed meanwhile), as `name` (default its own: an
    `--output` elsewhere is kept under the report's usual name), unless one is kept already."""
    if number is None:
        return None
    kept = kept_folder(settings) / str(number) / (name or report.name)
    if kept.exists():
        return kept
    kept.parent.mkdir(parents=True, exist_ok=True)
    # The companion first (the report's figures link to it), so a kept report is never without it.
    companion = lineage_path(report)
    if companion.is_file():
        _copy_atomically(companion, lineage_path(kept))
    _copy_atomically(report, kept)
    return kept


def _copy_atomically(source: Path, target: Path) -> None:
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def write_and_keep(settings: Settings, build, name: str | None = None) -> tuple[Path, Path | None]:
    """Run `build()` (which writes a report from the current snapshot and returns its path) and keep
    the file (as `name`) for the snapshot's publication when the snapshot stayed the same publication
    throughout."""
    before = current_number(settings.snapshot)
    output = build()
    after = current_number(settings.snapshot)
    return output, keep(settings, output, before if before == after else None, name)


def kept_reports(settings: Settings, snapshot: Path) -> list[KeptReport]:
    """Every publication of `snapshot`, the newest first, with the reports kept for it."""
    try:
        with connect_read_only(snapshot) as connection:
            held = publications(connection)
    except FileNotFoundError:
        return []
    folder = kept_folder(settings)
    return [
        KeptReport(
            p,
            sorted(
                f
                for f in (folder / str(p.number)).glob("*.html")
                if not f.name.startswith(".") and not f.stem.endswith(LINEAGE_SUFFIX)
            ),
        )
        for p in held
    ]
