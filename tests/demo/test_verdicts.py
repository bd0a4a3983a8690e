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


def test_lateness(inbox, catalog) -> None:
    _, files = inbox
    for f in files:
        end = Period.parse(f.period).end
        due = end + timedelta(days=31 if f.dataset_code == "CNTT-NAM" else 10)
        assert f.received_at.date() > end
        assert f.received_at.date() != due  # never on the boundary day
        assert 1 <= f.received_at.hour <= 10  # same calendar day in UTC and UTC+7
        if f.expected_status in ("accepted", "superseded"):
            assert ("late" in f.expected_warnings) == (f.received_at.date() > due), f.file_name
    assert due_date(catalog, "CNTT-NAM", "2020") == date(2021, 1, 31)
    assert due_date(catalog, "DP-SN", "2017Q2") == date(2017, 7, 10)
