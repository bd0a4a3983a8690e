"""How long one quarter's templates take to make, and how large they are.

    python benchmarks/template_probe.py    (prints one JSON line)

The shipped catalog; `quarter_s` is every template of 2017Q3 (12 departments, 11 districts) in a
process that has made one already (openpyxl imported), `cold_s` the first one with the import.
"""

from __future__ import annotations

import json
import sys
import time

from core.catalog import Catalog
from core.settings import load_settings


def main() -> int:
    started = time.perf_counter()
    from transforms.template.workbook import build_template, templates_for_period

    catalog = Catalog(load_settings().catalog_dir)
    build_template(catalog, "DP-HUYEN", "026", "2017Q2")
    cold = time.perf_counter() - started
    started = time.perf_counter()
    files = dict(templates_for_period(catalog, "2017Q3"))
    quarter = time.perf_counter() - started
    sizes = [len(data) / 1024 for data in files.values()]
    print(
        json.dumps(
            {
                "files": len(files),
                "cold_s": cold,
                "quarter_s": quarter,
                "max_kb": max(sizes),
                "mean_kb": sum(sizes) / len(sizes),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
