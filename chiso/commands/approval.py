"""`chiso approval`: take an approval action on a slot, or show the slots' states (for engineers and tests;
units and the province act on the portal)."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

from chiso.approval import ApprovalRefused, Slot, act, slot_states
from chiso.commands import Failed
from chiso.pipeline import publish_snapshot
from core.kinds import APPROVAL_STATES
from core.settings import load_settings
from warehouse.db import connect_read_only


def run(args: Namespace) -> int:
    settings = load_settings()
    if args.action == "status":
        return print_status(settings.snapshot, args.unit, args.period)
    slot = Slot(args.dataset, args.unit, args.period)
    try:
        done = act(settings, slot, args.action, by=args.by, reason=args.reason)
    except ApprovalRefused as refused:
        raise Failed(str(refused.text)) from None
    state = APPROVAL_STATES.text(done["state"])
    print(f"{done['action']} {args.unit} {args.dataset} {args.period} by {done['by_email']}: {state}")
    publish_snapshot(settings)  # the portal, the report and the analysts read the state from the snapshot
    return 0


def print_status(snapshot: Path, unit: str | None, period: str | None) -> int:
    """The published states (`chiso approval ACTION` publishes after each action)."""
    with connect_read_only(snapshot) as connection:
        rows = slot_states(connection, unit=unit, period=period)
    for row in rows:
        changed = "  (values changed since approval)" if row["changed_since_approval"] else ""
        last = f"{row['last_action']} by {row['last_action_by']} {row['last_action_at']}" if row["last_action"] else ""
        print(f"{row['unit_code']:<8} {row['dataset_code']:<10} {row['period']:<7} {row['state']:<9} {last}{changed}")
    print(f"{len(rows)} slots")
    return 0
