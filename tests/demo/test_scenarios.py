"""Every scenario is in the inbox: each rule 1–9, corrected and rejected resends,
supersessions (once twice over), late files, formula-like notes, reports never sent."""

from __future__ import annotations

from collections import defaultdict

from demo.plan import plan_slots
from demo.story import DEMO_TODAY


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
    # Every report owed and due before the story's last day (2026-07-25): 12 departments 2016Q1-2024Q4, then 8
    # (5 merged on 1 March 2025, SNNMT new) in 2025Q1-Q2 and their 8 successors (-TQ) to 2026Q2; 11 districts
    # 2016Q1-2025Q2 and their survey 2016-2024; 124 communes 2025Q3-2026Q2 and their survey of 2025.
    all_slots = 12 * 36 + 8 * 2 + 8 * 4 + 11 * 38 + 11 * 9 + 124 * 4 + 124
    assert len(plan_slots(catalog, DEMO_TODAY)) == all_slots == 1617
    assert 0.03 < 1 - len(by_slot) / all_slots < 0.07  # ~5 % never sent


def test_the_story_slots_all_end_accepted(inbox, catalog) -> None:
    """The article's figures need every report of 2017Q2 and every IT survey."""
    _, files = inbox
    accepted = {(f.dataset_code, f.unit_code, f.period) for f in files if f.expected_status == "accepted"}
    story = {slot for slot in plan_slots(catalog, DEMO_TODAY) if slot[2] == "2017Q2" or slot[0] == "CNTT-NAM"}
    assert len(story) == 12 + 11 + 11 * 9 and story <= accepted
