"""Uploads cannot take the portal down: hostile workbooks are read under a memory cap, uploads beyond
the portal's slots wait outside (503, Retry-After), a check tells a unit nothing of another unit's
files, and nothing staged outlives the request that staged it, a killed server included."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from portal_helpers import ACCOUNTS, CLERK_026, CLERK_027, Server, api
from reliability.test_hostile import shared_string_in_every_cell

PORTAL_RSS_BYTES = 600 * 1024**2
UNITS = [email for email, (_, role) in ACCOUNTS.items() if role == "unit"]


def _tree_rss(root: int) -> int:
    """Resident memory of a process and its children (the reader processes), in bytes."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS")), 0)
    return total


def test_ten_of_the_worst_workbooks_at_once_keep_the_portal_and_its_readers_small(server):
    bomb = shared_string_in_every_cell()
    peak, stop = [0], threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss(server.process.pid))
            time.sleep(0.02)

    def check(email: str) -> httpx.Response:
        with api(server, email) as client:
            return client.post("/api/v1/dry-run", files={"file": ("bao-cao.xlsx", bomb)})

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        senders = [UNITS[n % len(UNITS)] for n in range(10)]  # two at once from each of five units
        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(check, senders))
    finally:
        stop.set()
        sampler.join()
    print(f"peak resident memory of the portal and its readers: {peak[0] / 1024**2:.0f} MB")
    assert peak[0] < PORTAL_RSS_BYTES, f"{peak[0] / 1024**2:.0f} MB"
    judged = [answer for answer in answers if answer.status_code == 200]
    assert len(judged) >= 8  # two at a time per account: any others were told when to come back
    busy = [a for a in answers if a not in judged]
    assert all(a.status_code == 503 and int(a.headers["retry-after"]) >= 1 for a in busy)
    for answer in judged:
        (reason,) = answer.json()["reasons"]
        assert reason["rule"] == "1" and "MB of memory" in reason["en"] and "MB bộ nhớ" in reason["vi"]
    # The server and its readers go on: a good check right after.
    with api(server, CLERK_026) as client:
        assert client.get("/api/v1/obligations").status_code == 200


def _slow_upload(server: Server, email: str) -> socket.socket:
    """An upload whose headers arrive and whose body does not (yet): it holds an upload slot."""
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    head = (
        "POST /api/v1/dry-run HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {server.home.tokens[email]}\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\n"
    )
    connection.sendall(head.encode())
    return connection


def test_uploads_beyond_an_accounts_share_or_the_portals_slots_wait_outside_with_retry_after(home):
    server = Server(home, CHISO_PORTAL_UPLOADS_AT_ONCE="3")
    held = []
    try:
        held += [_slow_upload(server, CLERK_026), _slow_upload(server, CLERK_026)]
        time.sleep(0.5)
        with api(server, CLERK_026) as client:
            third = client.post("/api/v1/dry-run", files={"file": ("a.csv", b"x")})
        assert third.status_code == 503 and int(third.headers["retry-after"]) >= 1
        assert "thử lại sau" in third.json()["vi"] and "try again in" in third.json()["en"]
        held.append(_slow_upload(server, CLERK_027))  # the third slot: another unit's share
        time.sleep(0.5)
        with api(server, UNITS[2]) as client:
            assert client.post("/api/v1/dry-run", files={"file": ("a.csv", b"x")}).status_code == 503
        for connection in held:
            connection.close()
        held.clear()
        deadline = time.monotonic() + 10
        while True:  # the slots come back once their uploads are gone
            with api(server, UNITS[2]) as client:
                answer = client.post("/api/v1/dry-run", files={"file": ("a.pdf", b"x")})
            if answer.status_code != 503 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert answer.status_code == 200 and answer.json()["status"] == "rejected"
    finally:
        for connection in held:
            connection.close()
        server.stop()


def test_a_check_tells_a_unit_nothing_of_another_units_file(server, home):
    theirs = (home.root / "received" / "DP-HUYEN_026_2017Q1.csv").read_bytes()
    with api(server, CLERK_027) as client:
        verdict = client.post("/api/v1/dry-run", files={"file": ("x.csv", theirs)}).json()
    assert verdict["status"] == "rejected"
    assert [reason["check"] for reason in verdict["reasons"]] == ["other_unit"]
    with api(server, CLERK_026) as client:  # the unit's own file: a duplicate, with its number
        own = client.post("/api/v1/dry-run", files={"file": ("x.csv", theirs)}).json()
    assert own["status"] == "duplicate" and any(char.isdigit() for char in own["reasons"][0]["en"])


@pytest.mark.parametrize("route", ["/api/v1/dry-run", "/api/v1/submissions"])
def test_an_upload_staged_by_a_server_killed_mid_request_is_gone_when_a_server_starts(home, route):
    staging = home.settings.inbox / ".portal"
    before = set(staging.glob("*")) if staging.exists() else set()
    server = Server(home, CHISO_FAULT="portal.staged:sleep60")
    try:
        with api(server, CLERK_026) as client:
            sending = threading.Thread(
                target=lambda: _ignore(lambda: client.post(route, files={"file": ("r.csv", b"a,b\n1,2\n")}))
            )
            sending.start()
            deadline = time.monotonic() + 20
            while not (set(staging.glob("*")) - before) and time.monotonic() < deadline:
                time.sleep(0.05)
            (left,) = set(staging.glob("*")) - before
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)
            sending.join(timeout=20)
    finally:
        server.stop()
    assert left.exists()  # the crash left it behind ...
    live = staging / f"{os.getppid()}-{'0' * 32}.csv"  # ... beside a live server's upload, which stays
    live.write_bytes(b"in flight")
    restarted = Server(home)
    try:
        assert not left.exists() and live.exists()
        assert "left staged" in restarted.log_text()
    finally:
        restarted.stop()
        live.unlink()


def _ignore(call) -> None:
    with contextlib.suppress(httpx.HTTPError):
        call()
