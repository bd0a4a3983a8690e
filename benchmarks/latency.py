"""Latency of one report file: landing in the inbox -> its verdict in the analysts' snapshot.

    .venv/bin/python benchmarks/latency.py --executor standalone [--sends 20] [--drop] [--approvals N] [--out FILE]
    .venv/bin/python benchmarks/latency.py --executor celery     [--sends 20] [--drop] [--cold] [--out FILE]

Starts Airflow itself in a temporary folder: `airflow standalone` (LocalExecutor, SQLite,
the environment of `dev.embedded.airflow_env` on a free port, prepared as `make airflow`
does), or the Celery deployment as docker-compose.yml runs it (tests/deploy/cluster.py:
PostgreSQL, Redis, scheduler, dag-processor, api-server, triggerer, a general and a loader
worker, all on 127.0.0.1). The chiso_ingest DAG is left to its inbox watcher: nothing is
triggered by hand. Then, one after the other, `--sends` demo report files are sent as the
portal sends them (written under a hidden name, renamed in, announced: chiso.arrivals), or,
with `--drop`, copied in as a file share would (judged once unchanged for
CHISO_SETTLE_SECONDS); for each one the script records from the metadata DB and the
snapshot where the time went:

    settle+watch  landing -> the inbox Asset's event (CHISO_SETTLE_SECONDS, the watcher's polls)
    event->run    the event -> the asset-triggered DAG run queued, then started (scheduler loop)
    per task      queued -> started (executor hand-off, worker, task process start) and running
                  time; for ingest_chunk also chiso's own stages (read, GX start-up, validate,
                  load) from its XCom
    publish->seen publish done -> the verdict readable in the snapshot

and prints p50/p95 of landing -> verdict with the mean of each part; `--out` writes the
samples as JSON. `--approvals N` then approves N of the reports received, one after the other, as the
portal queues a unit's click (chiso.approval.requests), and times each to its answer and to its state
readable in the snapshot (the click -> the view: the watcher, the DAG's `take_approvals`, the publish).
`--cold` (Celery only) runs the workers without chiso/airflow_glue/celery_config.py's
preload, so that each task process imports Great Expectations itself (the time before).

The standalone mode's task-log servers listen on all interfaces (standalone cannot skip
them): run it on a workstation behind a firewall, as `make airflow`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "deploy"))

import cluster  # noqa: E402  (tests/deploy/cluster.py: Airflow's components as docker-compose.yml runs them)
import services  # noqa: E402  (tests/deploy/services.py: process handling, PostgreSQL, Redis)

from chiso import arrivals  # noqa: E402

DAG = "chiso_ingest"
PATH = ("list_chunks", "ingest_chunk", "publish")  # the tasks from a run's start to the verdict in the snapshot
VENV_BIN = Path(sys.executable).parent


def utc(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Metadata:
    """Read-only queries on Airflow's metadata DB (PostgreSQL or SQLite), constants inlined."""

    def __init__(self, postgres: services.Postgres | None = None, sqlite_path: Path | None = None):
        self.postgres, self.sqlite_path = postgres, sqlite_path

    def query(self, sql: str) -> list[tuple]:
        if self.postgres:
            return self.postgres.query(sql)
        with sqlite3.connect(self.sqlite_path, timeout=30) as db:
            return db.execute(sql).fetchall()


def start_standalone(stack: services.Stack, chiso_env: dict) -> tuple[Metadata, int]:
    from core.settings import load_settings
    from dev.embedded import airflow_env, api_urls, prepare, unpause_chiso_dags

    port = services.free_port()
    os.environ.update(chiso_env, AIRFLOW_HOME=str(stack.root / "airflow"), AIRFLOW__API__PORT=str(port))
    settings = load_settings()
    env = {
        **airflow_env(settings),
        **api_urls(port),
        "AIRFLOW__API__WORKERS": "1",
        # standalone starts them on all interfaces: at least not on the shared default ports
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(services.free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(services.free_port()),
    }
    with (stack.root / "prepare.log").open("w") as log:  # what `make airflow` does before it starts Airflow
        prepare(settings, env, log)
        unpause_chiso_dags(env, log)
    stack.start("standalone", [str(VENV_BIN / "airflow"), "standalone"], env, cwd=stack.root)
    metadata = Metadata(sqlite_path=Path(env["AIRFLOW_HOME"]) / "airflow.db")
    log = stack.root / "logs" / "standalone.log"
    services.wait_for("standalone up", lambda: "Airflow is ready" in log.read_text(errors="replace"), 300, 1, log=log)
    services.wait_for(
        "DAG parsed", lambda: metadata.query(f"select 1 from dag where dag_id = '{DAG}'"), 180, 1, log=log
    )
    return metadata, port


def start_celery(stack: services.Stack, chiso_env: dict, cold: bool) -> tuple[Metadata, int]:
    pg_bin, redis_server = services.find_postgres_bin(), shutil.which("redis-server")
    if not pg_bin or not redis_server:
        sys.exit("the Celery mode needs PostgreSQL (initdb, pg_ctl) and redis-server")
    postgres = services.start_postgres(stack, pg_bin)
    redis = services.start_redis(stack, redis_server)
    extra = {}
    if cold:  # Airflow's own Celery config: no library loaded before a task process starts
        default = "airflow.providers.celery.executors.default_celery.DEFAULT_CELERY_CONFIG"
        extra["AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS"] = default
    airflow = cluster.start_airflow(stack, postgres, redis, Path(chiso_env["CHISO_HOME"]), {**chiso_env, **extra})
    workers = [airflow.start(cluster.WORKER), airflow.start(cluster.LOADER)]
    airflow.wait_healthy()
    for worker in workers:
        airflow.wait_worker_ready(worker)
    airflow.wait_dag(DAG)
    airflow.cli("dags", "unpause", DAG)
    return Metadata(postgres=postgres), airflow.api_port


def seen_in_snapshot(snapshot: Path, name: str) -> bool:
    import duckdb

    if not snapshot.exists():
        return False
    with duckdb.connect(str(snapshot), read_only=True) as db:
        return bool(db.execute("select count(*) from submissions where file_name = ?", [name]).fetchone()[0])


def wait_quiet(metadata: Metadata, timeout: float = 600) -> int:
    """No run queued or running, no asset event waiting; the last run's id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        active = metadata.query(
            f"select count(*) from dag_run where dag_id = '{DAG}' and state in ('queued', 'running')"
        )
        waiting = metadata.query(f"select count(*) from asset_dag_run_queue where target_dag_id = '{DAG}'")
        if active[0][0] == 0 and waiting[0][0] == 0:
            last = metadata.query(f"select coalesce(max(id), 0) from dag_run where dag_id = '{DAG}'")
            return last[0][0]
        time.sleep(0.5)
    raise TimeoutError("the DAG never became quiet")


def one_send(metadata: Metadata, source: Path, inbox: Path, snapshot: Path, drop: bool, timeout: float = 300) -> dict:
    last_run = wait_quiet(metadata)
    last_event = metadata.query("select coalesce(max(id), 0) from asset_event")[0][0]
    landed = datetime.now(UTC)
    partial = inbox / f".{source.name}.part"  # hidden while being written, as the portal does
    partial.write_bytes(source.read_bytes())
    os.replace(partial, inbox / source.name)
    if not drop:
        arrivals.announce(inbox, source.name)  # complete: judged at once, without the settle time
    deadline = time.monotonic() + timeout
    while not seen_in_snapshot(snapshot, source.name):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{source.name}: no verdict in the snapshot after {timeout} s")
        time.sleep(0.1)
    seen = datetime.now(UTC)
    run = services.wait_for(
        "the run finished",
        lambda: metadata.query(
            f"select id, run_id, run_type, queued_at, start_date, end_date from dag_run where dag_id = '{DAG}'"
            f" and id > {last_run} and state = 'success' order by id limit 1"
        ),
        120,
        0.3,
    )[0]
    run_id = run[1]
    event = metadata.query(f"select min(timestamp) from asset_event where id > {last_event}")[0][0]
    tasks = {}
    for task_id, queued, start, end in metadata.query(
        f"select task_id, queued_dttm, start_date, end_date from task_instance where dag_id = '{DAG}'"
        f" and run_id = '{run_id}' and state = 'success'"
    ):
        tasks[task_id] = {
            "wait": (utc(start) - utc(queued)).total_seconds(),
            "run": (utc(end) - utc(start)).total_seconds(),
        }
    stages = {}
    for (value,) in metadata.query(
        f"select value from xcom where dag_id = '{DAG}' and run_id = '{run_id}' and task_id = 'ingest_chunk'"
    ):
        value = json.loads(value) if isinstance(value, str) else value
        stages = (value or {}).get("seconds", {}) if isinstance(value, dict) else {}
    publish_end = metadata.query(
        f"select end_date from task_instance where dag_id = '{DAG}' and run_id = '{run_id}' and task_id = 'publish'"
    )[0][0]
    since = lambda moment: (utc(moment) - landed).total_seconds()  # noqa: E731
    return {
        "file": source.name,
        "run_type": run[2],
        "total": (seen - landed).total_seconds(),
        "settle+watch": since(event) if event else None,
        "event->queued": (utc(run[3]) - utc(event)).total_seconds() if event else None,
        "queued->started": (utc(run[4]) - utc(run[3])).total_seconds(),
        "tasks": tasks,
        "chiso_stages": stages,
        # run started -> publish ended, less the wait and run of the tasks before it: the scheduler's turns
        # between tasks (the notice tasks run after publish, off the path to the verdict)
        "scheduler gaps": (utc(publish_end) - utc(run[4])).total_seconds()
        - sum(tasks[t]["wait"] + tasks[t]["run"] for t in PATH if t in tasks),
        "publish->seen": (seen - utc(publish_end)).total_seconds(),
    }


def approved_in_snapshot(snapshot: Path, slot: tuple[str, str, str]) -> bool:
    import duckdb

    with duckdb.connect(str(snapshot), read_only=True) as db:
        sql = "select state from slot_approvals where dataset_code = ? and unit_code = ? and period = ?"
        return db.execute(sql, list(slot)).fetchone()[0] == "approved"


def one_approval(metadata: Metadata, slot: tuple[str, str, str], inbox: Path, snapshot: Path, timeout=120) -> dict:
    """A unit's approval as the portal queues it (chiso.approval.requests.ask), timed to its answer (the
    writer answers after publishing) and to the state readable in the snapshot: the click -> the view."""
    from chiso.approval.requests import Asked, answer, ask

    wait_quiet(metadata)
    started = time.monotonic()
    request_id = ask(inbox, "truongphong@bench.example.vn", [Asked(*slot, "approve")])
    while (answered := answer(inbox, request_id)) is None:
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{slot}: no answer after {timeout} s")
        time.sleep(0.02)
    answered_after = time.monotonic() - started
    assert answered.done, answered.text
    while not approved_in_snapshot(snapshot, slot):
        time.sleep(0.02)
    return {"slot": "|".join(slot), "answered": answered_after, "total": time.monotonic() - started}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def report(samples: list[dict], label: str) -> dict:
    totals = [s["total"] for s in samples]
    mean = lambda xs: statistics.fmean(xs) if xs else float("nan")  # noqa: E731
    parts = {
        "settle+watch": mean([s["settle+watch"] for s in samples if s["settle+watch"] is not None]),
        "event->queued": mean([s["event->queued"] for s in samples if s["event->queued"] is not None]),
        "queued->started": mean([s["queued->started"] for s in samples]),
    }
    for task in PATH:
        parts[f"{task} wait"] = mean([s["tasks"][task]["wait"] for s in samples if task in s["tasks"]])
        parts[f"{task} run"] = mean([s["tasks"][task]["run"] for s in samples if task in s["tasks"]])
    for stage in sorted({k for s in samples for k in s["chiso_stages"]}):
        parts[f"  ingest_chunk: {stage}"] = mean(
            [s["chiso_stages"][stage] for s in samples if stage in s["chiso_stages"]]
        )
    parts["scheduler gaps between tasks"] = mean([s["scheduler gaps"] for s in samples if "scheduler gaps" in s])
    parts["publish->seen"] = mean([s["publish->seen"] for s in samples])
    summary = {
        "label": label,
        "sends": len(samples),
        "p50": percentile(totals, 50),
        "p95": percentile(totals, 95),
        "max": max(totals),
        "mean_parts": parts,
    }
    print(
        f"\n{label}: {len(samples)} sends, landing -> verdict in snapshot: p50 {summary['p50']:.1f} s,"
        f" p95 {summary['p95']:.1f} s, max {summary['max']:.1f} s"
    )
    for name, seconds in parts.items():
        print(f"  {name:<34} {seconds:6.2f} s (mean)")
    return summary


def approval_samples(metadata: Metadata, home: Path, count: int) -> list[dict]:
    """Approve `count` received reports one after the other, each timed (one_approval)."""
    if not count:
        return []
    import duckdb

    snapshot = home / "warehouse" / "snapshot" / "chiso.duckdb"
    with duckdb.connect(str(snapshot), read_only=True) as db:
        sql = "select dataset_code, unit_code, period from slot_approvals where state = 'received' limit ?"
        slots = db.execute(sql, [count]).fetchall()
    samples = []
    for number, slot in enumerate(slots, 1):
        samples.append(one_approval(metadata, slot, home / "inbox", snapshot))
        print(f"  approval {number:2d}. {samples[-1]['total']:5.1f} s  {samples[-1]['slot']}", flush=True)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executor", choices=("standalone", "celery"), required=True)
    parser.add_argument("--sends", type=int, default=20)
    parser.add_argument("--cold", action="store_true", help="Celery: workers without the GX preload")
    parser.add_argument("--drop", action="store_true", help="files copied in, not sent: they wait to settle")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an extra environment variable for every Airflow component, e.g."
        " AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME=0.2",
    )
    parser.add_argument(
        "--approvals", type=int, default=0, help="then approve this many of the sent reports, as the portal queues it"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="chiso-latency-"))
    stack = services.Stack(root)
    home = root / "chiso"
    chiso_env = {
        "CHISO_HOME": str(home),
        "CHISO_SCHEDULE": "0 3 1 1 *",
        **dict(item.split("=", 1) for item in args.set),
    }
    demo = root / "demo"
    subprocess.run([str(VENV_BIN / "chiso"), "demo-data", str(demo)], check=True, capture_output=True, timeout=120)
    sources = sorted(p for p in demo.iterdir() if p.is_file() and p.suffix == ".csv")[: args.sends]
    started = time.monotonic()
    try:
        if args.executor == "standalone":
            metadata, port = start_standalone(stack, chiso_env)
        else:
            metadata, port = start_celery(stack, chiso_env, args.cold)
        print(f"{args.executor} up in {time.monotonic() - started:.0f} s (api-server on 127.0.0.1:{port}); {root}")
        (home / "inbox").mkdir(parents=True, exist_ok=True)
        # The catch-up run of the cron schedule, made when the DAG is unpaused, first.
        wait_quiet(metadata)
        samples = []
        for number, source in enumerate(sources, 1):
            snapshot = home / "warehouse" / "snapshot" / "chiso.duckdb"
            sample = one_send(metadata, source, home / "inbox", snapshot, args.drop)
            samples.append(sample)
            print(f"  {number:2d}. {sample['total']:5.1f} s  {sample['file']}", flush=True)
        label = f"{args.executor}{' (no GX preload)' if args.cold else ''}, {'dropped' if args.drop else 'sent'}"
        label += "".join(f", {item}" for item in args.set)
        summary = report(samples, label)
        approvals = approval_samples(metadata, home, args.approvals)
        if approvals:
            times = [a["total"] for a in approvals]
            summary["approvals"] = {"count": len(times), "p50": percentile(times, 50), "p95": percentile(times, 95)}
            print(
                f"{label}: {len(times)} approvals, queued -> state in the snapshot: p50 {percentile(times, 50):.1f} s,"
                f" p95 {percentile(times, 95):.1f} s, max {max(times):.1f} s"
            )
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            document = {"summary": summary, "samples": samples, "approvals": approvals}
            args.out.write_text(json.dumps(document, indent=2, default=str))
    finally:
        stack.close()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
