"""`chiso validate`: one file's verdict without loading anything."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from chiso.catalog import Catalog
from chiso.ingest import RunReport, Verdict, assess
from chiso.settings import Config


def check_file(path: Path, config: Config, as_of: date | None, warehouse: Path | None) -> Verdict:
    """The verdict `chiso ingest` would give, compared with a warehouse's history when one exists."""
    import duckdb

    from warehouse.db import connect_read_only, migrate

    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    catalog = Catalog(config.catalog_dir)
    source = warehouse or config.snapshot
    if source.exists():
        connection = connect_read_only(source)
    else:
        connection = duckdb.connect(":memory:")
        migrate(connection)
    try:
        verdicts, _, _ = assess(connection, [path], catalog, as_of or catalog.today(), config.max_file_bytes, 1,
                                RunReport(run_id="validate"))  # fmt: skip
    finally:
        connection.close()
    return verdicts[0]
