"""The catalog's own checks: what it refuses, said with the file, the line and what to do."""

import shutil
from pathlib import Path

import pytest

from core.catalog import Catalog, CatalogError

CATALOG = Path(__file__).resolve().parents[2] / "catalog"


def test_a_data_sets_day_counts_are_whole_numbers_or_blank(tmp_path):
    shutil.copytree(CATALOG, tmp_path / "catalog")
    catalog = Catalog(tmp_path / "catalog")
    assert catalog.days("DP-SN", "approve_within_days") == 10
    assert catalog.days("DP-SN", "lock_after_days") is None

    path = tmp_path / "catalog" / "datasets.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].rsplit(",", 2)[0] + ",ten,10"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"datasets.csv line 3: lock_after_days is 'ten'"):
        Catalog(tmp_path / "catalog").days("DP-SN", "lock_after_days")
