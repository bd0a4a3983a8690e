"""The units' successions (catalog/unit_successions.csv, optional): read, linked both ways, and each
kind of inconsistency refused at load with the file, the line and what to fix."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from core.catalog import Catalog, CatalogError, share

UNITS = """unit_code,unit_name,unit_type,parent_code,valid_from,valid_to
P,Old province,province,,2000-01-01,2025-06-30
N,New province,province,,2025-07-01,
A,District A,district,P,2000-01-01,2025-06-30
B,District B,district,P,2000-01-01,2025-06-30
X,Commune X,commune,N,2025-07-01,
Y,Commune Y,commune,N,2025-07-01,
S,Department S,department,P,2000-01-01,2025-02-28
"""
# A splits 7/16 to X and the rest (9/16 = 0.5625) to Y; B halves. X's values are 0.7 A's and 0.3 B's
# territory, Y's 1/3 and 2/3; P merges whole into N, whose territory the catalog does not wholly hold.
SUCCESSIONS = """from_code,to_code,kind,effective_date,weight,weight_method,reverse_weight,mapping,legal_basis,note
P,N,merge,2025-07-01,1,whole,,exact,NQ 1,
A,X,split,2025-07-01,7/16,old_commune_share,0.7,exact,,
A,Y,split,2025-07-01,0.5625,old_commune_share,1/3,approximate,,an old commune split
B,X,split,2025-07-01,1/2,equal,0.3,exact,,
B,Y,split,2025-07-01,1/2,equal,2/3,exact,,
S,,end,2025-03-01,,,,,,
"""


def small_catalog(path: Path, units: str = UNITS, successions: str | None = SUCCESSIONS) -> Catalog:
    path.mkdir(exist_ok=True)
    (path / "units.csv").write_text(units, encoding="utf-8")
    if successions is not None:
        (path / "unit_successions.csv").write_text(successions, encoding="utf-8")
    return Catalog(path)


def test_successors_and_predecessors_in_file_order(tmp_path):
    catalog = small_catalog(tmp_path)
    assert [row["to_code"] for row in catalog.successors("A")] == ["X", "Y"]
    assert [row["from_code"] for row in catalog.predecessors("X")] == ["A", "B"]
    assert [row["to_code"] for row in catalog.successors("P")] == ["N"]
    assert catalog.successors("X") == [] and catalog.predecessors("A") == []
    assert [row["kind"] for row in catalog.successors("S")] == ["end"]
    assert sum(share(row["weight"]) for row in catalog.successors("A")) == 1  # 7/16 + 0.5625
    assert share(catalog.successors("A")[1]["weight"]) == Fraction(9, 16)


def test_a_catalog_without_the_file_has_no_successions(tmp_path):
    catalog = small_catalog(tmp_path, successions=None)
    assert catalog.successions == [] and catalog.successors("A") == [] and len(catalog.units) == 7


# (file edited, text replaced, by, the error's file, line and words)
AT = r"unit_successions\.csv line"
BROKEN = {
    "unknown from unit": ("unit_successions", "A,Y,split", "Q,Y,split", rf"{AT} 4: from_code 'Q' is not a unit"),
    "unknown to unit": ("unit_successions", "A,Y,split", "A,Z,split", rf"{AT} 4: to_code 'Z' is not a unit"),
    "unknown kind": ("unit_successions", "P,N,merge", "P,N,absorb", rf"{AT} 2: kind 'absorb' is not one of merge"),
    "unknown method": ("unit_successions", "1/2,equal,0.3", "1/2,guess,0.3", rf"{AT} 5: weight_method 'guess'"),
    "unknown mapping": ("unit_successions", ",exact,NQ 1", ",rough,NQ 1", rf"{AT} 2: mapping 'rough' is not one"),
    "not the day after": (
        "unit_successions",
        "P,N,merge,2025-07-01",
        "P,N,merge,2025-07-02",
        rf"{AT} 2: effective_date 2025-07-02 is not the day after P's valid_to \(2025-06-30\)",
    ),
    "to unit not yet valid": (
        "units",
        "N,New province,province,,2025-07-01,",
        "N,New province,province,,2025-08-01,",
        rf"{AT} 2: to_code N is not valid on 2025-07-01",
    ),
    "split not summing to 1": (
        "unit_successions",
        "7/16,old_commune_share",
        "3/8,old_commune_share",
        rf"{AT} 4: the weights of A's 2 successor row\(s\) sum to 15/16, not 1",
    ),
    "merge weight not 1": (
        "unit_successions",
        "2025-07-01,1,whole",
        "2025-07-01,0.9,whole",
        rf"{AT} 2: a `merge` passes the whole unit on: its weight is 1, not '0.9'",
    ),
    "reverse weights not summing to 1": (
        "unit_successions",
        "0.5625,old_commune_share,1/3",
        "0.5625,old_commune_share,1/4",
        rf"{AT} 6: the reverse weights of Y's 2 predecessor row\(s\) on 2025-07-01 sum to 11/12, not 1",
    ),
    "reverse weights partly blank": (
        "unit_successions",
        "1/2,equal,2/3",
        "1/2,equal,",
        rf"{AT} 6: the reverse weights of Y's 2 predecessor row\(s\) on 2025-07-01 sum to 1/3 with some blank",
    ),
    "weight not a number": ("unit_successions", "7/16", "seven", rf"{AT} 3: weight 'seven' is not a number"),
    "successor is itself": (
        "unit_successions",
        "P,N,merge",
        "P,P,merge",
        rf"{AT} 2: to_code 'P' is its from_code: a successor has a new code",
    ),
    "a code twice in units.csv": (
        "units",
        "X,Commune X",
        "A,District A again,district,P,2000-01-01,2025-06-30\nX,Commune X",
        r"units\.csv line 6: unit_code 'A' is already on line 4",
    ),
    "end naming a successor": ("unit_successions", "S,,end", "S,N,end", rf"{AT} 7: an `end` row names no successor"),
}


@pytest.mark.parametrize("broken", BROKEN.values(), ids=BROKEN.keys())
def test_an_inconsistent_succession_is_refused_with_its_file_and_line(tmp_path, broken):
    table, old, new, message = broken
    texts = {"units": UNITS, "unit_successions": SUCCESSIONS}
    assert texts[table].count(old) == 1
    texts[table] = texts[table].replace(old, new)
    catalog = small_catalog(tmp_path, texts["units"], texts["unit_successions"])
    with pytest.raises(CatalogError, match=message):
        catalog.successions  # noqa: B018 (read: checked)


def test_the_real_catalog_holds_the_2025_reform():
    """Hand-checked against dev/units_2025/communes.csv: Thành phố Hà Giang's 8 old communes went 3.5,
    3.5 and 1 to Phường Hà Giang 2, Phường Hà Giang 1 and Xã Ngọc Đường; Phường Hà Giang 2's 4.5 old
    communes are 3.5 of 024's and 1 of 030's."""
    catalog = Catalog(Path(__file__).resolve().parents[2] / "catalog")
    assert len(catalog.successions) == 5 + 8 + 1 + 78
    assert [(r["to_code"], r["weight"], r["reverse_weight"]) for r in catalog.successors("024")] == [
        ("00691", "7/16", "7/9"),
        ("00694", "7/16", "1"),
        ("00700", "1/8", "2/3"),
    ]
    assert [(r["from_code"], r["reverse_weight"]) for r in catalog.predecessors("00691")] == [
        ("024", "7/9"),
        ("030", "2/9"),
    ]
    assert [(r["to_code"], r["kind"], r["reverse_weight"]) for r in catalog.successors("02")] == [("08", "merge", "")]
    assert [r["from_code"] for r in catalog.predecessors("SNNMT")] == ["SNNPTNT", "STNMT"]
    assert [r["to_code"] for r in catalog.successors("SNNMT")] == ["SNNMT-TQ"]
    districts = [code for code, row in catalog.units.items() if row["unit_type"] == "district"]
    assert sum(len(catalog.successors(code)) for code in districts) == 78
    approximate = {(r["from_code"], r["to_code"]) for r in catalog.successions if r["mapping"] == "approximate"}
    assert approximate == {
        ("024", "00691"),
        ("024", "00694"),
        ("030", "00913"),
        ("030", "00967"),
        ("031", "00700"),
        ("031", "00994"),
    }
    assert sum(row["unit_type"] == "commune" for row in catalog.units.values()) == 124
    assert len(catalog.plan_units) == 24  # the 2016–2020 plan: Hà Giang, its 12 departments, its 11 districts
