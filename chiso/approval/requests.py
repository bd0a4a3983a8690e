"""The portal's approval actions, queued for the one writer: asked as files, taken once, answered as files.

The portal never writes the warehouse. A click (or an API call) becomes a request file written
whole in the inbox's `.approvals/waiting/` (`ask`); the writer — the `chiso_ingest` DAG's
`take_approvals` task, `chiso inbox`, `make portal`'s watcher — takes the waiting requests in order
(`take_waiting`), each in one transaction (a page of acceptances: all or none), publishes the
snapshot, then writes each answer to `.approvals/answered/` (`answer`), which the portal reads to
tell the person who clicked: an answer comes once the published views show it.

Exactly once across a crash at any point: each step of a request carries the request id and its
position as its `request_id` in `approval_log`, so a request taken again after a crash (its file is
removed only once its answer is written) finds its actions already taken and answers with them.
Two reviewers acting on one slot at once: their requests are taken one after the other; the second
meets the state the first left and is refused with its reason.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

from chiso import arrivals
from chiso.approval import ApprovalRefused, Slot, Step, act_all
from chiso.pipeline import publish_snapshot
from core.faults import fault_point
from core.kinds import APPROVAL_ACTIONS
from core.settings import Settings
from core.vocabulary import Text, say

ANSWERED = Path(".approvals") / "answered"
MAX_REQUEST_BYTES = 256 * 1024  # a page of acceptances is a few hundred steps of ~200 bytes
MAX_STEPS = 1000
KEEP_ANSWERS_DAYS = 7  # an answer is read within seconds; kept a week for the person who closed the page


@dataclass(frozen=True)
class Asked:
    """One step of a request as the portal asks it."""

    dataset_code: str
    unit_code: str
    period: str
    action: str
    reason: str | None = None
    until: str | None = None  # a reopening's last day (ISO date), for a slot closed by its deadline


@dataclass(frozen=True)
class Answer:
    request_id: str
    by: str
    outcome: str  # done | refused
    text: Text | None  # why it was refused
    actions: list[dict]  # the log's rows of the actions taken

    @property
    def done(self) -> bool:
        return self.outcome == "done"


def ask(inbox: Path, by: str, steps: list[Asked]) -> str:
    """Queue the steps, taken together by `by`, for the writer; the request's id (its answer's name)."""
    request_id = f"{time.time_ns():020d}-{secrets.token_hex(6)}"
    record = {"request_id": request_id, "by": by, "steps": [asdict(step) for step in steps]}
    _write_whole(inbox / arrivals.WAITING_REQUESTS / f"{request_id}.json", record)
    return request_id


def waiting_ids(inbox: Path) -> set[str]:
    return {path.stem for path in arrivals.waiting_requests(inbox)}


def answer(inbox: Path, request_id: str) -> Answer | None:
    """The writer's answer to a request; None while it waits (or for an id that was never asked)."""
    if not _is_request_id(request_id):
        return None
    try:
        record = json.loads((inbox / ANSWERED / f"{request_id}.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    text = Text(**record["text"]) if record["text"] else None
    return Answer(record["request_id"], record["by"], record["outcome"], text, record["actions"])


def asker(inbox: Path, request_id: str) -> str | None:
    """Who asked a request, waiting or answered; None for an id never asked."""
    if not _is_request_id(request_id):
        return None
    try:  # before its answer: the answer is written before the waiting file goes
        return json.loads((inbox / arrivals.WAITING_REQUESTS / f"{request_id}.json").read_text(encoding="utf-8"))["by"]
    except FileNotFoundError:
        found = answer(inbox, request_id)
        return found.by if found else None


def take_waiting(settings: Settings) -> dict[str, int]:
    """Take every waiting request in order, publish the snapshot when any was done, then answer each:
    an answer `done` means the published views show it. How many were done and refused.

    The caller holds no writer lock (each request takes it, as `chiso approval` does).
    """
    waiting = arrivals.waiting_requests(settings.inbox)
    taken = [(path, _take(settings, path)) for path in waiting]
    counts = {"done": sum(t.done for _, t in taken), "refused": sum(not t.done for _, t in taken)}
    if counts["done"]:
        publish_snapshot(settings, cause="approval", run_id=",".join(t.request_id for _, t in taken if t.done))
    for path, answered in taken:
        _write_whole(settings.inbox / ANSWERED / f"{answered.request_id}.json", _record(answered))
        fault_point("approval_request.answered")
        path.unlink(missing_ok=True)
    if waiting:
        _sweep_answers(settings.inbox / ANSWERED)
    return counts


def _take(settings: Settings, path: Path) -> Answer:
    request_id = path.stem
    try:
        by, steps = _read(path)
    except (OSError, ValueError, KeyError, TypeError) as problem:
        return Answer(request_id, "", "refused", say("approval_request.unreadable", problem=type(problem).__name__), [])
    try:
        actions = act_all(settings, steps)
    except ApprovalRefused as refused:
        text = refused.text
        if refused.slot is not None and len(steps) > 1:  # which report of the page
            text = say("approval_request.slot_refused", **refused.slot.fields(), reason_vi=text.vi, reason_en=text.en)
        return Answer(request_id, by, "refused", text, [])
    fault_point("approval_request.taken")
    return Answer(request_id, by, "done", None, [_plain(row) for row in actions])


def _read(path: Path) -> tuple[str, list[Step]]:
    """A request file's steps, checked as untrusted input: the portal wrote it, but the inbox is a shared folder."""
    if path.stat().st_size > MAX_REQUEST_BYTES:
        raise ValueError("request too large")
    record = json.loads(path.read_text(encoding="utf-8"))
    by, asked = record["by"], record["steps"]
    if not isinstance(by, str) or not isinstance(asked, list) or not 0 < len(asked) <= MAX_STEPS:
        raise ValueError("malformed request")
    steps = []
    for number, fields in enumerate(asked, 1):
        step = Asked(**fields)
        texts = (step.dataset_code, step.unit_code, step.period, step.action)
        if not all(isinstance(text, str) for text in texts) or step.action not in APPROVAL_ACTIONS.codes:
            raise ValueError("malformed step")
        if step.reason is not None and not isinstance(step.reason, str):
            raise ValueError("malformed reason")
        until = date.fromisoformat(step.until) if step.until else None
        slot = Slot(step.dataset_code, step.unit_code, step.period)
        steps.append(Step(slot, step.action, by, step.reason, f"{path.stem}.{number}", until))
    return by, steps


def _plain(row: dict) -> dict:
    """A log row as JSON keeps it: times and dates as ISO text."""
    return {key: value.isoformat() if isinstance(value, date | datetime) else value for key, value in row.items()}


def _record(taken: Answer) -> dict:
    record = asdict(taken)
    record["text"] = {"vi": taken.text.vi, "en": taken.text.en} if taken.text else None
    return record


def _write_whole(path: Path, record: dict) -> None:
    """Written beside, flushed, then renamed: a reader never sees half a request or half an answer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    with open(partial, "w", encoding="utf-8") as file:
        json.dump(record, file, ensure_ascii=False)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)


def _is_request_id(text: str) -> bool:
    """`ask`'s ids only: an id from a URL never names another path."""
    number, _, token = text.partition("-")
    return len(number) == 20 and number.isdigit() and len(token) == 12 and all(c in "0123456789abcdef" for c in token)


def _sweep_answers(folder: Path) -> None:
    before = time.time() - KEEP_ANSWERS_DAYS * 86400
    for path in folder.glob("*.json"):
        if path.stat().st_mtime < before:
            path.unlink(missing_ok=True)
