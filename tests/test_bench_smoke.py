"""`make bench` on a tiny corpus: every step runs and the JSON holds every figure (no timing checks)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bench_module():
    spec = importlib.util.spec_from_file_location("chiso_bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_smoke_run_writes_every_figure(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))

    bench = _bench_module()
    for figure in bench.FIGURES:
        assert isinstance(bench.lookup(results, figure), (int, float)), figure
    assert results["mode"] == "smoke"
    assert {"nproc", "cpu_model", "ram_gib"} <= set(results["machine"])
    assert results["corpus"]["files"] == 20 and results["corpus"]["bad"] == 1
    # What the figures rest on: chiso judged every generated file as intended, the SQL baseline
    # agrees with it file by file, and the DAG run judged the batch like the CLI.
    assert results["ingest"]["verdicts_as_expected"]
    assert results["baseline"]["verdicts_agree"]
    assert results["airflow"]["counts_match_cli"]
    assert results["rebuild"]["equal"] and results["rebuild"]["files"] == 20
    assert set(results["national"]["queries"]) == {
        "completeness_quarter",
        "figure_lineage",
        "rollup_province_year",
        "rollup_province_year_live",
        "target_progress",
        "unit_history",
    }
    assert results["national"]["rollup_refresh_s"] > 0
    assert "measure" in done.stdout and "p95" in done.stdout  # the table was printed
