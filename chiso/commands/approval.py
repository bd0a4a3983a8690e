"""`chiso approval`: take an approval action on a slot, or show the slots' states (for engineers and tests;
units and the province act on the portal)."""

from __future__ import annotations

from argparse import Namespace
from datetime import timedelta
from pathlib import Path

from chiso.approval import ApprovalRefused, Slot, act, action_words, slot_states
from chiso.commands import Failed
from chiso.pipeline import publish_snapshot
from core.faults import fault_point
from core.kinds import ACCOUNT_ROLES, APPROVAL_ACTIONS, APPROVAL_STATES
from core.settings import load_settings
from core.vocabulary import say
from portal.accounts import Accounts
from warehouse.db import connect_read_only


def run(args: Namespace) -> int:
    settings = load_settings()
    if args.action == "status":
        return print_status(settings.snapshot, args.unit, args.period)
    slot = Slot(args.dataset, args.unit, args.period)
    holds_role(settings.accounts, args.by, args.action, args.unit)
    try:
        done = act(
            settings,
            slot,
            args.action,
            by=args.by,
            reason=args.reason,
            request_id=args.request_id,
            until=getattr(args, "until", None),
        )
    except ApprovalRefused as refused:
        raise Failed(str(refused.text)) from None
    state = APPROVAL_STATES.text(done["state"])
    until = ""
    if done["open_until"] is not None:  # files count through the day before (chiso.approval)
        until = f" ({say('approval_deadline.open_until', until=(done['open_until'] - timedelta(days=1)).date())})"
    print(f"{done['action']} {args.unit} {args.dataset} {args.period} by {done['by_email']}: {state}{until}")
    fault_point("approval.before_publish")
    # The portal, the report and the analysts read the state from the snapshot.
    publish_snapshot(settings, cause="approval", run_id=done["request_id"])
    return 0


def holds_role(path: Path, email: str, action: str, unit_code: str) -> None:
    """The portal's account `email` is enabled and holds the action's role for the unit, or Failed."""
    accounts = Accounts(path)
    account = accounts.by_email(email)
    kind = APPROVAL_ACTIONS[action]
    if account is None or not account.approves(kind.role, unit_code, accounts.granted(account)):
        reason = say("approval.not_your_role", by=email, role=kind.role, unit_code=unit_code, **action_words(action))
        role = ACCOUNT_ROLES.codes_where("approves", kind.role)[0]
        raise Failed(f"{reason} (chiso accounts add --role {role} --unit … --email {email})")


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
