"""Approval on the portal: what each account sees and may do, and its actions queued for the one writer.

What is shown comes from the published snapshot (`slot_approvals`, `approval_changes`, `approval_log`).
An action is checked here for the account's role on each slot's unit (a clerk cannot approve, unit A's
approver cannot act on unit B, a unit cannot accept), then queued (chiso.approval.requests.ask) and
waited for: the writer judges it against the state machine and records it, or refuses it with its
reason; the page and the API say which. Nothing here writes the warehouse, and no route edits the log.
"""

from __future__ import annotations

import asyncio
import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from chiso.approval.requests import Answer, Asked, answer, ask, asker
from core.kinds import APPROVAL_ACTIONS
from portal.accounts import Account, catalog_unit
from portal.actions import Portal
from portal.errors import PortalError
from portal.views import QUERIES
from warehouse.db import query_rows

SHOWN = 500  # slots listed at most on a page or in an API answer (a year of the province: ~130)
LOG_SHOWN = 50  # actions of the log shown on a page
MAX_SLOTS = 500  # slots one request may act on (the province accepting a page at once)
MAX_REASON = 1000  # characters of a reason
ANSWER_POLL = 0.05  # seconds between two looks for the writer's answer
_PERIOD = re.compile(r"\d{4}(Q[1-4])?")


@dataclass
class SlotView:
    """One slot as an account sees it: its state, what the account may do now, the values it vouches for."""

    dataset_code: str
    unit_code: str
    period: str
    state: str
    official: bool
    locked: bool
    submission_id: int | None
    received_at: datetime | None
    changed_since_approval: bool
    last_action: str | None
    last_action_by: str | None
    last_action_at: datetime | None
    last_reason: str | None
    approved_at: datetime | None
    approved_by: str | None
    actions: list[str] = field(default_factory=list)
    values: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)

    @property
    def key(self) -> str:
        """How a form names the slot: `DATASET|UNIT|PERIOD`."""
        return f"{self.dataset_code}|{self.unit_code}|{self.period}"


def may_act(account: Account, granted: set[str], action: str, unit_code: str) -> bool:
    return account.approves(APPROVAL_ACTIONS[action].role, unit_code, granted)


def offered(account: Account, granted: set[str], slot: SlotView) -> list[str]:
    """The actions the account may take on the slot now (its role, the slot's state, a file in force)."""
    if slot.submission_id is None:
        return []
    return [
        kind.code
        for kind in APPROVAL_ACTIONS.members
        if slot.state in kind.from_states
        and not (kind.code == "accept" and slot.changed_since_approval)
        and may_act(account, granted, kind.code, slot.unit_code)
    ]


def slot_views(
    connection, account: Account, granted: set[str], period: str | None, limit: int | None
) -> list[SlotView]:
    """The slots the account sees (its unit's, or every unit's for the province), newest period first, at
    most `limit` (None: all), each with what the account may do on it now."""
    if connection is None:
        return []
    scope = None if account.is_province else account.unit_code
    slots = [SlotView(**row) for row in query_rows(connection, QUERIES / "approvals.sql", scope, period)][:limit]
    for slot in slots:
        slot.actions = offered(account, granted, slot)
    return slots


def with_details(connection, slots: list[SlotView]) -> list[SlotView]:
    """The slots, each the account may act on with the values of its file in force, each changed since
    approval with its changed values, old and new."""
    acting = [slot.submission_id for slot in slots if slot.actions and slot.submission_id is not None]
    values: dict[int, list[dict]] = {}
    for row in query_rows(connection, QUERIES / "approval_values.sql", acting) if acting else []:
        values.setdefault(row.pop("submission_id"), []).append(row)
    changes: dict[str, list[dict]] = {}
    for unit in sorted({slot.unit_code for slot in slots if slot.changed_since_approval}):
        for row in query_rows(connection, QUERIES / "approval_changes.sql", unit):
            key = f"{row.pop('dataset_code')}|{row.pop('unit_code')}|{row.pop('period')}"
            changes.setdefault(key, []).append(row)
    for slot in slots:
        slot.values = values.get(slot.submission_id, []) if slot.submission_id is not None else []
        slot.changes = changes.get(slot.key, [])
    return slots


def log_rows(connection, account: Account, period: str | None, limit: int = LOG_SHOWN) -> list[dict]:
    if connection is None:
        return []
    scope = None if account.is_province else account.unit_code
    return query_rows(connection, QUERIES / "approval_log.sql", scope, period, limit)


def until_of(text: str | None) -> date | None:
    """A reopening's last day as a form gives it (`2017-08-31`), None when left empty."""
    if not (text or "").strip():
        return None
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise PortalError(422, "portal.error_422") from None


def reason_of(text: str | None) -> str | None:
    """A reason as given, trimmed; refused when too long or holding control characters (a line break is fine)."""
    reason = (text or "").strip()
    if len(reason) > MAX_REASON:
        raise PortalError(422, "portal.approval_reason_long", limit=MAX_REASON)
    if any(unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\r\t" for c in reason):
        raise PortalError(422, "portal.approval_reason_control")
    return reason or None


def step_of(
    portal: Portal,
    account: Account,
    granted: set[str],
    action: str,
    key: str,
    reason: str | None,
    until: date | None = None,
) -> Asked:
    """One step as the account asks it, checked at the portal's door: a known action, a slot of the catalog,
    and the account's role for that slot's unit (403 otherwise, and nothing is queued). `until`: the last day
    a reopening lets files in, for a slot closed by its data set's deadline (the writer judges it)."""
    if action not in APPROVAL_ACTIONS.codes:
        raise PortalError(422, "portal.approval_unknown_action")
    dataset_code, _, rest = key.partition("|")
    unit_text, _, period = rest.partition("|")
    unit_code = catalog_unit(portal.catalog.units, unit_text)
    if dataset_code not in portal.catalog.datasets or unit_code is None or not _PERIOD.fullmatch(period):
        raise PortalError(404, "portal.error_404")
    if not account.may_see(unit_code):
        raise PortalError(404, "portal.error_404")  # another unit's report: as if it did not exist
    if not may_act(account, granted, action, unit_code):
        raise PortalError(403, "portal.approval_not_your_role")
    return Asked(dataset_code, unit_code, period, action, reason, until.isoformat() if until else None)


async def take(portal: Portal, account: Account, steps: list[Asked]) -> tuple[str, Answer | None]:
    """Queue the steps for the writer and wait up to CHISO_PORTAL_ACTION_WAIT seconds for its answer:
    (the request's id, the answer, or None while it is still being recorded)."""
    if not 0 < len(steps) <= MAX_SLOTS:
        raise PortalError(422, "portal.approval_slot_count", limit=MAX_SLOTS)
    inbox = portal.settings.inbox
    request_id = await asyncio.to_thread(ask, inbox, account.email, steps)
    deadline = time.monotonic() + portal.settings.portal_action_wait
    while True:
        found = await asyncio.to_thread(answer, inbox, request_id)
        if found is not None or time.monotonic() >= deadline:
            return request_id, found
        await asyncio.sleep(ANSWER_POLL)


def answer_for(portal: Portal, account: Account, request_id: str) -> Answer | None:
    """A request's answer, to the account that asked only (None: waiting, or not this account's)."""
    found = answer(portal.settings.inbox, request_id)
    return found if found is not None and found.by == account.email else None


def asked_by(portal: Portal, account: Account, request_id: str) -> bool:
    return asker(portal.settings.inbox, request_id) == account.email
