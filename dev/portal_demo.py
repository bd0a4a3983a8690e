"""`make portal`: the portal on `make run`'s data, with a demo account for every unit and the province.

Runs `make run`'s pipeline first when there is no snapshot yet; gives each enabled demo account a
new password, printed as it is set (a disabled one is left disabled, and said so; one that exists
is kept), so a second `make portal` never fails. A watcher ingests a file the moment the portal
announces its send (`chiso.arrivals`), with the `chiso inbox` run (the loader: the portal itself
never writes the warehouse; deployed, the chiso_ingest DAG does this), and every INGEST_EVERY
seconds what was copied into the inbox by hand. Then serves on 127.0.0.1:PORT (`--port`, `PORT=`
for make; 8000), with CHISO_PORTAL_URL pointing there unless it is set, so the notices link to it.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from chiso import arrivals
from core.catalog import Catalog
from core.settings import load_settings
from portal.accounts import Accounts

WATCH_EVERY = 0.5  # seconds between two looks for an announced send
INGEST_EVERY = 20  # seconds between two runs for files copied into the inbox by hand
DEFAULT_PORT = 8000
DEMO_DOMAIN = "demo.chiso.invalid"  # a reserved name: no notice to a demo address can leave the machine
CHISO = str(Path(sys.executable).parent / "chiso")


class DemoAccount(NamedTuple):
    email: str
    unit_code: str
    role: str
    password: str | None  # None: disabled, left so
    state: str  # new | existing | disabled

    def line(self) -> str:
        shown = {
            "new": f"{self.password}  (new account)",
            "existing": f"{self.password}  (new password)",
            "disabled": f"(disabled: left so, no password set; `chiso accounts enable --email {self.email}`)",
        }[self.state]
        return f"  {self.email:<32} {self.unit_code:<8} {self.role:<8} {shown}"


def demo_accounts(settings, said: Callable[[DemoAccount], None] = lambda account: None) -> list[DemoAccount]:
    """Every demo account, each enabled one with a new password; `said` gets each as soon as it is set."""
    accounts = Accounts(settings.accounts)
    made = []
    catalog = Catalog(settings.catalog_dir)
    # Only the plan's units: a unit made by a later reform (the communes of 2025) has nothing to send in it.
    for code, unit in catalog.plan_units.items():
        role = "province" if unit["unit_type"] == "province" else "unit"
        email = f"{'tinh' if code == catalog.plan['province_code'] else code.lower()}@{DEMO_DOMAIN}"
        account = accounts.by_email(email, enabled_only=False)
        if account is not None and accounts.disabled(account):
            done = DemoAccount(email, code, role, None, "disabled")
        else:
            state = "existing" if account else "new"
            account = account or accounts.add(email, code, role, unit["unit_name"])
            if role == "unit":  # the demo's unit account is its approver too: one login tries /approvals
                accounts.grant(email, "approver")
            password = secrets.token_urlsafe(12)
            accounts.set_password(account.account_id, password)
            done = DemoAccount(email, code, role, password, state)
        said(done)
        made.append(done)
    return made


def ingest_inbox(settings) -> str:
    """What `chiso inbox` does (the approval requests, ingest, move, publish, tell the units), in this
    process; one line of what it did."""
    # the ingest's libraries (GX, pandas) in the watcher thread, not before the passwords are printed
    from chiso.approval.requests import take_waiting
    from chiso.commands.ingest import print_notices
    from chiso.context import RunContext
    from chiso.pipeline import inbox_destinations, inbox_files, ingest_paths

    answered = take_waiting(settings)
    approvals = f"approval requests: {answered['done']} done, {answered['refused']} refused"
    approvals = approvals if any(answered.values()) else ""
    files = inbox_files(settings)
    if not files:
        return approvals
    ingested = ingest_paths(
        files, RunContext.of(settings), destinations=inbox_destinations(settings), publish_snapshot=True
    )
    print_notices(settings)
    counts = ", ".join(f"{n} {status}" for status, n in ingested.counts().items())
    done = f"ingested {len(ingested.verdicts)} file{'s' if len(ingested.verdicts) != 1 else ''}: {counts}"
    return "; ".join(filter(None, [approvals, done]))


def ingest_what_arrives(settings, stop: threading.Event, every: float = WATCH_EVERY, fallback: float = INGEST_EVERY):
    """Ingest as soon as a send is announced or an approval request waits; files copied in by hand every
    `fallback` seconds.

    The portal lands files whole, so no settle time for its sends; a copied file still waits
    CHISO_SETTLE_SECONDS unchanged (`chiso.pipeline.inbox_files`).
    """
    from expectations.validate import load_suites  # loaded in the watcher thread, while the portal starts

    load_suites()  # Great Expectations and the suites loaded before the first send, not during it
    last_sweep = time.monotonic()
    while not stop.wait(every):
        swept = time.monotonic() - last_sweep >= fallback
        if not arrivals.announced(settings.inbox) and not arrivals.waiting_requests(settings.inbox) and not swept:
            continue
        last_sweep = time.monotonic()
        started = time.perf_counter()
        try:
            done = ingest_inbox(settings)
        except Exception as error:  # the demo keeps serving; the next announcement tries again
            print(f"ingest failed: {error}", flush=True)
            continue
        if done:
            print(f"{done} in {time.perf_counter() - started:.1f} s", flush=True)


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m dev.portal_demo",
        description="The portal on `make run`'s data with a demo account per unit (`make portal`).",
        epilog="examples:\n  make portal\n  PORT=8001 make portal\n  python -m dev.portal_demo --port 8001\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("PORT") or DEFAULT_PORT), help="port on 127.0.0.1 (8000)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    settings = load_settings()
    if not settings.snapshot.exists():
        print("no snapshot yet: running `make run` first", flush=True)
        subprocess.run([sys.executable, "-m", "dev.embedded"], check=True)
    portal_url = settings.portal_url or f"http://127.0.0.1:{args.port}"
    print(
        f"\ndemo accounts ({settings.accounts}; a unit's is also its approver, the province's its reviewer:"
        " /approvals), each password as it is set:",
        flush=True,
    )
    demo_accounts(settings, lambda account: print(account.line(), flush=True))
    print(
        f"\na file sent through the portal is ingested within a second or two of its send (`chiso inbox`);"
        f" files copied into {settings.inbox} every {INGEST_EVERY} s. Notices link to {portal_url}\n",
        flush=True,
    )
    watched = dataclasses.replace(settings, portal_url=portal_url)
    stop = threading.Event()
    threading.Thread(target=ingest_what_arrives, args=(watched, stop), daemon=True).start()
    env = {**os.environ, "CHISO_PORTAL_URL": portal_url}
    try:
        serve = [CHISO, "serve", "--host", "127.0.0.1", "--port", str(args.port)]
        return subprocess.run(serve, env=env, check=False).returncode
    except KeyboardInterrupt:
        return 0
    finally:
        stop.set()


if __name__ == "__main__":
    sys.exit(main())
