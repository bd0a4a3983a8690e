"""The inbox watcher (chiso.airflow_glue.triggers.InboxTrigger) driven as the triggerer drives it: its events."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time

import pytest

from chiso import arrivals

POLL = 0.05  # seconds between polls here (the DAG's watcher: 1 s)
SETTLE = 0.6  # seconds a copied file must stay unchanged here


async def events_within(trigger_run, seconds: float) -> list[dict]:
    """Every event the running trigger yields within `seconds`."""
    found = []

    async def collect():
        async for event in trigger_run:
            found.append(event.payload)

    with contextlib.suppress(TimeoutError):  # the watcher never ends by itself
        await asyncio.wait_for(collect(), seconds)
    return found


def run_for(trigger, seconds: float, while_running=None) -> list[dict]:
    """Run the trigger for `seconds`, with the coroutine `while_running()` awaited alongside it."""

    async def main():
        run = trigger.run()
        watching = asyncio.ensure_future(events_within(run, seconds))
        if while_running:
            await while_running()
        events = await watching
        await run.aclose()
        return events

    return asyncio.run(main())


def copied(inbox, name: str, age: float = 0.0) -> None:
    path = inbox / name
    path.write_text("data_set,unit_code\n", encoding="utf-8")
    if age:
        then = time.time() - age
        os.utime(path, (then, then))


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


@pytest.fixture
def watcher(airflow_env):
    """The watcher on a folder (imported here: Airflow must read the tests' configuration first)."""
    from chiso.airflow_glue.triggers import InboxTrigger

    return lambda inbox: InboxTrigger(str(inbox), settle_seconds=SETTLE, poll_interval=POLL, max_wait_seconds=5)


def test_a_burst_of_sends_fires_once(inbox, watcher):
    async def burst():
        await asyncio.sleep(3 * POLL)
        for number in range(20):
            copied(inbox, f"send-{number:02d}.csv")
            arrivals.announce(inbox, f"send-{number:02d}.csv")

    events = run_for(watcher(inbox), 1.0, burst)
    assert [e["new_files"] for e in events] == [20]


def test_an_announced_send_fires_without_waiting_to_settle(inbox, watcher):
    async def send():
        await asyncio.sleep(3 * POLL)
        copied(inbox, "send.csv")
        arrivals.announce(inbox, "send.csv")

    started = time.monotonic()
    events = run_for(watcher(inbox), SETTLE / 2, send)
    assert [e["new_files"] for e in events] == [1], f"no event within {time.monotonic() - started:.2f} s"


def test_a_portal_approval_request_fires_at_once(inbox, watcher):
    from chiso.approval.requests import Asked, ask

    async def click():
        await asyncio.sleep(3 * POLL)
        ask(inbox, "truongphong@example.vn", [Asked("DP-HUYEN", "026", "2017Q1", "approve")])

    events = run_for(watcher(inbox), SETTLE / 2, click)
    assert [e["new_files"] for e in events] == [1]


def test_a_copied_file_fires_only_once_it_has_settled(inbox, watcher):
    copied(inbox, "copied.csv")
    assert run_for(watcher(inbox), SETTLE / 2) == []
    events = run_for(watcher(inbox), SETTLE * 2)
    assert [e["new_files"] for e in events] == [1]


def test_hidden_partial_uploads_never_fire(inbox, watcher):
    copied(inbox, ".send.csv.part", age=10)
    assert run_for(watcher(inbox), 5 * POLL) == []


def test_a_file_fires_once_and_again_when_sent_again(inbox, watcher):
    copied(inbox, "report.csv", age=10)

    async def resend():
        await asyncio.sleep(10 * POLL)  # fired by now, and not again
        (inbox / "report.csv").unlink()  # the run moved it to the archive
        await asyncio.sleep(3 * POLL)
        copied(inbox, "report.csv", age=10)  # the same name again: a new file

    events = run_for(watcher(inbox), 30 * POLL, resend)
    assert [e["new_files"] for e in events] == [1, 1]
