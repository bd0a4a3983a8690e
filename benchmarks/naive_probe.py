"""The naive way, with the real code: one GX run per suite and one transaction per file.

    python benchmarks/naive_probe.py OUT.json HOME AS_OF FILE...

`ingest_paths` with chunk_size=1: each file is read, validated by its own run of every
suite, and loaded in its own transaction. GX is started (and one file ingested into a
throw-away warehouse) before the clock starts, so the figure is the steady per-file cost.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    out, home, as_of, *files = sys.argv[1:]
    from chiso.context import RunContext
    from chiso.pipeline import ingest_paths
    from core.settings import load_settings

    paths = [Path(f) for f in files]
    day = date.fromisoformat(as_of)
    warm = load_settings(home=Path(home) / "warm-up", chunk_size=1)
    started = time.perf_counter()
    ingest_paths(paths[:1], RunContext.of(warm, as_of=day))
    warm_up = time.perf_counter() - started

    settings = load_settings(home=Path(home) / "naive", chunk_size=1)
    started, cpu = time.perf_counter(), time.process_time()
    report = ingest_paths(paths, RunContext.of(settings, as_of=day))
    seconds = time.perf_counter() - started
    result = {
        "files": len(paths),
        "warm_up_seconds": warm_up,
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "per_file_ms": 1000 * seconds / len(paths),
        "stages": dict(report.seconds),
        "counts": report.counts(),
        "rows": report.rows,
        "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
