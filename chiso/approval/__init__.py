"""Approval of a slot (unit × data set × period): the unit's approver vouches for the file in force,
the province's reviewer accepts it — its figures become official and the slot is locked — or returns
it with a reason; the province may reopen an accepted slot.

The state machine is data (`core.kinds.APPROVAL_ACTIONS`: who, from which states, to which); the
state of a slot is derived from the append-only `approval_log` (the view `slot_approvals`). An action
is applied under the warehouse's one writer, in one transaction, once per `request_id`: a caller that
retries after a crash gets the action it already took, never a second one. Who may act (the roles of
an account for a unit) is the interface's to check: the application records who acted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from core.catalog import Catalog
from core.kinds import APPROVAL_ACTIONS, APPROVAL_STATES
from core.settings import Settings
from core.vocabulary import Text, say
from warehouse.db import connect, query_rows, read_sql, transaction
from warehouse.lock import writer_lock

QUERIES = Path(__file__).resolve().parent / "queries"


class ApprovalRefused(ValueError):
    """An action the state machine does not allow now; `text` says why in both languages."""

    def __init__(self, text: Text):
        super().__init__(str(text))
        self.text = text


@dataclass(frozen=True)
class Slot:
    dataset_code: str
    unit_code: str
    period: str

    def fields(self) -> dict[str, str]:
        return {"dataset_code": self.dataset_code, "unit_code": self.unit_code, "period": self.period}


@dataclass(frozen=True)
class Step:
    """One action to take on one slot, by someone; `request_id` makes a retry of it count once."""

    slot: Slot
    action: str
    by: str
    reason: str | None = None
    request_id: str | None = None


def act(
    settings: Settings,
    slot: Slot,
    action: str,
    *,
    by: str,
    reason: str | None = None,
    request_id: str | None = None,
) -> dict:
    """Take `action` on `slot` as `by`; the log's row of it. Raises ApprovalRefused when not allowed."""
    return act_all(settings, [Step(slot, action, by, reason, request_id)])[0]


def act_all(settings: Settings, steps: list[Step]) -> list[dict]:
    """Take the steps in order, all or none (the province accepting many reports at once): one writer
    lock, one transaction. The log's rows of them; ApprovalRefused at the first step not allowed."""
    now = datetime.now(Catalog(settings.catalog_dir).timezone).replace(tzinfo=None, microsecond=0)
    with (
        writer_lock(settings.warehouse),
        connect(settings.warehouse) as connection,
        transaction(connection),
    ):
        return [_take(connection, step, now) for step in steps]


def _take(connection, step: Step, now: datetime) -> dict:
    slot, action, reason = step.slot, step.action, step.reason
    kind = APPROVAL_ACTIONS[action]
    request_id = step.request_id or uuid.uuid4().hex
    taken = query_rows(connection, QUERIES / "action_taken.sql", request_id)
    if taken:
        return taken[0]
    found = query_rows(connection, QUERIES / "slot_state.sql", slot.dataset_code, slot.unit_code, slot.period)
    words = action_words(action)
    if not found or found[0]["submission_id"] is None:
        raise ApprovalRefused(say("approval.nothing_received", **slot.fields(), **words))
    state = found[0]
    if action == "accept" and state["changed_since_approval"]:
        raise ApprovalRefused(say("approval.changed_since_approval", received_at=state["received_at"]))
    if state["state"] not in kind.from_states:
        state_words = APPROVAL_STATES.text(state["state"])
        raise ApprovalRefused(say("approval.not_from_state", **words, state_vi=state_words.vi, state_en=state_words.en))
    if kind.needs_reason and not (reason or "").strip():
        raise ApprovalRefused(say("approval.reason_needed", **words))
    connection.execute(
        read_sql(QUERIES / "record_action.sql"),
        [
            request_id,
            slot.dataset_code,
            slot.unit_code,
            slot.period,
            action,
            kind.to_state,
            step.by,
            now,
            (reason or "").strip() or None,
            state["submission_id"],
            state["values_digest"],
        ],
    )
    return query_rows(connection, QUERIES / "action_taken.sql", request_id)[0]


def slot_states(connection, *, unit: str | None = None, period: str | None = None) -> list[dict]:
    """Each slot's row of `slot_approvals` (of a unit, of a period), in the order a reader scans them."""
    return query_rows(connection, QUERIES / "status.sql", unit, period)


def action_words(action: str) -> dict[str, str]:
    """An action's name as a reason's fields say it, in both languages (`action_vi`, `action_en`)."""
    words = APPROVAL_ACTIONS.text(action)
    return {"action_vi": words.vi.lower(), "action_en": words.en.lower()}
