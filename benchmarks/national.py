"""The analysts' queries at national scale, on a warehouse generated with DuckDB SQL.

    python benchmarks/national.py OUT.json WAREHOUSE CATALOG_DIR [--units N] [--runs R]

The warehouse is the real one (warehouse.db.connect: migrations and views; the bench catalog
loaded with warehouse.db.load_catalog), filled directly with SQL (generate_series, hash):
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

BUILD_SQL = """
create temp table bench_units as select unnest(getvariable('units')) as unit_code;

create temp table plan_years as select unnest(range(getvariable('first_year'), getvariable('last_year') + 1)) as year;

-- One slot per unit x period: DP-HUYEN each quarter, CNTT-NAM each year.
create temp table slots as
select
    row_number() over (order by unit_code, year, quarter) as slot,
    unit_code, dataset_code, year, quarter,
    case when quarter is null then year::varchar else year || 'Q' || quarter end as period,
    case when quarter is null then make_date(year, 12, 31) else last_day(make_date(year, 3 * quarter, 1)) end as period_end
from (
    select unit_code, 'DP-HUYEN' as dataset_code, year, quarter
    from bench_units, plan_years, (select unnest(range(1, 5)) as quarter)
    union all
    select unit_code, 'CNTT-NAM', year, null from bench_units, plan_years
);

-- Versions of each slot: sometimes a rejected file first, always an accepted one, 5 % sent again.
create temp table versions as
select slot, 0 as version, 'rejected' as status from slots where hash(slot, 'rejected') % 100 < 2
union all
select slot, 1, case when hash(slot, 'again') % 100 < 5 then 'superseded' else 'accepted' end from slots
union all
select slot, 2, 'accepted' from slots where hash(slot, 'again') % 100 < 5;

insert into submissions
select
    row_number() over (order by slots.slot, versions.version) as submission_id,
    slots.dataset_code || '_' || slots.unit_code || '_' || slots.period || '_v' || versions.version || '.csv',
    null, null, true,
    sha256(cast(slots.slot as varchar) || '/' || versions.version),
    900 + hash(slots.slot) % 300,
    'csv',
    slots.period_end + to_days(cast(1 + hash(slots.slot, 'day') % 20 + 15 * versions.version as integer))
        + to_hours(cast(8 + hash(slots.slot, 'hour') % 9 as integer)),
    slots.period_end + to_days(cast(2 + hash(slots.slot, 'day') % 20 + 15 * versions.version as integer)),
    'bench',
    slots.dataset_code, slots.unit_code, slots.period,
    versions.status,
    case when versions.status = 'rejected' then '[{"rule": "6", "check": "negative_value", "severity": "critical", "rows": [4], "values": ["-1"], "vi": "Giá trị âm.", "en": "Negative value."}]' else '[]' end,
    '[]',
    case when slots.dataset_code = 'DP-HUYEN' then 15 else 8 end,
    null, null, null
from slots inner join versions using (slot);

-- Supersession as warehouse/sql/supersede.sql settles it: each version superseded by the next accepted one.
update submissions
set superseded_by = newer.submission_id, superseded_at = newer.received_at
from submissions as newer
where submissions.status = 'superseded' and newer.status = 'accepted'
    and newer.dataset_code = submissions.dataset_code and newer.unit_code = submissions.unit_code
    and newer.period = submissions.period;

create temp table form_items as
select dataset_code, indicator_code, '' as disaggregation, row_number() over (partition by dataset_code order by indicator_code) as item
from dataset_indicators where dataset_code = 'DP-HUYEN'
union all
select 'CNTT-NAM', indicator_code, disaggregation_code, row_number() over (order by indicator_code, disaggregation_code)
from disaggregations;

insert into indicator_facts
select
    submissions.submission_id,
    form_items.item + 1,
    submissions.dataset_code, submissions.unit_code, submissions.period,
    form_items.indicator_code, form_items.disaggregation,
    case indicators.value_type
        when 'percent' then (hash(submissions.submission_id, form_items.item) % 1001) / 10.0
        when 'amount' then (hash(submissions.submission_id, form_items.item) % 500000) / 100.0
        else hash(submissions.unit_code, form_items.indicator_code, form_items.disaggregation) % 50
            + hash(submissions.submission_id, form_items.item) % 10
    end,
    null
from submissions
inner join form_items using (dataset_code)
inner join indicators using (indicator_code)
where submissions.status in ('accepted', 'superseded');
"""

QUERIES = {
    "completeness_quarter": "select * from completeness where period = ?",
    "rollup_province_year": "select * from indicator_rollup where period = ? and scope = 'province'",
    # the same computed per query: what indicator_rollup was before the loader stored it
    "rollup_province_year_live": "select * from indicator_rollup_live where period = ? and scope = 'province'",
    "target_progress": "select * from target_progress",
    "unit_history": "select * from indicator_history where unit_code = ?",
}


def build(path: Path, catalog_dir: Path, units: list[str]) -> dict:
    from core.catalog import Catalog
    from warehouse.db import connect, load_catalog
    from warehouse.load import refresh_rollup

    catalog = Catalog(catalog_dir)
    started = time.perf_counter()
    connection = connect(path)
    load_catalog(connection, catalog_dir)
    connection.execute("set variable units = ?::varchar[]", [units])
    connection.execute(f"set variable first_year = {catalog.first_year}")
    connection.execute(f"set variable last_year = {catalog.last_year}")
    connection.execute(BUILD_SQL)
    refresh_started = time.perf_counter()
    refresh_rollup(connection)  # what the loader does at the end of every run
    rollup_refresh_s = time.perf_counter() - refresh_started
    connection.execute("checkpoint")
    counts = {
        "submissions": connection.execute("select count(*) from submissions").fetchone()[0],
        "facts": connection.execute("select count(*) from indicator_facts").fetchone()[0],
        "current_values": connection.execute("select count(*) from indicator_values").fetchone()[0],
        "superseded_submissions": connection.execute(
            "select count(*) from submissions where status = 'superseded'"
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
    if name.startswith("rollup_province_year"):
        return [str(years[run % len(years)])]
    if name == "unit_history":
        return [units[(run * 997) % len(units)]]
    return []


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def time_queries(path: Path, units: list[str], first_year: int, last_year: int, runs: int,
                 queries: dict[str, str] = QUERIES) -> dict:  # fmt: skip
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
