"""Approval of a slot (unit × data set × period): the unit's approver vouches for the file in force,
the province's reviewer accepts it — its figures become official and the slot is locked — or returns
it with a reason; the province may reopen an accepted slot, and a slot its data set's deadline closed
(`lock_after_days`), whatever its state, until a date.

The state machine is data (`core.kinds.APPROVAL_ACTIONS`: who, from which states, to which); the
state of a slot is derived from the append-only `approval_log` (the view `slot_approvals`). An action
is applied under the warehouse's one writer, in one transaction, once per `request_id`: a caller that
retries after a crash gets the action it already took, never a second one. Who may act (the roles of
an account for a unit) is the interface's to check: the application records who acted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from core.catalog import Catalog
from core.faults import fault_point
from core.kinds import APPROVAL_ACTIONS, APPROVAL_STATES
from core.periods import Period
from core.settings import Settings
from core.vocabulary import Text, say
from expectations.frames import slot_closes_on
from warehouse.db import connect, query_rows, read_sql, transaction
from warehouse.lock import writer_lock

QUERIES = Path(__file__).resolve().parent / "queries"
# A reopening of a slot its data set's deadline closed lasts through this many days unless the
# reviewer gives the last day (`chiso approval reopen --until DATE`); docs/approval.md says so.
REOPEN_DAYS = 14


class ApprovalRefused(ValueError):
    """An action the state machine does not allow now; `text` says why in both languages."""

    def __init__(self, text: Text):
        super().__init__(str(text))
        self.text = text
        self.slot: Slot | None = None  # the slot refused, when act_all took many


@dataclass(frozen=True)
class Slot:
    dataset_code: str
    unit_code: str
    period: str

    def fields(self) -> dict[str, str]:
        return {"dataset_code": self.dataset_code, "unit_code": self.unit_code, "period": self.period}


@dataclass(frozen=True)
class Step:
    """One action to take on one slot, by someone; `request_id` makes a retry of it count once.
    `until`: the last day a reopening of a slot closed by its deadline lets files in (default: today
    + REOPEN_DAYS); a reopening of a slot its deadline has not closed lasts until the next acceptance."""

    slot: Slot
    action: str
    by: str
    reason: str | None = None
    request_id: str | None = None
    until: date | None = None


def act(
    settings: Settings,
    slot: Slot,
    action: str,
    *,
    by: str,
    reason: str | None = None,
    request_id: str | None = None,
    until: date | None = None,
) -> dict:
    """Take `action` on `slot` as `by`; the log's row of it. Raises ApprovalRefused when not allowed."""
    return act_all(settings, [Step(slot, action, by, reason, request_id, until)])[0]


def act_all(settings: Settings, steps: list[Step]) -> list[dict]:
    """Take the steps in order, all or none (the province accepting many reports at once): one writer
    lock, one transaction. The log's rows of them; ApprovalRefused at the first step not allowed."""
    catalog = Catalog(settings.catalog_dir)
    now = datetime.now(catalog.timezone).replace(tzinfo=None, microsecond=0)
    with (
        writer_lock(settings.warehouse),
        connect(settings.warehouse) as connection,
    ):
        with transaction(connection):
            done = [_named(step, lambda step=step: _take(connection, catalog, step, now)) for step in steps]
            fault_point("approval.before_commit")
        fault_point("approval.committed")
        return done


def _named(step: Step, take) -> dict:
    """`take()`, its refusal naming the slot when it is one of many (which report of a page was refused)."""
    try:
        return take()
    except ApprovalRefused as refused:
        refused.slot = step.slot
        raise


def _take(connection, catalog: Catalog, step: Step, now: datetime) -> dict:
    slot, action, reason = step.slot, step.action, step.reason
    kind = APPROVAL_ACTIONS[action]
    request_id = step.request_id or uuid.uuid4().hex
    taken = query_rows(connection, QUERIES / "action_taken.sql", request_id)
    if taken:
        return taken[0]
    found = query_rows(connection, QUERIES / "slot_state.sql", slot.dataset_code, slot.unit_code, slot.period)
    words = action_words(action)
    closes_on = _closes_on(catalog, slot)
    if action == "reopen" and closes_on is not None and now.date() > closes_on:
        return _reopen_closed(connection, catalog, step, request_id, now, found[0] if found else None)
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
    return _record(connection, step, request_id, now, kind.to_state, state, None)


def _reopen_closed(connection, catalog: Catalog, step: Step, request_id: str, now: datetime, state) -> dict:
    """Reopen a slot its data set's deadline closed: in any state, with or without a file, until a day.
    An accepted slot becomes `received` (open until the next acceptance, as any reopening); any other
    keeps the state its log left it in (an approval stands: reopening lets files in, it judges none)."""
    if not (step.reason or "").strip():
        raise ApprovalRefused(say("approval.reason_needed", **action_words(step.action)))
    today = now.date()
    last_day = step.until or today + timedelta(days=REOPEN_DAYS)
    if last_day < today:
        raise ApprovalRefused(say("approval_deadline.until_past", until=last_day, today=today))
    slot = step.slot
    logged = query_rows(connection, QUERIES / "last_logged_state.sql", slot.dataset_code, slot.unit_code, slot.period)
    kept = logged[0]["state"] if logged else "received"
    to_state = APPROVAL_ACTIONS[step.action].to_state if kept == "accepted" else kept
    open_until = datetime.combine(last_day + timedelta(days=1), time())  # files count through last_day
    return _record(connection, step, request_id, now, to_state, state, open_until)


def _record(connection, step: Step, request_id: str, now: datetime, to_state: str, state, open_until) -> dict:
    """Append the action to the log; its row as recorded."""
    slot = step.slot
    connection.execute(
        read_sql(QUERIES / "record_action.sql"),
        [
            request_id,
            slot.dataset_code,
            slot.unit_code,
            slot.period,
            step.action,
            to_state,
            step.by,
            now,
            (step.reason or "").strip() or None,
            state["submission_id"] if state else None,
            state["values_digest"] if state else None,
            open_until,
        ],
    )
    return query_rows(connection, QUERIES / "action_taken.sql", request_id)[0]


def _closes_on(catalog: Catalog, slot: Slot) -> date | None:
    """The last day the slot takes files by its data set's deadline (None: never closes, or a slot
    the catalog does not know, which no file can have reached)."""
    period = Period.parse(slot.period)
    if slot.dataset_code not in catalog.datasets or period is None:
        return None
    if period.type != catalog.datasets[slot.dataset_code]["period_type"]:
        return None
    return slot_closes_on(catalog, slot.dataset_code, period)


def slot_states(connection, *, unit: str | None = None, period: str | None = None) -> list[dict]:
    """Each slot's row of `slot_approvals` (of a unit, of a period), in the order a reader scans them."""
    return query_rows(connection, QUERIES / "status.sql", unit, period)


def action_words(action: str) -> dict[str, str]:
    """An action's name as a reason's fields say it, in both languages (`action_vi`, `action_en`)."""
    words = APPROVAL_ACTIONS.text(action)
    return {"action_vi": words.vi.lower(), "action_en": words.en.lower()}
