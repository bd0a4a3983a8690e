"""The portal as the tests meet it: a small published warehouse, accounts, a real server on 127.0.0.1.

`Home` is a CHISO_HOME with a few units' files ingested and published; `Server` runs
`chiso serve` in its own process on a free loopback port, bounded in time, killed at the end.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from builders import AS_OF, PROJECT_ROOT, csv_bytes, department_report, district_report, write
from chiso.context import RunContext
from core.settings import Settings, load_settings

CHISO = str(Path(sys.executable).parent / "chiso")
PASSWORD = "mat-khau-thu-nghiem"  # pragma: allowlist secret
MAX_FILE_BYTES = 1_000_000
# Distinctive names and words of unit 026's files: no other unit's response may contain them.
PRIVATE_FILE = "dong-van-bi-mat.csv"
PRIVATE_VALUE = "muoi-hai"

# email -> (unit, role)
ACCOUNTS = {
    "vanthu.026@dongvan.example.vn": ("026", "unit"),
    "vanthu.027@meovac.example.vn": ("027", "unit"),
    "vanthu.028@yenminh.example.vn": ("028", "unit"),
    "vanthu.029@quanba.example.vn": ("029", "unit"),
    "vanthu.skhcn@skhcn.example.vn": ("SKHCN", "unit"),
    "theodoi@tinh.example.vn": ("02", "province"),
}
CLERK_026, CLERK_027 = "vanthu.026@dongvan.example.vn", "vanthu.027@meovac.example.vn"
PROVINCE = "theodoi@tinh.example.vn"


@dataclass
class Home:
    """A CHISO_HOME with a published snapshot and the test accounts (each with an API token)."""

    root: Path
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)

    def env(self, **extra: str) -> dict[str, str]:
        variables = {
            "CHISO_HOME": str(self.root),
            "CHISO_MAX_FILE_BYTES": str(MAX_FILE_BYTES),
            "CHISO_SETTLE_SECONDS": "0",
        }
        kept = {k: v for k, v in os.environ.items() if not k.startswith("CHISO_")}
        return {**kept, **variables, **extra}

    def inbox_files(self) -> list[Path]:
        inbox = self.settings.inbox
        return sorted(p for p in inbox.iterdir() if p.is_file()) if inbox.exists() else []


def make_home(root: Path) -> Home:
    """Unit 026: an accepted file and a rejected one; 027 and SKHCN: one accepted file each; published."""
    from chiso.pipeline import ingest_paths
    from portal.accounts import Accounts

    settings = load_settings(home=root, max_file_bytes=MAX_FILE_BYTES)
    files = root / "received"
    write(files / "DP-HUYEN_026_2017Q1.csv", csv_bytes(district_report("026", "2017Q1")), "2017-04-05 09:00")
    broken = district_report("026", "2017Q2").setting("NV_CUTHE", PRIVATE_VALUE)
    write(files / PRIVATE_FILE, csv_bytes(broken), "2017-07-05 09:00")
    write(files / "DP-HUYEN_027_2017Q1.csv", csv_bytes(district_report("027", "2017Q1")), "2017-04-06 09:00")
    write(files / "DP-SN_SKHCN_2017Q1.csv", csv_bytes(department_report("SKHCN", "2017Q1")), "2017-04-25 09:00")
    ingest_paths([files], RunContext.of(settings, as_of=AS_OF), publish_snapshot=True)
    home = Home(root, settings)
    accounts = Accounts(settings.accounts)
    for email, (unit, role) in ACCOUNTS.items():
        account = accounts.add(email, unit, role)
        accounts.set_password(account.account_id, PASSWORD)
        home.tokens[email] = accounts.new_api_token(account.account_id)
    return home


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`chiso serve` on a free port of 127.0.0.1, in its own process."""

    def __init__(self, home: Home, start_seconds: float = 90.0, **env: str):
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = home.root / f"server-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [CHISO, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=home.env(**env),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=PROJECT_ROOT,
                start_new_session=True,
            )
        deadline = time.monotonic() + start_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chiso serve exited {self.process.returncode}:\n{self.log_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"chiso serve did not answer within {start_seconds} s:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-5000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    return _CSRF.search(html)[1]


def logged_in(server: Server, email: str, password: str = PASSWORD) -> httpx.Client:
    """A browser-like client with a live session of `email`."""
    client = httpx.Client(base_url=server.url, timeout=30, follow_redirects=False)
    form = client.get("/login")
    answer = client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_of(form.text)})
    assert answer.status_code == 303, answer.text
    return client


def page_csrf(client: httpx.Client) -> str:
    return csrf_of(client.get("/").text)


def api(server: Server, email: str) -> httpx.Client:
    token = server.home.tokens[email]
    return httpx.Client(base_url=server.url, timeout=60, headers={"authorization": f"Bearer {token}"})


def run_inbox(home: Home) -> subprocess.CompletedProcess:
    """The ingest, as the scheduled job runs it: inbox -> archive/quarantine, then publish."""
    return subprocess.run(
        [CHISO, "inbox", "--quiet", "--as-of", AS_OF.isoformat()],
        env=home.env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


class Writer:
    """The warehouse's one writer as the deployment runs it for the portal's approval actions (the
    `chiso_ingest` DAG's `take_approvals` task, `make portal`'s watcher): takes the waiting requests (and
    publishes), every `every` seconds, in a thread of the test's process, until stopped."""

    def __init__(self, settings: Settings, every: float = 0.1):
        import threading

        from chiso.approval.requests import take_waiting

        def run() -> None:
            while not self.stopping.wait(every):
                take_waiting(settings)  # publishes before it answers

        self.stopping = threading.Event()
        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=30)


PHONE = {"width": 375, "height": 812}  # the narrowest phone the pages are made for


def browser_page(browser, server: Server, email: str, viewport: dict | None = None, **context):
    """A page of a real browser (a 375 px phone unless said), logged in as `email`, on the home page."""
    page = browser.new_context(viewport=viewport or PHONE, **context).new_page()
    page.goto(f"{server.url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    return page
