"""`make portal` (dev.portal_demo): run again and again, on any port, a send's verdict within seconds."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest
from portal_helpers import PROJECT_ROOT, free_port, make_home, page_csrf

from builders import csv_bytes, district_report
from portal.accounts import Accounts
from warehouse.db import connect_read_only


@pytest.fixture
def demo_home(tmp_path):
    return make_home(tmp_path / "home")


def test_make_portal_twice_after_an_account_was_disabled_leaves_it_and_prints_every_password(demo_home):
    from dev.portal_demo import demo_accounts

    demo_accounts(demo_home.settings)
    accounts = Accounts(demo_home.settings.accounts)
    accounts.disable("027@demo.chiso.invalid")
    printed = []
    again = demo_accounts(demo_home.settings, lambda account: printed.append(account.line()))
    # 2 provinces, 21 departments (12, SNNMT, 8 -TQ), 11 districts, the provincial city's 3 communes
    assert len(again) == len(printed) == 2 + 21 + 11 + 3
    states = {account.email: account.state for account in again}
    assert states["027@demo.chiso.invalid"] == "disabled" and set(states.values()) == {"existing", "disabled"}
    assert accounts.by_email("027@demo.chiso.invalid") is None  # left disabled
    line_027 = next(line for line in printed if "027@" in line)
    assert "disabled" in line_027 and "chiso accounts enable --email 027@demo.chiso.invalid" in line_027
    for account, line in zip(again, printed, strict=True):
        if account.state != "disabled":
            assert account.password in line
    # the printed passwords let their owners in: one account of each kind of unit (a hash is 0.2 s by design)
    # a province's code has 2 digits, a district's 3, a commune's 5; a department's is letters
    kinds = {
        len(account.unit_code) if account.unit_code.isdigit() else "department": account
        for account in again
        if account.state != "disabled"
    }
    assert sorted(kinds, key=str) == [2, 3, 5, "department"]
    for account in kinds.values():
        assert accounts.authenticate(account.email, account.password) is not None


def test_make_portal_on_another_port_lands_a_sends_verdict_within_seconds(demo_home):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHISO_")}
    env.update(CHISO_HOME=str(demo_home.root), PORT=str(port))
    log = demo_home.root / "demo.log"
    with log.open("wb") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "dev.portal_demo"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert demo.poll() is None and time.monotonic() < deadline, log.read_text()
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        printed = log.read_text()
        password = re.search(r"026@demo\.chiso\.invalid\s+026\s+unit\s+(\S+)", printed)[1]
        assert f"Notices link to {url}" in printed
        clerk = httpx.Client(base_url=url, timeout=30)
        form = clerk.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)[1]
        login = {"email": "026@demo.chiso.invalid", "password": password, "csrf_token": token}
        logged = clerk.post("/login", data=login)
        assert logged.status_code == 303, logged.text
        data = csv_bytes(district_report("026", "2017Q3"))
        sent_at = time.monotonic()
        sent = clerk.post("/send", data={"csrf_token": page_csrf(clerk)}, files={"file": ("bao cao Q3.csv", data)})
        assert sent.status_code == 303 and sent.headers["location"].startswith("/sends/"), sent.text
        page = clerk.get(sent.headers["location"])
        assert page.status_code == 200 and "bao cao Q3.csv" in page.text, page.text
        while True:
            with connect_read_only(demo_home.settings.snapshot) as db:
                found = db.execute(
                    "select status from submissions where dataset_code = 'DP-HUYEN' and period = '2017Q3'"
                ).fetchall()
            if found:
                break
            assert time.monotonic() - sent_at < 15, log.read_text()
            time.sleep(0.2)
        seconds = time.monotonic() - sent_at
        print(f"send -> verdict in the snapshot: {seconds:.1f} s")
        assert found == [("accepted",)] and seconds < 15

        # The unit's demo account is its approver too: a click is recorded by the demo's watcher.
        approvals = clerk.get("/approvals?period=2017Q3").text
        click = {"csrf_token": page_csrf(clerk), "action": "approve", "slot": "DP-HUYEN|026|2017Q3"}
        assert 'value="DP-HUYEN|026|2017Q3"' in approvals
        answered = clerk.get(clerk.post("/approvals", data=click).headers["location"])
        assert "1 action recorded" in answered.text, answered.text
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(timeout=30)
