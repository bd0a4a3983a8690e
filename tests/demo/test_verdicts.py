"""The verdicts the demo predicts follow the spec, recomputed from the files themselves; late
warnings follow the catalog's due dates and never depend on the time zone."""

from __future__ import annotations

import hashlib
import itertools
from datetime import date, timedelta

from core.periods import Period
from demo import DemoFile
from demo.plan import due_date


def test_statuses_follow_the_spec(inbox) -> None:
    """Recompute every verdict from the listed facts, in order of receipt."""
    folder, files = inbox
    assert all(a.received_at <= b.received_at for a, b in itertools.pairwise(files))
    seen: dict[str, str] = {}
    current: dict[tuple, DemoFile] = {}
    want: dict[str, str] = {}
    for f in files:
        digest = hashlib.sha256((folder / f.file_name).read_bytes()).hexdigest()
        if digest in seen:
            want[f.file_name] = "duplicate"
            continue
        seen[digest] = f.file_name
        if f.expected_status == "rejected":
            want[f.file_name] = "rejected"
            continue
        slot = (f.dataset_code, f.unit_code, f.period)
        if slot in current:
            want[current[slot].file_name] = "superseded"
        current[slot] = f
        want[f.file_name] = "accepted"
    assert {f.file_name: f.expected_status for f in files} == want


def slot_of(f) -> tuple[str, str, str]:
    return (f.dataset_code, f.unit_code, f.period)


def test_lateness(inbox, catalog) -> None:
    _, files = inbox
    first_accepted = {}
    for f in sorted(files, key=lambda f: f.received_at):
        end = Period.parse(f.period).end
        due = end + timedelta(days=31 if f.dataset_code.startswith("CNTT-") else 10)
        assert f.received_at.date() > end
        assert f.received_at.date() != due  # never on the boundary day
        assert 1 <= f.received_at.hour <= 10  # same calendar day in UTC and UTC+7
        if f.expected_status in ("accepted", "superseded"):
            # Timeliness belongs to the slot: its first accepted file is late or not, a later one corrects it.
            correction = slot_of(f) in first_accepted
            first_accepted.setdefault(slot_of(f), f)
            assert ("correction" in f.expected_warnings) == correction, f.file_name
            assert ("late" in f.expected_warnings) == (not correction and f.received_at.date() > due), f.file_name
    assert any(f.received_at.date() > due_date(catalog, f.dataset_code, f.period) for f in first_accepted.values())
    corrections = [f for f in files if "correction" in f.expected_warnings]
    assert any(f.received_at.date() > due_date(catalog, f.dataset_code, f.period) for f in corrections)
    assert due_date(catalog, "CNTT-NAM", "2020") == date(2021, 1, 31)
    assert due_date(catalog, "DP-SN", "2017Q2") == date(2017, 7, 10)
