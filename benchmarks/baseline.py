"""The DuckDB-only baseline: what the same job costs with nothing but DuckDB.

    python benchmarks/baseline.py FOLDER WAREHOUSE CATALOG_DIR AS_OF OUT.json [sniff|fixed]

One `read_csv` over the folder's `*.csv` (filename=true, union_by_name, all_varchar), the
template's English/Vietnamese headers mapped to the field names, the spec's rules as plain
SQL (baseline_checks.sql), the accepted rows loaded into a table of a DuckDB file, in one
transaction. Times each step; writes verdicts and timings to OUT.json.

`sniff` (the default) lets read_csv detect each file's dialect, as an inbox that mixes comma,
semicolon and tab files needs; `fixed` gives it (delim=',', quote='"'), which only this
corpus allows: the cheapest read DuckDB can do.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import unicodedata
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

STARTED = time.perf_counter()
HERE = Path(__file__).resolve().parent
CATALOG_TABLES = ("units", "datasets", "indicators", "dataset_indicators", "disaggregations", "plan")
# The template's columns, by English or Vietnamese header (spec: "File formats").
FIELDS = {
    "dataset": ("dataset", "Biểu mẫu"),
    "unit_code": ("unit_code", "Mã đơn vị"),
    "period": ("period", "Kỳ báo cáo"),
    "indicator_code": ("indicator_code", "Mã chỉ tiêu"),
    "disaggregation": ("disaggregation", "Phân tổ"),
    "value": ("value", "Giá trị"),
    "note": ("note", "Ghi chú"),
}


def fold(text: str) -> str:
    """Header key: trimmed, NFC, case- and diacritic-insensitive (as the spec matches headers)."""
    text = unicodedata.normalize("NFD", text.replace("\ufeff", "").replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).strip().rstrip(":").strip().casefold()


FIELD_BY_KEY = {fold(label): name for name, labels in FIELDS.items() for label in labels}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def run(folder: Path, warehouse: Path, catalog_dir: Path, as_of: date, dialect: str = "sniff") -> dict:
    import duckdb

    seconds: dict[str, float] = {}

    def lap(stage: str, started: float) -> float:
        now = time.perf_counter()
        seconds[stage] = seconds.get(stage, 0.0) + now - started
        return now

    started = time.perf_counter()
    connection = duckdb.connect(str(warehouse))
    connection.execute("set enable_progress_bar = false")
    connection.execute(f"set variable as_of = date '{as_of.isoformat()}'")
    connection.execute(
        "create table if not exists baseline_submissions (filename varchar primary key, file_name varchar, "
        "received_at timestamp, dataset_code varchar, unit_code varchar, period varchar, status varchar, "
        "reasons json, warnings json, value_rows integer)"
    )
    connection.execute(
        "create table if not exists baseline_facts (filename varchar, source_row integer, dataset_code varchar, "
        "unit_code varchar, period varchar, indicator_code varchar, disaggregation varchar, value double, "
        "note varchar, primary key (filename, indicator_code, disaggregation))"
    )
    for table in CATALOG_TABLES:
        path = (catalog_dir / f"{table}.csv").as_posix()
        connection.execute(f"create or replace temp table {table} as select * from read_csv('{path}')")
    started = lap("connect_catalog", started)

    # The batch: every file (a file without rows still gets a verdict), then all rows in one read.
    files = sorted(folder.glob("*.csv"))
    names = [p.as_posix() for p in files]
    # Receipt time: the file's modification time, in the province's time zone (as chiso reads it).
    zone = ZoneInfo(connection.execute("select timezone from plan").fetchone()[0])
    received = [datetime.fromtimestamp(p.stat().st_mtime, tz=zone).replace(tzinfo=None) for p in files]
    connection.execute(
        "create or replace temp table batch_files as select unnest(?::varchar[]) as filename, "
        "unnest(?::varchar[]) as file_name, unnest(?::timestamp[]) as received_at",
        [names, [p.name for p in files], received],
    )
    glob = (folder / "*.csv").as_posix()
    given = ", delim = ',', quote = '\"', escape = '\"'" if dialect == "fixed" else ""
    connection.execute(
        "create or replace temp table raw_csv as select row_number() over () as rid, * from "
        f"read_csv('{glob}', filename = true, union_by_name = true, all_varchar = true, header = true{given})"
    )
    columns = [row[0] for row in connection.execute("describe raw_csv").fetchall()]
    picks = {name: [] for name in FIELDS}
    for column in columns:
        name = FIELD_BY_KEY.get(fold(column))
        if name:
            picks[name].append(quote(column))
    select = ", ".join(
        (f"coalesce({', '.join(found)})" if len(found) > 1 else found[0] if found else "null::varchar") + f" as {name}"
        for name, found in picks.items()
    )
    connection.execute(f"create or replace temp view raw_rows as select filename, rid, {select} from raw_csv")
    started = lap("read", started)

    script = (HERE / "baseline_checks.sql").read_text(encoding="utf-8")
    checks, load = script.split("begin transaction;")
    connection.execute(checks)
    started = lap("validate", started)
    connection.execute("begin transaction;" + load)
    connection.execute("checkpoint")
    started = lap("load", started)

    verdicts = dict(connection.execute("select file_name, status from verdicts").fetchall())
    rules = connection.execute(
        "select check_name, count(distinct filename) from findings where severity = 'critical' group by 1 order by 1"
    ).fetchall()
    rows = connection.execute("select count(*) from baseline_facts").fetchone()[0]
    connection.close()
    return {
        "files": len(files),
        "rows_loaded": rows,
        "counts": {s: sum(1 for v in verdicts.values() if v == s) for s in ("accepted", "rejected")},
        "stages": seconds,
        "rejections_by_check": dict(rules),
        "verdicts": verdicts,
    }


def main() -> int:
    folder, warehouse, catalog_dir, as_of, out = sys.argv[1:6]
    dialect = sys.argv[6] if len(sys.argv) > 6 else "sniff"
    result = run(Path(folder), Path(warehouse), Path(catalog_dir), date.fromisoformat(as_of), dialect)
    result["dialect"] = dialect
    result["process_seconds"] = time.perf_counter() - STARTED
    result["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
