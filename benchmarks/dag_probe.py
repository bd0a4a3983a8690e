"""Run the chiso_ingest DAG with dag.test(), in-process, on one or more inbox folders.

    python benchmarks/dag_probe.py OUT.json AIRFLOW_HOME AS_OF HOME [HOME...]

Each HOME must hold an `inbox/` of files; it becomes CHISO_HOME before the DAG folder is
parsed (the DAG reads its settings at parse time). The Airflow metadata database is a fresh
SQLite one under AIRFLOW_HOME (reset once, as tests/dags/test_dags.py does); the
`chiso_warehouse` pool is created. Times the reset, each DagBag fill and each dag.test().
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

from core.settings import WAREHOUSE_POOL

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
DAGS = ROOT / "dags"


def main() -> int:
    out, airflow_home, as_of, *homes = sys.argv[1:]
    os.environ.update(
        AIRFLOW_HOME=airflow_home,
        AIRFLOW__CORE__UNIT_TEST_MODE="True",
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
    )
    sys.path.insert(0, str(ROOT))
    result: dict = {"runs": []}
    started = time.perf_counter()
    from airflow.dag_processing.dagbag import DagBag
    from airflow.models.pool import Pool
    from airflow.utils import db

    result["import_airflow_seconds"] = time.perf_counter() - started
    started = time.perf_counter()
    db.resetdb()
    Pool.create_or_update_pool(WAREHOUSE_POOL, 1, "DuckDB single writer", include_deferred=False)
    result["resetdb_seconds"] = time.perf_counter() - started

    import duckdb

    for home in homes:
        os.environ["CHISO_HOME"] = home
        files = sum(1 for p in (Path(home) / "inbox").iterdir() if p.is_file())
        started = time.perf_counter()
        bag = DagBag(dag_folder=str(DAGS))
        parse = time.perf_counter() - started
        if bag.import_errors:
            raise SystemExit(f"DAG import errors: {bag.import_errors}")
        dag = bag.get_dag("chiso_ingest")
        started = time.perf_counter()
        run = dag.test(run_conf={"as_of": as_of})
        seconds = time.perf_counter() - started
        snapshot = Path(home) / "warehouse" / "snapshot" / "chiso.duckdb"
        with duckdb.connect(str(snapshot), read_only=True) as connection:
            counts = dict(connection.execute("select status, count(*) from submissions group by 1").fetchall())
            rows = connection.execute("select count(*) from indicator_facts").fetchone()[0]
        result["runs"].append(
            {
                "home": home,
                "files": files,
                "state": str(run.state),
                "dagbag_seconds": parse,
                "dag_test_seconds": seconds,
                "counts": counts,
                "rows": rows,
                "inbox_left": sum(1 for _ in (Path(home) / "inbox").iterdir()),
            }
        )
    result["process_seconds"] = time.perf_counter() - STARTED
    result["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
