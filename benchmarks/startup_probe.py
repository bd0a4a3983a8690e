"""How long the DAG folder takes to parse: DagBag fill time, after `import airflow`.

    python benchmarks/startup_probe.py    (prints one JSON line)

`import airflow` and the DagBag class are imported before the clock starts (a DAG processor
has them loaded already); the first fill is what a fresh parser process pays for dags/
(the DAG files' own imports included), the second is a re-parse in the same process.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAGS = ROOT / "dags"


def main() -> int:
    started = time.perf_counter()
    import airflow  # noqa: F401
    from airflow.dag_processing.dagbag import DagBag

    imported = time.perf_counter() - started
    heavy_before = sorted(m for m in ("pandas", "great_expectations", "duckdb", "openpyxl") if m in sys.modules)
    started = time.perf_counter()
    bag = DagBag(dag_folder=str(DAGS))
    first = time.perf_counter() - started
    started = time.perf_counter()
    DagBag(dag_folder=str(DAGS))
    second = time.perf_counter() - started
    heavy = sorted(m for m in ("pandas", "great_expectations", "duckdb", "openpyxl") if m in sys.modules)
    print(
        json.dumps(
            {
                "import_airflow_seconds": imported,
                "dagbag_fill_seconds": first,
                "dagbag_refill_seconds": second,
                "dag_ids": sorted(bag.dag_ids),
                "import_errors": {str(k): str(v) for k, v in bag.import_errors.items()},
                "heavy_modules_loaded_by_dags": sorted(set(heavy) - set(heavy_before)),
                "per_file_seconds": {
                    Path(s.file).name: s.duration.total_seconds()
                    if hasattr(s.duration, "total_seconds")
                    else float(s.duration)
                    for s in bag.dagbag_stats
                },
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
