"""The values tell the source article's story: 2017Q2's task groups and tasks, plausible and
consistent figures every quarter, and the 2017 IT targets of the catalog met."""

from __future__ import annotations

import itertools
from collections import defaultdict

from demo import demo_values
from demo.story import it_share_targets

SEED = 2017


def test_story_2017q2_tasks() -> None:
    values = demo_values(SEED)

    def total(ds: str, ind: str) -> int:
        return sum(v[(ind, None)] for (d, _, p), v in values.items() if d == ds and p == "2017Q2")

    assert len([k for k in values if k[0] == "DP-SN" and k[2] == "2017Q2"]) == 12
    assert len([k for k in values if k[0] == "DP-HUYEN" and k[2] == "2017Q2"]) == 11
    assert (total("DP-SN", "NV_GIAO"), total("DP-SN", "NV_TRIENKHAI")) == (12, 7)
    districts = tuple(total("DP-HUYEN", ind) for ind in ("NV_GIAO", "NV_TRIENKHAI", "NV_CUTHE"))
    assert districts == (4, 4, 11)


def test_story_values_are_consistent_and_plausible(catalog) -> None:
    values = demo_values(SEED)
    disaggregations = [row["disaggregation_code"] for row in catalog.disaggregations["CNTT_TONG"]]
    by_unit = defaultdict(dict)
    for (ds, unit, period), v in values.items():
        if ds in ("CNTT-NAM", "CNTT-XA"):
            for b in disaggregations:
                assert v[("CNTT_UNGDUNG", b)] <= v[("CNTT_TONG", b)]
            continue
        assert v[("NV_TRIENKHAI", None)] <= v[("NV_GIAO", None)]
        assert v[("NV_HOANTHANH", None)] <= v[("NV_CUTHE", None)]
        assert 0 <= v[("KP_GIAINGAN", None)] <= v[("KP_BOTRI", None)]
        assert 0 <= v.get(("DVC_TRUCTUYEN_TYLE", None), 0) <= 100
        by_unit[unit][period] = v
    for unit, periods in by_unit.items():
        keys = sorted(periods)
        for a, b in itertools.pairwise(keys):
            for ind in ("NV_GIAO", "NV_CUTHE", "NV_HOANTHANH"):  # stocks never shrink
                assert periods[a][(ind, None)] <= periods[b][(ind, None)], (unit, a, b, ind)
            if a[:4] == b[:4]:  # funding: one allocation a year, cumulative disbursement
                assert periods[a][("KP_BOTRI", None)] == periods[b][("KP_BOTRI", None)]
                assert periods[a][("KP_GIAINGAN", None)] <= periods[b][("KP_GIAINGAN", None)]
        for p, v in periods.items():
            if p.endswith("Q4"):
                assert 0.69 <= v[("KP_GIAINGAN", None)] / v[("KP_BOTRI", None)] <= 0.96
            assert isinstance(v[("KP_BOTRI", None)], float)


def test_story_cntt_ratios(catalog) -> None:
    values = demo_values(SEED)
    disaggregations = [row["disaggregation_code"] for row in catalog.disaggregations["CNTT_TONG"]]
    targets = it_share_targets(catalog)
    assert set(targets) == set(disaggregations)  # the catalog's 2017 targets, one per disaggregation
    ratio = {}
    for y in range(2016, 2021):
        rows = [v for (ds, _, p), v in values.items() if ds == "CNTT-NAM" and p == str(y)]
        assert len(rows) == 11
        for b in disaggregations:
            ratio[y, b] = 100 * sum(r[("CNTT_UNGDUNG", b)] for r in rows) / sum(r[("CNTT_TONG", b)] for r in rows)
    for b, target in targets.items():
        assert ratio[2017, b] >= target, b
        assert ratio[2016, b] < ratio[2017, b], b
        assert ratio[2016, b] < target, b
        for y in range(2018, 2021):
            assert ratio[y, b] >= ratio[y - 1, b], (y, b)
        assert ratio[2020, b] > ratio[2017, b] or ratio[2017, b] == 100
