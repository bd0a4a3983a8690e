"""The demo across the 2025 reform (issue 22): who reports which periods, and the communes' figures
continuing their districts' (the script only: no file is written, no pipeline runs)."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest

from core.catalog import share
from demo.inbox import scripted_inbox
from demo.script import InboxScript
from demo.story import DEMO_TODAY

SEED = 2017


@pytest.fixture(scope="module")
def script(catalog) -> InboxScript:
    return InboxScript(catalog, SEED)


def periods_of(script: InboxScript, dataset: str, unit: str | None = None) -> list[str]:
    return sorted({period for d, u, period in script.slots if d == dataset and unit in (None, u)})


def test_each_unit_owes_the_periods_it_is_valid_on_the_last_day_of(script) -> None:
    assert periods_of(script, "DP-HUYEN")[-1] == "2025Q2" and periods_of(script, "CNTT-NAM")[-1] == "2024"
    assert periods_of(script, "DP-XA")[0] == "2025Q3" and periods_of(script, "CNTT-XA") == ["2025"]
    assert periods_of(script, "DP-SN", "STTTT")[-1] == "2024Q4"  # ended 2025-02-28: SKHCN reports 2025Q1
    assert periods_of(script, "DP-SN", "SNNMT") == ["2025Q1", "2025Q2"]
    assert periods_of(script, "DP-SN", "SKHCN-TQ")[0] == "2025Q3"
    # the last period due before the story's last day (2026-07-25): 2026Q2, due 2026-07-10
    assert periods_of(script, "DP-XA")[-1] == "2026Q2"
    # 124 communes × 4 quarters, 11 districts × 38 quarters
    assert len([slot for slot in script.slots if slot[0] == "DP-XA"]) == 124 * 4
    assert len([slot for slot in script.slots if slot[0] == "DP-HUYEN"]) == 11 * 38


def test_the_communes_continue_their_districts_figures(script, catalog) -> None:
    """Old Hà Giang's communes share out exactly what its districts would have reported (whole numbers
    by the highest averages), and no commune's part exceeds its whole (rule 9)."""
    values = script.intended
    districts = catalog.units_submitting("DP-HUYEN")
    from_districts = {row["to_code"] for row in catalog.successions if row["from_code"] in districts}
    assert len(from_districts) == 73
    for code in ("NV_GIAO", "NV_TRIENKHAI", "NV_CUTHE", "NV_HOANTHANH"):
        for period in ("2025Q3", "2026Q2"):
            communes = sum(values[("DP-XA", unit, period)][(code, None)] for unit in from_districts)
            assert communes == sum(values[("DP-HUYEN", unit, period)][(code, None)] for unit in districts)
    for kind in ("TRUONGHOC", "BENHVIEN", "NHAHANG", "KHACHSAN"):
        communes = sum(values[("CNTT-XA", unit, "2025")][("CNTT_TONG", kind)] for unit in from_districts)
        assert communes == sum(values[("CNTT-NAM", unit, "2025")][("CNTT_TONG", kind)] for unit in districts)
    pairs = catalog.consistency_pairs
    for slot in script.slots:
        figures = values[slot]
        for pair in pairs:
            for (code, kind), value in figures.items():
                if code == pair.part and (pair.whole, kind) in figures:
                    assert value <= figures[(pair.whole, kind)], slot
    # the succession's weights of a district add up to exactly 1 (e.g. 024: 7/16 + 7/16 + 1/8)
    weights = [share(row["weight"]) for row in catalog.successors("024")]
    assert sum(weights, Fraction(0)) == 1


def test_the_communes_have_the_districts_habits(catalog) -> None:
    files, _ = scripted_inbox(SEED, catalog)
    assert all(scripted.received_at.date() < DEMO_TODAY for scripted in files)
    communes = [scripted for scripted in files if scripted.slot[0] in ("DP-XA", "CNTT-XA")]
    statuses = Counter(scripted.status for scripted in communes)
    assert statuses["accepted"] > 500 and statuses["rejected"] >= 1
    assert any("late" in scripted.warnings for scripted in communes)
    sent = {scripted.slot for scripted in communes}
    assert len(sent) < 124 * 5  # some never sent
