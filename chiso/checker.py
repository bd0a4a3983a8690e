"""`chiso validate`: one file's verdict without loading anything."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from chiso.ingest import IngestRun, Verdict, judge
from core.catalog import Catalog
from core.settings import Settings
from warehouse.db import connect_read_only, migrate


def check_file(path: Path, settings: Settings, as_of: date | None, warehouse: Path | None) -> Verdict:
    """The verdict `chiso ingest` would give, compared with a warehouse's history when one exists."""
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    catalog = Catalog(settings.catalog_dir)
    source = warehouse or settings.snapshot
    if source.exists():
        connection = connect_read_only(source)
    else:
        connection = duckdb.connect(":memory:")
        migrate(connection)
    try:
        run = IngestRun(run_id="validate")
        judged = judge(connection, [path], catalog, as_of or catalog.today(), settings.max_file_bytes, 1, run)
    finally:
        connection.close()
    return judged.verdicts[0]
