"""`chiso validate`: one file's verdict without loading anything."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from chiso.catalog import Catalog
from chiso.ingest import RunReport, Verdict, assess
from chiso.settings import Config

SUBMISSION_SUITE = Path(__file__).resolve().parent.parent / "expectations" / "suites" / "submission_checks.json"


def check_file(path: Path, config: Config, as_of: date | None, warehouse: Path | None) -> Verdict:
    """The verdict `chiso ingest` would give, compared with a warehouse's history when one exists."""
    import duckdb

    from warehouse.db import connect_read_only, migrate

    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    catalog = Catalog(config.catalog_dir)
    source = warehouse or config.snapshot
    connection = connect_read_only(source) if source.exists() else None
    try:
        quick = _unread_verdict(path, config, catalog, connection)
        if quick is not None:
            return quick
        if connection is None:
            connection = duckdb.connect(":memory:")
            migrate(connection)
        verdicts, _, _ = assess(connection, [path], catalog, as_of or catalog.today(), config.max_file_bytes, 1,
                                RunReport(run_id="validate"))  # fmt: skip
    finally:
        if connection is not None:
            connection.close()
    return verdicts[0]


def _unread_verdict(path: Path, config: Config, catalog: Catalog, connection) -> Verdict | None:
    """A file the readers refuse (a .pdf, an empty file) gets rule 1 and nothing else: its verdict needs
    neither pandas nor GX, which cost seconds to import. The reason is the submission suite's own
    rule-1 text, as `expectations.reasons` writes it. None for a readable file, or for one whose bytes
    the warehouse knows (a duplicate, as `warehouse.load.known_files` finds them)."""
    from transforms.read import read_submission

    submission = read_submission(path, config.max_file_bytes, catalog.timezone)
    if submission.read_error is None:
        return None
    if connection is not None and connection.execute(
        "select 1 from submissions where sha256 = ? and status <> 'rejected' limit 1", [submission.sha256]
    ).fetchall():
        return None
    suite = json.loads(SUBMISSION_SUITE.read_text(encoding="utf-8"))
    expectation = next(e for e in suite["expectations"] if e["meta"]["check"] == "unreadable")
    meta = expectation["meta"]
    fields = {"read_error_vi": submission.read_error.vi, "read_error_en": submission.read_error.en,
              "file_name": submission.file_name}  # fmt: skip
    texts = []
    for text, fix in ((meta["vi"], meta["fix_vi"]), (meta["en"], meta["fix_en"])):
        text = text.format_map(fields)
        text = text[0].upper() + text[1:]
        texts.append(f"{text if text.endswith('.') else text + '.'} {fix}".strip())
    reason = {"rule": meta["rule"], "check": meta["check"], "severity": expectation["severity"], "rows": [],
              "values": [submission.file_name], "vi": texts[0], "en": texts[1]}  # fmt: skip
    return Verdict(1, submission.file_name, path, "rejected", submission.received_at, None, None, None, [reason], [])
