"""Every setting of chiso, declared once as data.

Each setting is read from its environment variable; `docs/configuration.md`
documents each one (a test fails when one is missing there).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The Airflow Asset the ingest DAG updates and the monitoring DAG is scheduled on.
WAREHOUSE_ASSET = {"name": "chiso_warehouse", "uri": "chiso://warehouse/snapshot"}


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    help: str


SETTINGS: dict[str, Setting] = {
    "home": Setting(
        "CHISO_HOME",
        str(PROJECT_ROOT / "var"),
        "Root folder for the inbox, archive, quarantine and warehouse when they are not set one by one.",
    ),
    "inbox": Setting("CHISO_INBOX", "{home}/inbox", "Folder where reporting units' files arrive."),
    "archive": Setting("CHISO_ARCHIVE", "{home}/archive", "Where processed files that were not rejected are moved."),
    "quarantine": Setting(
        "CHISO_QUARANTINE", "{home}/quarantine", "Where rejected files are moved, each with its bilingual report beside it."
    ),
    "warehouse": Setting("CHISO_WAREHOUSE", "{home}/warehouse/chiso.duckdb", "The loader's DuckDB file (single writer)."),
    "snapshot": Setting(
        "CHISO_SNAPSHOT",
        "{home}/warehouse/snapshot/chiso.duckdb",
        "The read-only copy analysts query; replaced atomically after each load.",
    ),
    "catalog_dir": Setting(
        "CHISO_CATALOG_DIR", str(PROJECT_ROOT / "catalog"), "Folder of the catalog CSV files (units, data sets, indicators, targets)."
    ),
    "max_file_bytes": Setting("CHISO_MAX_FILE_BYTES", str(20 * 1024 * 1024), "Files larger than this are rejected unread."),
    "chunk_size": Setting("CHISO_CHUNK_SIZE", "2000", "Files per chunk: one validation run and one load transaction each."),
    "settle_seconds": Setting(
        "CHISO_SETTLE_SECONDS", "30", "Inbox files modified more recently than this are left for the next run (still arriving)."
    ),
    "schedule": Setting("CHISO_SCHEDULE", "*/15 * * * *", "Cron schedule of the chiso_ingest DAG."),
    "loader_queue": Setting(
        "CHISO_LOADER_QUEUE",
        "default",
        "Airflow queue of the tasks that write DuckDB (CeleryExecutor: the single-concurrency loader worker's queue).",
    ),
    "reports": Setting("CHISO_REPORTS", "{home}/reports", "Where the monitoring outputs (completeness, HTML report) are written."),
}


@dataclass(frozen=True)
class Config:
    home: Path
    inbox: Path
    archive: Path
    quarantine: Path
    warehouse: Path
    snapshot: Path
    catalog_dir: Path
    max_file_bytes: int
    chunk_size: int
    settle_seconds: int
    schedule: str
    loader_queue: str
    reports: Path


def load_config(**overrides: object) -> Config:
    """Settings from the environment, with `overrides` (e.g. CLI flags) on top."""
    raw = {name: os.environ.get(s.env) or s.default for name, s in SETTINGS.items()}
    raw.update({k: str(v) for k, v in overrides.items() if v is not None})
    home = raw["home"]
    values: dict[str, object] = {}
    for field in fields(Config):
        text = raw[field.name].replace("{home}", home)
        values[field.name] = int(text) if field.type == "int" else text if field.type == "str" else Path(text)
    return Config(**values)  # type: ignore[arg-type]
