"""Every scenario is in the inbox: each rule 1–9, corrected and rejected resends,
supersessions (once twice over), late files, formula-like notes, reports never sent."""

from __future__ import annotations

from collections import defaultdict


def test_every_rule_and_scenario(inbox, catalog) -> None:
    _, files = inbox
    rules = {r for f in files for r in f.expected_rules}
    assert rules == {str(n) for n in range(1, 10)}
    assert all(f.expected_rules for f in files if f.expected_status == "rejected")
    assert not any(f.expected_rules for f in files if f.expected_status != "rejected")
    assert any("late" in f.expected_warnings for f in files)
    assert any("formula" in f.expected_warnings for f in files)
    by_slot = defaultdict(list)
    for f in files:
        by_slot[(f.dataset_code, f.unit_code, f.period)].append(f.expected_status)
    seqs = {tuple(v) for v in by_slot.values()}
    assert ("rejected", "accepted") in seqs  # corrected resend
    assert ("accepted", "rejected") in seqs  # a rejected resend does not displace
    assert ("superseded", "accepted") in seqs
    assert ("superseded", "superseded", "accepted") in seqs
    assert ("rejected",) in seqs
    all_slots = 12 * 20 + 11 * 20 + 11 * 5
    assert (
        sum(
            len(catalog.units_submitting(d)) * len(catalog.periods(r["period_type"]))
            for d, r in catalog.datasets.items()
        )
        == all_slots
    )
    assert 0.03 < 1 - len(by_slot) / all_slots < 0.07  # ~5 % never sent


def test_the_story_slots_all_end_accepted(inbox, catalog) -> None:
    """The article's figures need every report of 2017Q2 and every IT survey."""
    _, files = inbox
    accepted = {(f.dataset_code, f.unit_code, f.period) for f in files if f.expected_status == "accepted"}
    story = {
        (dataset, unit, period.code)
        for dataset, row in catalog.datasets.items()
        for period in catalog.periods(row["period_type"])
        for unit in catalog.units_submitting(dataset)
        if period.code == "2017Q2" or dataset == "CNTT-NAM"
    }
    assert story <= accepted
