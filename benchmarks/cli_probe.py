"""Run the `chiso` CLI exactly as the console script does, and keep its RunReport's stage times.

    python benchmarks/cli_probe.py REPORT.json ingest PATH... --warehouse W --as-of D --quiet

`chiso.cli.main(argv)` is what `.venv/bin/chiso` calls; the only addition is a wrapper
around `chiso.pipeline.ingest_paths` that records the report it returns (stage seconds,
verdict counts, rows) and writes it to REPORT.json when the command ends. Importing
`chiso.pipeline` up front costs what the ingest command imports anyway.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    out = Path(sys.argv[1])
    argv = sys.argv[2:]
    import chiso.pipeline
    from chiso.cli import main as chiso_main

    captured = {}
    real = chiso.pipeline.ingest_paths

    def recording(*args, **kwargs):
        started = time.perf_counter()
        report = real(*args, **kwargs)
        captured["ingest_paths_seconds"] = time.perf_counter() - started
        captured["report"] = report
        return report

    chiso.pipeline.ingest_paths = recording
    code = chiso_main(argv)
    report = captured.get("report")
    result = {
        "exit_code": code,
        "process_seconds": time.perf_counter() - STARTED,
        "ingest_paths_seconds": captured.get("ingest_paths_seconds"),
        "stages": dict(report.seconds) if report else {},
        "counts": report.counts() if report else {},
        "rows": report.rows if report else 0,
        "files": len(report.verdicts) if report else 0,
        "verdicts": {v.file_name: v.status for v in report.verdicts} if report else {},
        "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    out.write_text(json.dumps(result), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main())
