"""The analysts' queries at national scale, on a warehouse generated with DuckDB SQL.

    python benchmarks/national.py OUT.json WAREHOUSE CATALOG_DIR [--units N] [--runs R]

The warehouse is the real one (warehouse.db.connect: migrations and views; the bench catalog
loaded with warehouse.dimensions.load_catalog), filled directly with SQL (generate_series, hash):
every bench unit x 10 years x 4 quarters sends a DP-HUYEN report of 15 values (2.4 M current
values for 4,000 units), plus a CNTT-NAM survey a year (8 values); 5 % of reports were sent
again later (the first one superseded, its values kept in history) and 2 % of slots also got
a rejected file first. Then each analyst query runs R times (parameters varied) on a
read-only connection, as on the published snapshot: p50 and p95 in milliseconds.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_MS = 200.0

BUILD_SQL = (Path(__file__).with_name("national_build.sql")).read_text(encoding="utf-8")

QUERIES = {
    "completeness_quarter": "select * from completeness where period = ?",
    "rollup_province_year": "select * from indicator_rollup where period = ? and scope = 'province'",
    # the same computed per query: what indicator_rollup was before the loader stored it
    "rollup_province_year_live": "select * from indicator_rollup_live where period = ? and scope = 'province'",
    "target_progress": "select * from target_progress",
    "unit_history": "select * from indicator_history where unit_code = ?",
    # where a province figure comes from: a derived one, so every unit's numerator and denominator rows
    "figure_lineage": "select * from figure_lineage where indicator_code = 'NV_TYLE_TRIENKHAI'"
    " and period = ? and scope = 'province'",
}


def build(path: Path, catalog_dir: Path, units: list[str]) -> dict:
    from core.catalog import Catalog
    from warehouse.db import connect
    from warehouse.dimensions import load_catalog
    from warehouse.load import refresh_rollup

    catalog = Catalog(catalog_dir)
    started = time.perf_counter()
    connection = connect(path)
    load_catalog(connection, catalog)
    connection.execute("set variable units = ?::varchar[]", [units])
    connection.execute(f"set variable first_year = {catalog.first_year}")
    connection.execute(f"set variable last_year = {catalog.last_year}")
    connection.execute(BUILD_SQL)
    refresh_started = time.perf_counter()
    refresh_rollup(connection)  # what the loader does at the end of every run
    rollup_refresh_s = time.perf_counter() - refresh_started
    connection.execute("checkpoint")
    counts = {
        "submissions": connection.execute("select count(*) from submission_records").fetchone()[0],
        "facts": connection.execute("select count(*) from indicator_facts").fetchone()[0],
        "current_values": connection.execute("select count(*) from indicator_values").fetchone()[0],
        "superseded_submissions": connection.execute(
            "select count(*) from submission_records where status = 'superseded'"
        ).fetchone()[0],
    }
    connection.close()
    counts["build_seconds"] = time.perf_counter() - started
    counts["rollup_refresh_s"] = rollup_refresh_s
    counts["file_mib"] = path.stat().st_size / 2**20
    return counts


def parameters(name: str, run: int, units: list[str], first_year: int, last_year: int) -> list:
    years = list(range(first_year, last_year + 1))
    if name == "completeness_quarter":
        return [f"{years[run % len(years)]}Q{run % 4 + 1}"]
    if name.startswith("rollup_province_year") or name == "figure_lineage":
        return [str(years[run % len(years)])]
    if name == "unit_history":
        return [units[(run * 997) % len(units)]]
    return []


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def time_queries(
    path: Path, units: list[str], first_year: int, last_year: int, runs: int, queries: dict[str, str] = QUERIES
) -> dict:
    import duckdb

    results = {}
    with duckdb.connect(str(path), read_only=True) as connection:
        for name, sql in queries.items():
            connection.execute(sql, parameters(name, 0, units, first_year, last_year)).fetchall()  # warm-up
            samples, rows = [], 0
            for run in range(runs):
                started = time.perf_counter()
                rows = len(connection.execute(sql, parameters(name, run, units, first_year, last_year)).fetchall())
                samples.append((time.perf_counter() - started) * 1000)
            results[name] = {
                "p50_ms": statistics.median(samples),
                "p95_ms": percentile(samples, 0.95),
                "max_ms": max(samples),
                "runs": runs,
                "rows": rows,
                "target_p95_ms": TARGET_MS,
                "met": percentile(samples, 0.95) < TARGET_MS,
            }
    return results


def main() -> int:
    args = sys.argv[1:]
    out, path, catalog_dir = Path(args[0]), Path(args[1]), Path(args[2])
    n_units = int(args[args.index("--units") + 1]) if "--units" in args else None
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 20
    from corpus import unit_codes

    from core.catalog import Catalog

    units = unit_codes(n_units) if n_units else unit_codes()
    catalog = Catalog(catalog_dir)
    if path.exists():
        path.unlink()
    result = {"warehouse": build(path, catalog_dir, units), "units": len(units)}
    result["years"] = catalog.last_year - catalog.first_year + 1
    result["queries"] = time_queries(path, units, catalog.first_year, catalog.last_year, runs)
    result["process_seconds"] = time.perf_counter() - STARTED
    result["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
