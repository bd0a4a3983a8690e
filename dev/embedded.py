"""`make run` and `make airflow`: the whole product on embedded defaults, through real Airflow.

A project-local AIRFLOW_HOME with SQLite. `make run`: the demo inbox, `airflow dags test` of the
ingest DAG (with its post-ingest notices), of the monitoring DAG, then of the reminders DAG, and a
summary read back from the metadata DB, the analysts' snapshot and the outbox (without
CHISO_SMTP_URL the notices are .eml files there). `make airflow` (`--standalone`): Airflow's UI
and scheduler on 127.0.0.1, chiso's DAGs unpaused once its api-server answers, so that a file copied into the inbox is
ingested within seconds.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

from chiso.airflow_glue.lineage import default_environment
from chiso.commands import UserError
from chiso.commands.demo_data import demo_generator
from core.kinds import SUBMISSION_STATUSES
from core.settings import INSTALL_ROOT, WAREHOUSE_POOL_DECLARED, load_settings
from core.vocabulary import say
from dev.approvals import approve_demo
from warehouse.db import connect_read_only

DAGS = INSTALL_ROOT / "dags"
API_HEALTH = "/api/v2/monitor/health"  # Airflow's api-server, no login needed
API_START_SECONDS = 300


def api_urls(port: int | str) -> dict[str, str]:
    """Every Airflow setting that names the api-server's address, derived from its one port.

    Airflow does not derive them itself: task runners call the Execution API at
    `[core] execution_api_server_url`, whose default is `[api] base_url` + "/execution/", and
    `[api] base_url` defaults to http://localhost:8080. With `[api] port` alone set to another
    port the api-server listens there but every task fails with `httpx.ConnectError` (it calls 8080).
    """
    base_url = f"http://127.0.0.1:{int(port)}"
    return {
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(int(port)),
        "AIRFLOW__API__BASE_URL": base_url,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base_url}/execution/",
    }


def api_port() -> int:
    """The api-server's port: AIRFLOW__API__PORT, else Airflow's default 8080."""
    return int(os.environ.get("AIRFLOW__API__PORT") or 8080)


def airflow_env(settings) -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "AIRFLOW_HOME": str(settings.airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",
        **api_urls(api_port()),
        **default_environment(settings.airflow_home),  # OpenLineage events to $AIRFLOW_HOME/openlineage.jsonl
        "CHISO_HOME": str(settings.home),
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def _airflow(env: dict, log, *args: str) -> str:
    started = time.perf_counter()
    result = subprocess.run(["airflow", *args], env=env, capture_output=True, text=True)
    log.write(f"$ airflow {' '.join(args)}\n{result.stdout}\n{result.stderr}\n")
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-15:])
        sys.exit(f"`airflow {' '.join(args)}` failed (exit {result.returncode}); full log: {log.name}\n{tail}")
    print(f"  airflow {args[0]} {args[1] if len(args) > 1 else ''}: {time.perf_counter() - started:.1f} s", flush=True)
    return result.stdout


def prepare(settings, env: dict, log) -> None:
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    _airflow(env, log, "db", "migrate")
    _airflow(env, log, "pools", "set", *map(str, WAREHOUSE_POOL_DECLARED))


def write_demo_inbox_if_new(settings) -> None:

    if settings.warehouse.exists() or any(settings.inbox.glob("*")):
        print(f"using the files already in {settings.inbox} (delete {settings.home} to start over with the demo)")
        return
    try:
        generate_demo_inbox = demo_generator()
    except UserError as error:
        sys.exit(f"cannot write the demo inbox: {error}")
    files = generate_demo_inbox(settings.inbox)
    years = f"{files[0].received_at.year}-{files[-1].received_at.year}" if files else "no year"
    print(f"wrote the demo inbox: {len(files)} report files received {years} in {settings.inbox}")


def summary(settings) -> None:
    with connect_read_only(settings.snapshot) as db:
        counts = dict(db.sql("select status, count(*) from submissions group by 1").fetchall())
        rejected = db.sql(
            "select file_name, reasons->>'$[0].vi', reasons->>'$[0].en' from submissions"
            " where status = 'rejected' order by submission_id"
        ).fetchall()
        [(values,)] = db.execute("select count(*) from indicator_values").fetchall()
    print("\nverdicts: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in SUBMISSION_STATUSES.codes))
    print(f"current values in indicator_values: {values}")
    print(f"\nrejected files ({len(rejected)}), first reason of each:")
    for name, vi, en in rejected[:12]:
        print(f"  {name}\n      vi: {vi}\n      en: {en}")
    if len(rejected) > 12:
        print(f"  … and {len(rejected) - 12} more: see the reports beside each file in {settings.quarantine}")
    print(f"\nanalysts' snapshot (read-only): {settings.snapshot}")
    print(f"archive: {settings.archive}\nquarantine (each file with its .reasons.txt): {settings.quarantine}")
    print(f"monitoring outputs: {settings.reports}")
    outbox_summary(settings)
    print("\nnext, as an analyst:")
    print('  .venv/bin/chiso query "select * from reporting_rates order by period limit 8"')
    print(f"  .venv/bin/duckdb -readonly {settings.snapshot}")


def outbox_summary(settings) -> None:
    """What the demo's units and province would receive, and the start of a refusal's message."""
    if settings.smtp_url:
        print("notices: sent through CHISO_SMTP_URL (`chiso notify --dry-run` shows what is still owed)")
        return
    messages = sorted(settings.outbox.glob("*.eml"))
    kinds = Counter(path.name.split("_")[1] for path in messages)
    print(
        f"\nnotices in {settings.outbox} ({len(messages)} .eml files): "
        + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    )
    refused = say("verdict.nothing_loaded").vi
    for path in (p for p in messages if "_ingest_" in p.name):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        plain = message.get_body(("plain",))
        body = plain.get_content() if plain is not None else ""
        if refused in body:
            print(f"  for example {path.name}:\n    Subject: {message['Subject']}\n    To: {message['To']}")
            print("".join(f"    | {line}\n" for line in body.splitlines()[:18]), end="")
            return


def main() -> int:
    settings = load_settings()
    env = airflow_env(settings)
    if "--standalone" in sys.argv:
        return standalone(settings, env)
    started = time.perf_counter()
    log_path = Path(env["AIRFLOW_HOME"]) / "make-run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        print(f"AIRFLOW_HOME={env['AIRFLOW_HOME']} (SQLite metadata DB); log: {log_path}")
        prepare(settings, env, log)
        write_demo_inbox_if_new(settings)
        _airflow(env, log, "dags", "test", "chiso_ingest")
        approvals = approve_demo(settings)
        _airflow(env, log, "dags", "test", "chiso_monitoring")
        _airflow(env, log, "dags", "test", "chiso_reminders")
    run_id, state = last_dag_run(Path(env["AIRFLOW_HOME"]) / "airflow.db", "chiso_ingest")
    print(f"\nAirflow metadata DB: chiso_ingest run {run_id} is {state}")
    summary(settings)
    print(
        "approvals (chiso approval status; official figures: the view official_values): "
        + ", ".join(f"{count} {state}" for state, count in sorted(approvals.items()))
    )
    print(f"\nmake run took {time.perf_counter() - started:.0f} s")
    return 0 if state == "success" else 1


def chiso_dags(env: dict, log) -> list[str]:
    """Parse dags/ into the metadata DB; the ids of the DAGs defined there."""
    _airflow(env, log, "dags", "reserialize")
    printed = _airflow(env, log, "dags", "list", "--output", "json").splitlines()
    listed = json.loads(next(line for line in printed if line.startswith("[")))  # log lines may come first
    return sorted(dag["dag_id"] for dag in listed if str(dag.get("fileloc", "")).startswith(str(DAGS)))


def set_paused(env: dict, log, dag_ids: list[str], paused: bool) -> None:
    """Pause or unpause the DAGs in one Airflow command."""
    pattern = "^(" + "|".join(re.escape(dag_id) for dag_id in dag_ids) + ")$"
    _airflow(env, log, "dags", "pause" if paused else "unpause", pattern, "--treat-dag-id-as-regex", "--yes")


def unpause_chiso_dags(env: dict, log) -> list[str]:
    """Parse dags/ into the metadata DB and unpause every DAG defined there (a fresh Airflow pauses them)."""
    ours = chiso_dags(env, log)
    set_paused(env, log, ours, paused=False)
    return ours


def wait_for_api(base_url: str, process: subprocess.Popen | None = None, timeout: float = API_START_SECONDS) -> float:
    """Seconds until the api-server's health endpoint answers 200; exits if it never does or Airflow stops."""
    started = time.monotonic()
    while True:
        try:
            if httpx.get(f"{base_url}{API_HEALTH}", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        if process is not None and process.poll() is not None:
            sys.exit(f"airflow standalone stopped (exit {process.returncode}) before its api-server answered")
        if time.monotonic() - started > timeout:
            sys.exit(f"Airflow's api-server did not answer {base_url}{API_HEALTH} within {timeout:.0f} s")
        time.sleep(0.5)


def standalone(settings, env: dict) -> int:
    """`make airflow`: Airflow on this machine; chiso's DAGs unpaused once its api-server answers.

    Every task calls the api-server (the Execution API, over httpx): a task started before it
    listens fails with `httpx.ConnectError`. So the DAGs stay paused (paused again, if an earlier
    `make airflow` left them unpaused) until `/api/v2/monitor/health` answers, then are unpaused.
    """
    log_path = Path(env["AIRFLOW_HOME"]) / "make-airflow.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        prepare(settings, env, log)
        ours = chiso_dags(env, log)
        set_paused(env, log, ours, paused=True)
        airflow = subprocess.Popen(["airflow", "standalone"], env=env)
        try:
            waited = wait_for_api(env["AIRFLOW__API__BASE_URL"], airflow)
            print(f"  api-server answered after {waited:.1f} s: unpausing the DAGs", flush=True)
            set_paused(env, log, ours, paused=False)
            print(
                f"""
Airflow UI: {env["AIRFLOW__API__BASE_URL"]}  (user admin; Airflow prints the password above). Ctrl-C stops it.
Unpaused: {", ".join(ours)}. Airflow's log: {log_path}

Drop a file and watch it being ingested (an example that passes every rule):
  .venv/bin/chiso template DP-HUYEN --unit 026 --period 2017Q3 --example -o {settings.inbox}/
  or any report: cp report.xlsx {settings.inbox}/  (judged once unchanged for {settings.settle_seconds} s)
  then in the UI: DAGs > chiso_ingest (a run starts within seconds), or:
  .venv/bin/chiso query "select file_name, status from submissions order by submission_id desc limit 5"
Its verdict: the archive ({settings.archive}) or the quarantine with its reasons ({settings.quarantine}).
""",
                flush=True,
            )
            return airflow.wait()
        except KeyboardInterrupt:  # Ctrl-C reached Airflow too (same process group): let it stop
            return airflow.wait()
        finally:
            if airflow.poll() is None:
                airflow.terminate()
                airflow.wait()


def last_dag_run(metadata_db: Path, dag_id: str) -> tuple[str, str]:
    """The latest run of a DAG as the Airflow metadata DB records it."""
    with sqlite3.connect(metadata_db) as db:
        row = db.execute(
            "select run_id, state from dag_run where dag_id = ? order by id desc limit 1", [dag_id]
        ).fetchone()
    return row or ("(none)", "missing")


if __name__ == "__main__":
    sys.exit(main())
