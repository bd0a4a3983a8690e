"""`make portal`: the portal on `make run`'s data, with a demo account for every unit and the province.

Runs `make run`'s pipeline first when there is no snapshot yet; gives each demo account a new
password (printed); ingests what is sent every INGEST_EVERY seconds with `chiso inbox` in a child
process (the loader: the portal itself never writes the warehouse; deployed, the chiso_ingest DAG
does this); then serves on 127.0.0.1:8000.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
from pathlib import Path

from chiso.portal.accounts import Accounts
from core.catalog import Catalog
from core.settings import load_settings

INGEST_EVERY = 20
DEMO_DOMAIN = "demo.chiso.invalid"  # a reserved name: no notice to a demo address can leave the machine
CHISO = str(Path(sys.executable).parent / "chiso")


def demo_accounts(settings) -> list[tuple[str, str, str, str]]:
    """(e-mail, unit, role, password) of every demo account, each with a new password."""
    accounts = Accounts(settings.accounts)
    made = []
    for code, unit in Catalog(settings.catalog_dir).units.items():
        role = "province" if unit["unit_type"] == "province" else "unit"
        email = f"{'tinh' if role == 'province' else code.lower()}@{DEMO_DOMAIN}"
        account = accounts.by_email(email) or accounts.add(email, code, role, unit["unit_name"])
        password = secrets.token_urlsafe(12)
        accounts.set_password(account.account_id, password)
        made.append((email, code, role, password))
    return made


def ingest_what_arrives(settings, stop: threading.Event) -> None:
    """`chiso inbox` whenever the inbox holds a file; the portal lands files whole, so no settle time."""
    env = {**os.environ, "CHISO_HOME": str(settings.home), "CHISO_SETTLE_SECONDS": "0"}
    while not stop.wait(INGEST_EVERY):
        if any(p.is_file() and not p.name.startswith(".") for p in settings.inbox.glob("*")):
            subprocess.run([CHISO, "inbox", "--quiet"], env=env, stdout=subprocess.DEVNULL, check=False)


def main() -> int:
    settings = load_settings()
    if not settings.snapshot.exists():
        print("no snapshot yet: running `make run` first", flush=True)
        subprocess.run([sys.executable, "-m", "chiso.embedded"], check=True)
    print(f"\ndemo accounts ({settings.accounts}), new passwords:")
    for email, code, role, password in demo_accounts(settings):
        print(f"  {email:<32} {code:<8} {role:<8} {password}")
    print(f"\nfiles sent through the portal are ingested every {INGEST_EVERY} s (`chiso inbox`)\n", flush=True)
    stop = threading.Event()
    threading.Thread(target=ingest_what_arrives, args=(settings, stop), daemon=True).start()
    try:
        return subprocess.run([CHISO, "serve", "--host", "127.0.0.1", "--port", "8000"], check=False).returncode
    except KeyboardInterrupt:
        return 0
    finally:
        stop.set()


if __name__ == "__main__":
    sys.exit(main())
