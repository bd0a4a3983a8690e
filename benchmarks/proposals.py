"""Before/after measurements of the fixes proposed in docs/benchmarks.md (not part of `make bench`).

    .venv/bin/python benchmarks/proposals.py            (about 4 minutes)

Nothing in the project is edited: each fix is applied as a monkeypatch inside the measured
process (`python benchmarks/proposals.py --patched FIXES PROBE ARGS...` re-enters this file),
the same probes as `make bench` measure it, and the output is compared with the unpatched run.

Fixes (each a proposal for its owner, see docs/benchmarks.md):
  reasons  expectations.reasons.build_reasons: one DataFrame.to_dict per finding instead of one
           per (finding, submission) group;
  catalog  warehouse.db.load_catalog: insert each table from one DataFrame instead of
           executemany, row by row (4,000 units: seconds per call, paid by every DAG chunk);
  chunk    CHISO_CHUNK_SIZE=4000 instead of 500: each GX suite run costs ~0.2 s whatever its size;
  heads    chiso.ingest._validate: one to_dict("index") of the submissions frame instead of a
           .loc and two Series selections per file (micro-benchmark only: the loop is not patchable).
"""

from __future__ import annotations

import csv
import json
import os
import runpy
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))


def build_reasons_one_to_dict_per_finding(findings, frames):
    """expectations.reasons.build_reasons with the records taken once per finding."""
    from expectations import reasons as R

    values = frames["value_checks"]
    found: dict[int, list[dict]] = defaultdict(list)
    for finding in findings:
        by_submission: dict[int, list[dict]] = defaultdict(list)
        for record in frames[finding.suite].iloc[list(finding.row_keys)].to_dict("records"):
            by_submission[int(record["submission_id"])].append(record)
        for submission_id in sorted(by_submission):
            items_vi, items_en, rows, offending = [], [], [], []
            for record in by_submission[submission_id]:
                fields = defaultdict(str, {k: R._text(v) for k, v in record.items()})
                fields["breakdown"] = f" ({fields['disaggregation']})" if fields["disaggregation"] else ""
                items_vi.append(finding.meta["vi"].format_map(fields))
                items_en.append(finding.meta["en"].format_map(fields))
                rows += R._source_rows(finding, record, values)
                offending.append(fields[finding.meta["value_column"]])
            found[submission_id].append(
                {"rule": finding.meta["rule"], "check": finding.meta["check"], "severity": finding.severity,
                 "rows": sorted(set(rows)), "values": offending,
                 "vi": R._join(items_vi, "dòng khác", finding.meta["fix_vi"]),
                 "en": R._join(items_en, "more rows", finding.meta["fix_en"])}  # fmt: skip
            )
    for reasons in found.values():
        reasons.sort(key=lambda r: (not r["rule"].isdigit(), int(r["rule"]) if r["rule"].isdigit() else 0, r["rows"][:1]))
    return found


def load_catalog_from_frames(connection, catalog_dir):
    """warehouse.db.load_catalog inserting each table from one DataFrame."""
    import pandas as pd

    from warehouse.db import CATALOG_TABLES

    connection.begin()
    for table in CATALOG_TABLES:
        with (Path(catalog_dir) / f"{table}.csv").open(encoding="utf-8", newline="") as stream:
            reader = csv.reader(stream)
            header = next(reader)
            keep_empty = [name == "disaggregation" for name in header]
            rows = [[cell if cell != "" or keep else None for cell, keep in zip(row, keep_empty)] for row in reader]
        connection.execute(f"delete from {table}")
        if rows:
            connection.register("catalog_rows", pd.DataFrame(rows, columns=header, dtype=object))
            connection.execute(f"insert into {table} ({', '.join(header)}) select * from catalog_rows")
            connection.unregister("catalog_rows")
    connection.commit()


def patched_main(fixes: list[str], probe: str, args: list[str]) -> None:
    """Apply the fixes in this process, then run the probe as __main__."""
    if "reasons" in fixes:
        import expectations.batch

        expectations.batch.build_reasons = build_reasons_one_to_dict_per_finding
    if "catalog" in fixes:
        import warehouse.db

        warehouse.db.load_catalog = load_catalog_from_frames
    sys.argv = [probe, *args]
    runpy.run_path(probe, run_name="__main__")


def heads_micro(files: list[Path], catalog_dir: Path) -> dict:
    """The per-file look-ups of chiso.ingest._validate, as written and as proposed, on 500 files."""
    from chiso.catalog import Catalog
    from transforms.canonical import canonical_submissions
    from transforms.read import read_submission

    catalog = Catalog(catalog_dir)
    raw = [read_submission(p, 20 << 20, catalog.timezone) for p in files[:500]]
    for number, submission in enumerate(raw, 1):
        submission.submission_id = number
    head_a = ["file_name", "sha256", "size_bytes", "file_format", "received_at"]
    head_b = ["dataset_code", "unit_code", "period"]

    def as_written():
        everything = canonical_submissions(raw).set_index("submission_id")
        out = []
        for s in raw:
            head = everything.loc[s.submission_id]
            out.append({**head[head_a].to_dict(), **head[head_b].to_dict()})
        return out

    def proposed():
        heads = canonical_submissions(raw).set_index("submission_id").to_dict("index")
        return [{k: heads[s.submission_id][k] for k in head_a + head_b} for s in raw]

    timings = {}
    for fn in (as_written, proposed, as_written, proposed):
        started = time.perf_counter()
        fn()
        timings[fn.__name__] = min(timings.get(fn.__name__, 1e9), time.perf_counter() - started)
    return {"files": len(raw), "as_written_ms_per_file": 1000 * timings["as_written"] / len(raw),
            "proposed_ms_per_file": 1000 * timings["proposed"] / len(raw)}  # fmt: skip


def main() -> int:
    import corpus
    import run as bench

    work = Path(tempfile.mkdtemp(prefix="chiso-proposals-"))
    env = bench.bench_env(work, corpus.BENCH_CATALOG)
    corpus.write_catalog()
    files = corpus.generate_corpus(work / "corpus", 4000)
    csv_files = [f for f in files if f.file_format == "csv"]
    folders = {"small": corpus.link_subset(csv_files[:200], work / "csv-small"),
               "full": corpus.link_subset(csv_files, work / "csv-full")}  # fmt: skip
    me = [bench.PYTHON, str(Path(__file__).resolve()), "--patched"]
    results: dict = {"load_average_start": os.getloadavg()[0]}
    try:
        # 1. chiso ingest on the CSV files: marginal ms per file, as is and with each fix.
        variants = {"as-is": ("", {}), "reasons": ("reasons", {}), "chunk": ("", {"CHISO_CHUNK_SIZE": "4000"}),
                    "reasons+chunk+catalog": ("reasons,catalog", {"CHISO_CHUNK_SIZE": "4000"})}  # fmt: skip
        cli: dict = {}
        reference: dict = {}
        for name, (fixes, extra) in variants.items():
            runs = {}
            for size in ("small", "full"):
                home, out = work / f"home-{name}-{size}", work / f"cli-{name}-{size}.json"
                prefix = me + [fixes] if fixes else [bench.PYTHON]
                cmd = [*prefix, str(HERE / "cli_probe.py"), str(out), "ingest", str(folders[size]), "--warehouse",
                       str(home / "chiso.duckdb"), "--as-of", corpus.AS_OF, "--quiet"]  # fmt: skip
                measured = bench.child(cmd, {**env, **extra, "CHISO_HOME": str(home)}, work / "logs" / f"{name}.log")
                runs[size] = {**measured, **bench.read_json(out)}
            reference = reference if cli else runs["full"]["verdicts"]
            same = runs["full"]["verdicts"] == reference
            cli[name] = {"marginal_ms_per_file": bench.marginal_ms(runs["small"], runs["full"]),
                         "cpu_marginal_ms_per_file": bench.marginal_ms(runs["small"], runs["full"], "cpu_s"),
                         "full_s": runs["full"]["wall_s"], "stages_s": runs["full"]["stages"], "same_verdicts": same}  # fmt: skip
            print(name, json.dumps(cli[name]), flush=True)
        results["cli_csv"] = cli
        # 2. the DAG on the whole batch: marginal ms per file, as is and with the load_catalog fix.
        dag = {}
        for name, (fixes, extra) in {"as-is": ("", {}), "catalog": ("catalog", {})}.items():
            homes = []
            for tag, subset in (("cold", files[:200]), ("full", files), ("warm", files[:200])):
                corpus.link_subset(subset, work / f"dag-{name}-{tag}" / "inbox")
                homes.append(str(work / f"dag-{name}-{tag}"))
            out = work / f"dag-{name}.json"
            prefix = me + [fixes] if fixes else [bench.PYTHON]
            bench.child([*prefix, str(HERE / "dag_probe.py"), str(out), str(work / f"airflow-{name}"), corpus.AS_OF, *homes],
                        {**env, **extra}, work / "logs" / f"dag-{name}.log")  # fmt: skip
            _, full, warm = bench.read_json(out)["runs"]
            dag[name] = {"full_s": full["dag_test_seconds"], "warm_small_s": warm["dag_test_seconds"],
                         "marginal_ms_per_file": 1000 * (full["dag_test_seconds"] - warm["dag_test_seconds"])
                         / (full["files"] - warm["files"])}  # fmt: skip
            print("dag", name, json.dumps(dag[name]), flush=True)
        results["dag"] = dag
        # 3. load_catalog alone, and the per-file look-ups of _validate.
        import duckdb

        from warehouse.db import connect, load_catalog

        timings = {}
        for name, fn in (("executemany", load_catalog), ("dataframe", load_catalog_from_frames)):
            connection = connect(work / f"catalog-{name}.duckdb")
            started = time.perf_counter()
            fn(connection, corpus.BENCH_CATALOG)
            timings[name] = time.perf_counter() - started
            connection.close()
        results["load_catalog_s"] = timings
        results["heads"] = heads_micro([f.path for f in csv_files], corpus.BENCH_CATALOG)
        results["duckdb"] = duckdb.__version__
        print(json.dumps({k: results[k] for k in ("load_catalog_s", "heads")}))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["load_average_end"] = os.getloadavg()[0]
    out = bench.RESULTS / "proposals.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--patched":
        patched_main(sys.argv[2].split(","), sys.argv[3], sys.argv[4:])
    else:
        sys.exit(main())
