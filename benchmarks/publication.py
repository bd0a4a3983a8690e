"""What a publication adds to a publish (warehouse.publications.record: the tables' digests, the changes).

    python benchmarks/publication.py WAREHOUSE [--runs R]

On a copy of WAREHOUSE (the demo's `var/warehouse/chiso.duckdb`, or the national one
benchmarks/national.py builds): the first publication (every submission in force `entered`), then R
times each: a publish whose tables changed (one file's record touched: numbered, a small diff), a
publish with nothing changed (digests only, not numbered), and the copy of the file alone (what a
publish did before publications). Medians in milliseconds, as JSON on stdout.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from warehouse import publications
    from warehouse.snapshot import publish

    args = sys.argv[1:]
    source = Path(args[0])
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 5
    with tempfile.TemporaryDirectory() as work:
        warehouse, snapshot = Path(work) / "chiso.duckdb", Path(work) / "snapshot" / "chiso.duckdb"
        shutil.copyfile(source, warehouse)
        with publications.open_writer(warehouse) as connection:  # migrated to 011 outside the timings
            connection.execute(
                "delete from publication_changes; delete from publication_tables; delete from publications"
            )
            connection.execute("checkpoint")

        def timed(step) -> float:
            started = time.perf_counter()
            step()
            return 1000 * (time.perf_counter() - started)

        def record() -> None:
            with publications.open_writer(warehouse) as connection:
                publications.record(connection, cause="publish")
                connection.execute("checkpoint")

        def touch() -> None:
            with publications.open_writer(warehouse) as connection:
                connection.execute(
                    "update submission_records set moved = not moved"
                    " where submission_id = (select max(submission_id) from submission_records)"
                )
                connection.execute("checkpoint")

        first = timed(record)
        changed, unchanged, copy_only, publish_total = [], [], [], []
        for _ in range(runs):
            touch()
            changed.append(timed(record))
            unchanged.append(timed(record))
            copy_only.append(timed(lambda: shutil.copyfile(warehouse, Path(work) / "copy.duckdb")))
            touch()
            publish_total.append(timed(lambda: publish(warehouse, snapshot)))
        with publications.open_writer(warehouse) as connection:
            numbered = connection.execute("select count(*) from publications").fetchone()[0]
            tables = connection.execute("select count(*) from publication_tables where publication_no = 1").fetchone()
            entered = connection.execute(
                "select count(*) from publication_changes where publication_no = 1 and change = 'entered'"
            ).fetchone()
    result = {
        "warehouse": str(source),
        "size_mb": round(source.stat().st_size / 1e6, 1),
        "runs": runs,
        "tables_digested": tables[0],
        "first_publication_entered": entered[0],
        "publications_numbered": numbered,
        "ms": {
            "first_publication_record": round(first, 1),
            "record_changed_p50": round(statistics.median(changed), 1),
            "record_unchanged_p50": round(statistics.median(unchanged), 1),
            "copy_only_p50": round(statistics.median(copy_only), 1),
            "publish_with_record_p50": round(statistics.median(publish_total), 1),
        },
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
