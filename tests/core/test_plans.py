"""A plan continued by another (issue 22): plan.csv's rows in order, the catalog's years spanning them."""

import shutil
from pathlib import Path

import pytest

from core.catalog import Catalog, CatalogError

CATALOG = Path(__file__).resolve().parents[2] / "catalog"
HEADER = "plan_code,plan_name,first_year,last_year,province_code,timezone\n"
FIRST = "A-2016-2020,Kế hoạch A,2016,2020,02,Asia/Ho_Chi_Minh\n"


def with_plans(tmp_path: Path, rows: str) -> Catalog:
    shutil.copytree(CATALOG, tmp_path / "catalog", dirs_exist_ok=True)
    (tmp_path / "catalog" / "plan.csv").write_text(HEADER + rows, encoding="utf-8")
    return Catalog(tmp_path / "catalog")


def test_the_demo_continues_its_first_plan() -> None:
    catalog = Catalog(CATALOG)
    assert [row["plan_code"] for row in catalog.plans] == ["DP-KHKT-2016-2020", "KH-KHCN-CDS-2021-2030"]
    assert (catalog.first_year, catalog.last_year) == (2016, 2030)
    assert catalog.plan["plan_code"] == "KH-KHCN-CDS-2021-2030" and catalog.plan["province_code"] == "08"
    assert catalog.plan["first_year"] == "2016"  # the plan in force, over every plan's years
    assert [period.code for period in catalog.periods("year")][::7] == ["2016", "2023", "2030"]


def test_a_single_plan_is_the_plan(tmp_path) -> None:
    catalog = with_plans(tmp_path, FIRST)
    assert catalog.plan == catalog.plans[0] and (catalog.first_year, catalog.last_year) == (2016, 2020)


@pytest.mark.parametrize(
    ("second", "problem"),
    [
        ("B,Kế hoạch B,2022,2030,08,Asia/Ho_Chi_Minh\n", "from the year after its last \\(2021\\)"),  # a gap
        ("B,Kế hoạch B,2020,2030,08,Asia/Ho_Chi_Minh\n", "from the year after its last \\(2021\\)"),  # overlap
        ("B,Kế hoạch B,2021,2030,08,Asia/Bangkok\n", "\\(2021\\) in the same time zone \\(Asia/Ho_Chi_Minh\\)"),
    ],
)
def test_a_plan_continues_the_one_before_it(tmp_path, second, problem) -> None:
    with pytest.raises(CatalogError, match=rf"plan.csv line 3: a plan continues the one before it, .*{problem}"):
        _ = with_plans(tmp_path, FIRST + second).plan
