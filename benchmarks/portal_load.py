"""The deadline minute: many units' dry runs and sends at once against a running portal, on 127.0.0.1.

    python benchmarks/portal_load.py [--uploads 200]    (prints one JSON line)

As a probe (`make bench`) it makes its own CHISO_HOME (a published snapshot, a district clerk
with an API token), starts `chiso serve` on a free loopback port, times dry runs of a template
workbook one at a time on the warm server, then fires the uploads all at once (half dry runs,
half sends) from one unit's system, which comes back after Retry-After whenever the portal says it
is busy (two uploads at once per account), and checks the inbox: every send landed exactly once,
byte for byte. The portal
tests (tests/portal/test_portal_load.py) fire the same load and assert the counts, not the times.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HEADER = "dataset,unit_code,period,indicator_code,disaggregation,value,note\r\n"
# How long a client keeps coming back when the portal says it is busy.
RETRY_SECONDS = 240
ROWS = (("NV_TRIENKHAI", 1), ("NV_CUTHE", 3), ("NV_HOANTHANH", 1), ("KP_BOTRI", 500), ("KP_GIAINGAN", 100))


def report_csv(unit: str, period: str, tasks: int) -> bytes:
    """A district's DP-HUYEN report; `tasks` (NV_GIAO) makes each file's bytes its own."""
    lines = [f"DP-HUYEN,{unit},{period},NV_GIAO,,{tasks},\r\n"]
    lines += [f"DP-HUYEN,{unit},{period},{code},,{value},\r\n" for code, value in ROWS]
    return (HEADER + "".join(lines)).encode()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def _upload(client: httpx.AsyncClient, path: str, name: str, data: bytes) -> tuple[str, int, float, dict, int]:
    """One upload as a unit's system makes it: told the portal is busy (503), it comes back after
    Retry-After, as many times as it takes within the client's time; the answer, and how often it waited."""
    started, waits = time.perf_counter(), 0
    while True:
        try:
            answer = await client.post(path, files={"file": (name, data, "text/csv")})
            status, body = answer.status_code, answer.json() if answer.status_code < 500 else {}
        except httpx.HTTPError as error:
            status, body = 0, {"error": type(error).__name__}
        if status != 503 or time.perf_counter() - started > RETRY_SECONDS:
            return path, status, time.perf_counter() - started, body, waits
        waits += 1
        await asyncio.sleep(float(answer.headers.get("retry-after", "1")))


async def _fire(url: str, token: str, unit: str, uploads: int) -> list[tuple[str, int, float, dict, int, bytes]]:
    # An idle connection is dropped before the server's 5 s keep-alive ends, so a client back after
    # Retry-After never sends on a connection the server is closing (a lost request).
    limits = httpx.Limits(max_connections=uploads, max_keepalive_connections=uploads, keepalive_expiry=2)
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=300) as client:
        files = [report_csv(unit, "2017Q3", 1000 + n) for n in range(uploads)]
        paths = ["/api/v1/dry-run" if n % 2 else "/api/v1/submissions" for n in range(uploads)]
        answers = await asyncio.gather(
            *(_upload(client, path, f"report-{n}.csv", data) for n, (path, data) in enumerate(zip(paths, files)))
        )
    return [(*answer, data) for answer, data in zip(answers, files)]


def deadline_minute(url: str, token: str, unit: str, inbox: Path, uploads: int = 200) -> dict:
    """Fire `uploads` at once; the counts the load test asserts and the dry runs' latency under load."""
    before = {p.name for p in inbox.glob("*") if p.is_file()}
    started = time.perf_counter()
    answers = asyncio.run(_fire(url, token, unit, uploads))
    wall = time.perf_counter() - started
    sends = [a for a in answers if a[0] == "/api/v1/submissions"]
    dry_runs = [a for a in answers if a[0] == "/api/v1/dry-run"]
    landed = [p for p in inbox.glob("*") if p.is_file() and p.name not in before]
    landed_sums = [hashlib.sha256(p.read_bytes()).hexdigest() for p in landed]
    sent_sums = [hashlib.sha256(a[5]).hexdigest() for a in sends if a[1] == 202]
    return {
        "uploads": uploads,
        "wall_s": wall,
        "sends": len(sends),
        "sends_accepted_202": sum(a[1] == 202 for a in sends),
        "send_ids_distinct": len({a[3].get("id") for a in sends if a[1] == 202}),
        "landed_in_inbox": len(landed),
        "landed_exactly_once": sum(landed_sums.count(s) == 1 for s in sent_sums),
        "dry_runs": len(dry_runs),
        "dry_runs_answered_200": sum(a[1] == 200 for a in dry_runs),
        "dry_runs_accepted": sum(a[3].get("status") == "accepted" for a in dry_runs),
        "server_errors_5xx": sum(a[1] >= 500 for a in answers),
        "told_busy_503": sum(a[4] for a in answers),
        "transport_errors": sum(a[1] == 0 for a in answers),
        "transport_error_kinds": sorted({a[3]["error"] for a in answers if a[1] == 0}),
        "dry_run_p50_ms": 1000 * percentile([a[2] for a in dry_runs], 0.5),
        "dry_run_p95_ms": 1000 * percentile([a[2] for a in dry_runs], 0.95),
        "send_p50_ms": 1000 * percentile([a[2] for a in sends], 0.5),
        "send_p95_ms": 1000 * percentile([a[2] for a in sends], 0.95),
    }


def warm_dry_runs(url: str, token: str, workbook: bytes, runs: int = 20) -> dict:
    """One dry run at a time of a template workbook, on a server that has answered one already."""
    headers = {"authorization": f"Bearer {token}"}
    times = []
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        for n in range(runs + 1):
            started = time.perf_counter()
            answer = client.post("/api/v1/dry-run", files={"file": ("template.xlsx", workbook)})
            answer.raise_for_status()
            if n:  # the first one warms the connection and the server's caches
                times.append(time.perf_counter() - started)
    return {
        "runs": runs,
        "p50_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * percentile(times, 0.95),
        "verdict": answer.json()["status"],
    }


# --- the probe: its own home and server -----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main(argv: list[str]) -> int:
    uploads = int(argv[argv.index("--uploads") + 1]) if "--uploads" in argv else 200
    from chiso.context import RunContext
    from chiso.pipeline import ingest_paths
    from core.settings import load_settings
    from portal.accounts import Accounts
    from transforms.template.workbook import build_template

    root = Path(tempfile.mkdtemp(prefix="chiso-portal-bench-"))
    settings = load_settings(home=root / "home")
    received = root / "received"
    received.mkdir()
    (received / "q1.csv").write_bytes(report_csv("028", "2017Q1", 2))
    context = RunContext.of(settings)
    ingest_paths([received], context, publish_snapshot=True)
    accounts = Accounts(settings.accounts)
    token = accounts.new_api_token(accounts.add("vanthu@yenminh.example.vn", "028").account_id)
    workbook = build_template(context.catalog, "DP-HUYEN", "028", "2017Q3")

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "CHISO_HOME": str(settings.home)}
    log = (root / "server.log").open("wb")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "chiso"), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("chiso serve did not start") from None
                time.sleep(0.2)
        warm = warm_dry_runs(url, token, workbook)
        load = deadline_minute(url, token, "028", settings.inbox, uploads)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(json.dumps({"warm": warm, "load": load}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
