"""`chiso template --example`: a filled workbook a newcomer can drop, accepted with no reason and no warning."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from chiso.checker import check_file
from chiso.context import RunContext
from core.catalog import Catalog
from core.periods import Period
from core.settings import load_settings
from transforms.template.example import build_example

CHISO = str(Path(sys.executable).parent / "chiso")
CATALOG = Catalog(load_settings().catalog_dir)


def received(path: Path, day: date) -> None:
    """The file arrived on `day` (a file's time is its receipt: no late warning)."""
    stamp = datetime.combine(day, datetime.min.time()).replace(hour=9).timestamp()
    os.utime(path, (stamp, stamp))


def test_the_readmes_example_is_written_and_passes_chiso_validate(tmp_path):
    made = subprocess.run(
        [CHISO, "template", "DP-HUYEN", "--unit", "026", "--period", "2017Q3", "--example", "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    written = tmp_path / "DP-HUYEN_026_2017Q3.xlsx"
    received(written, date(2017, 10, 5))
    checked = subprocess.run(
        [CHISO, "validate", str(written), "--as-of", "2017-10-05"], capture_output=True, text=True, timeout=120
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ACCEPTED" in checked.stdout and "Warnings" not in checked.stdout, checked.stdout


@pytest.mark.parametrize("dataset", sorted(CATALOG.datasets))
def test_every_forms_example_is_accepted_without_a_warning(tmp_path, dataset):
    row = CATALOG.datasets[dataset]
    unit = next(code for code, u in CATALOG.units.items() if u["unit_type"] == row["submitter_type"])
    year = max(2017, int(CATALOG.units[unit]["valid_from"][:4]) + 1)  # the communes' forms: from 2025
    period = f"{year}Q3" if row["period_type"] == "quarter" else str(year)
    path = tmp_path / f"{dataset}_{unit}_{period}.xlsx"
    path.write_bytes(build_example(CATALOG, dataset, unit, period))
    as_of = CATALOG.due_date(dataset, Period.parse(period))
    received(path, as_of)
    verdict = check_file(path, RunContext.of(load_settings(home=tmp_path / "home"), as_of=as_of))
    assert (verdict.status, verdict.reasons, verdict.warnings) == ("accepted", [], []), verdict
