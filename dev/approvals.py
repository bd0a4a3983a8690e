"""The demo's approvals (`make run`, after the ingest): every approval state shows somewhere.

The province has accepted the plan's first year (its figures official, its slots locked); the units
have approved 2017Q1's reports; of 2017Q2, one report was returned with a reason, and one was
approved before its unit sent a corrected file, so it is changed since approval. The actors are the
catalog's addresses: each unit's for its approvals, the province's for accepting and returning.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from chiso.approval import Slot, Step, act_all, slot_states
from chiso.context import RunContext
from chiso.pipeline import inbox_destinations, ingest_paths, publish_snapshot
from core.catalog import Catalog
from core.settings import Settings
from transforms.template.example import build_example
from warehouse.db import connect_read_only

ACCEPTED_YEAR = "2016"
APPROVED_PERIOD = "2017Q1"
SAMPLED_PERIOD = "2017Q2"  # one report returned, one changed after its approval
# What a reviewer writes, in the demo (data, as a clerk's file is: not a text of chiso's own).
RETURN_REASON = "NV_CUTHE does not match the last quarter's report; please check it."


def approve_demo(settings: Settings) -> Counter:
    """Take the demo's approval actions on the warehouse, publish; the slots counted by state."""
    catalog = Catalog(settings.catalog_dir)
    addresses = {row["unit_code"]: row["email"] for row in catalog.contacts if row["role"] == "unit"}
    province = next(row["email"] for row in catalog.contacts if row["role"] == "province")
    received = [
        Slot(row["dataset_code"], row["unit_code"], row["period"])
        for row in _rows(settings.warehouse)
        if row["state"] == "received"
    ]
    sampled = [slot for slot in received if slot.period == SAMPLED_PERIOD][:2]
    steps = []
    for slot in received:
        unit = addresses.get(slot.unit_code, province)
        if slot.period.startswith(ACCEPTED_YEAR):
            steps += [Step(slot, "approve", unit), Step(slot, "accept", province)]
        elif slot.period == APPROVED_PERIOD or slot in sampled:
            steps.append(Step(slot, "approve", unit))
    if sampled:
        steps.append(Step(sampled[0], "return", province, RETURN_REASON))
    act_all(settings, steps)
    if len(sampled) > 1:
        _send_correction(settings, catalog, sampled[1])
    publish_snapshot(settings)
    return Counter(_state(row) for row in _rows(settings.warehouse))


def _send_correction(settings: Settings, catalog: Catalog, slot: Slot) -> None:
    """A corrected file for an approved slot, as its clerk would send it: other values, accepted."""
    # Through the inbox, as a clerk's file comes: stored with its receipt, so a rebuild has it too.
    path = settings.inbox / f"{slot.dataset_code}_{slot.unit_code}_{slot.period}_ban-sua.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_example(catalog, slot.dataset_code, slot.unit_code, slot.period))
    ingest_paths([path], RunContext.of(settings), destinations=inbox_destinations(settings))


def _rows(warehouse: Path) -> list[dict]:
    with connect_read_only(warehouse) as connection:
        return slot_states(connection)


def _state(row: dict) -> str:
    return "changed since approval" if row["changed_since_approval"] else row["state"]
