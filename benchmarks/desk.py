"""The analysts' SQL desk's overhead against `chiso query`, for the same queries on the same snapshot.

    .venv/bin/python benchmarks/desk.py [--runs 20] [--out FILE]    (prints a table and one JSON line)

It makes its own CHISO_HOME with `make run`'s demo warehouse (the demo inbox ingested and published),
a province account with an API token, starts `chiso serve` on a free loopback port, and times each query
`runs` times four ways, interleaved (each way once per round, after a warm-up round):

- `function`: `chiso.sandboxed_query.run_query` in this process (open the snapshot sandboxed, run, fetch):
  the work every way shares;
- `api`: `POST /api/v1/query` on a warm keep-alive connection (the rows as JSON);
- `page`: `POST /province/sql` from a logged-in session (the first page as HTML, the saved queries listed);
- `cli`: `chiso query` as an analyst runs it on the server, a fresh process each time (prints the table).

The overhead of the desk is `api` (or `page`) minus `function`; against the CLI it is `api` minus `cli`.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
CHISO = str(Path(sys.executable).parent / "chiso")
PROVINCE, PASSWORD = "phantich@tinh.example.vn", "mat-khau-do-hieu-nang"  # pragma: allowlist secret
# The same SQL every way: one of the analyst guide's questions (an aggregate), and 1,000 rows of a view.
QUERIES = {
    "rates_by_dataset (the guide's)": (
        "select dataset_code, sum(expected_reports) as expected, sum(received_reports) as received,"
        " round(100.0 * sum(received_reports) / sum(expected_reports), 1) as reporting_rate"
        " from reporting_rates group by dataset_code order by dataset_code"
    ),
    "indicator_values (1,000 rows)": "select * from indicator_values order by submission_id, indicator_code limit 1000",
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def interleaved(ways: dict, runs: int) -> dict:
    """Each way once per round, `runs` rounds (after one warm-up round: the first request opens connections,
    the first query reads the file into the OS cache), so a change of the machine's load meets every way."""
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    for round_ in range(runs + 1):
        for name, action in ways.items():
            started = time.perf_counter()
            action()
            if round_:
                seconds[name].append(time.perf_counter() - started)
    return {
        name: {"p50_ms": round(1000 * statistics.median(times), 1), "p95_ms": round(1000 * percentile(times, 0.95), 1)}
        for name, times in seconds.items()
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main(argv: list[str]) -> int:
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 20
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else None
    from chiso.context import RunContext
    from chiso.pipeline import ingest_paths
    from chiso.sandboxed_query import run_query
    from core.settings import load_settings
    from demo import generate_demo_inbox
    from portal.accounts import Accounts
    from portal.desk import Desk

    root = Path(tempfile.mkdtemp(prefix="chiso-desk-bench-"))
    settings = load_settings(home=root / "home")
    generate_demo_inbox(root / "inbox")
    ingest_paths([root / "inbox"], RunContext.of(settings, as_of=date(2021, 6, 1)), publish_snapshot=True)
    accounts = Accounts(settings.accounts)
    account = accounts.add(PROVINCE, "02", "province")
    accounts.set_password(account.account_id, PASSWORD)
    token = accounts.new_api_token(account.account_id)
    limits = Desk(settings, accounts).limits

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("CHISO_")}
    env["CHISO_HOME"] = str(settings.home)
    log = (root / "server.log").open("wb")
    server = subprocess.Popen(
        [CHISO, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    results: dict[str, dict] = {}
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
        api = httpx.Client(base_url=url, timeout=60, headers={"authorization": f"Bearer {token}"})
        browser = httpx.Client(base_url=url, timeout=60)
        form = browser.get("/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]  # type: ignore[index]
        browser.post("/login", data={"email": PROVINCE, "password": PASSWORD, "csrf_token": csrf})
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/province/sql").text)[1]  # type: ignore[index]

        for name, sql in QUERIES.items():

            def function(sql=sql):
                return run_query(settings.snapshot, sql, limits)

            def through_api(sql=sql):
                answer = api.post("/api/v1/query", json={"sql": sql, "page_size": 1000})
                assert answer.status_code == 200, answer.text
                return answer.json()

            def through_page(sql=sql):
                answer = browser.post("/province/sql", data={"csrf_token": csrf, "sql": sql, "page": "1"})
                assert answer.status_code == 200 and 'class="answer"' in answer.text, answer.status_code

            def through_cli(sql=sql):
                subprocess.run([CHISO, "query", sql, "--max-rows", "1000"], env=env, capture_output=True, check=True)

            rows = len(through_api()["rows"])
            ways = {"function": function, "api": through_api, "page": through_page, "cli": through_cli}
            results[name] = {"rows": rows, **interleaved(ways, runs)}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print(f"{'query':36} {'way':9} {'p50 ms':>8} {'p95 ms':>8}")
    for name, ways in results.items():
        for way in ("function", "api", "page", "cli"):
            print(f"{name:36} {way:9} {ways[way]['p50_ms']:>8} {ways[way]['p95_ms']:>8}")
        overhead = round(ways["api"]["p50_ms"] - ways["function"]["p50_ms"], 1)
        ways["api_overhead_p50_ms"] = overhead
        print(
            f"{'':36} api − function (p50): {overhead} ms; cli − api (p50): "
            f"{round(ways['cli']['p50_ms'] - ways['api']['p50_ms'], 1)} ms"
        )
    stamp = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "runs": runs, "cpus": os.cpu_count()}
    payload = {**stamp, "queries": results}
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(payload))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    sys.exit(main(sys.argv[1:]))
