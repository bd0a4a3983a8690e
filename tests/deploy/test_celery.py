"""The distributed run, proven: the real Airflow components as processes, CeleryExecutor, PostgreSQL, Redis.

What docker-compose.yml promises is checked on running services (tests/deploy/services.py
starts them on 127.0.0.1 in temporary folders and stops them afterwards):

* every task instance ran under CeleryExecutor, on its queue, on the intended worker
  (`default` queue: the general worker; `chiso_loader`: the loader, concurrency 1);
* no two warehouse writes (pool `chiso_warehouse`) overlapped in time;
* the snapshot's verdicts and values equal those of `chiso ingest` on copies of the files;
* a loader worker killed with SIGKILL in the middle of a chunk, then restarted: the chunk
  is retried and the result is still the same (no duplicate, nothing lost);
* a file landing in the inbox starts a run by itself (the inbox Asset's watcher), and a
  burst of files makes one run.

Without PostgreSQL or Redis on the machine the tests are skipped, or fail under CI.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cluster import COMPONENTS, LOADER, LOADER_QUEUE, WORKER, start_airflow
from services import (
    VENV_BIN,
    Stack,
    descendants,
    kill_tree,
    listening_sockets,
    require_services,
    start_postgres,
    start_redis,
    wait_for,
)

from core.faults import ENV as FAULT_ENV

DAG = "chiso_ingest"
CHUNK_SIZE = 50
ROUND_1, ROUND_2 = 100, 100
HOLD = 10  # seconds round 2's loader holds each chunk: the kill lands inside one
KEEP = bool(os.environ.get("CHISO_KEEP_CLUSTER"))  # keep the cluster's folder (logs, data) for a look


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    pg_bin, redis_server = require_services()
    # Not under pytest's basetemp: other pytest sessions of the same user prune old basetemps.
    root = Path(tempfile.mkdtemp(prefix="chiso-cluster-"))
    stack = Stack(root)
    chiso_home = root / "chiso"
    chiso_env = {
        "CHISO_HOME": str(chiso_home),
        "CHISO_CHUNK_SIZE": str(CHUNK_SIZE),
        "CHISO_SETTLE_SECONDS": "2",
        # The cron safety net far away: the runs of these tests are the manual and asset ones.
        "CHISO_SCHEDULE": "0 3 1 1 *",
        # A killed worker's task is failed after 15 s without a heartbeat (the compose file's 30 s halved: the
        # supervisor still beats every 5 s), so the retry of round 2's killed chunk is waited for 15 s less.
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "15",
    }
    started = time.monotonic()
    try:
        postgres = start_postgres(stack, pg_bin)
        redis = start_redis(stack, redis_server)
        airflow = start_airflow(stack, postgres, redis, chiso_home, chiso_env)
        workers = {WORKER: airflow.start(WORKER), LOADER: airflow.start(LOADER)}
        airflow.wait_healthy()
        for service in workers.values():
            airflow.wait_worker_ready(service)
        airflow.wait_dag(DAG)
        print(f"\ncluster up in {time.monotonic() - started:.0f} s under {root}")
        yield {
            "airflow": airflow,
            "postgres": postgres,
            "workers": workers,
            "home": chiso_home,
            "root": root,
            "env": chiso_env,
        }
    finally:
        stack.close()
        if KEEP:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def demo_files(cluster) -> list[Path]:
    """The demo inbox (`chiso demo-data`), in order of receipt: valid, late, broken and resubmitted files."""
    folder = cluster["root"] / "demo"
    subprocess.run([str(VENV_BIN / "chiso"), "demo-data", str(folder)], check=True, capture_output=True, timeout=120)
    files = sorted((p for p in folder.iterdir() if p.is_file()), key=lambda p: (p.stat().st_mtime_ns, p.name))
    assert len(files) >= ROUND_1 + ROUND_2
    return files


def drop(files: list[Path], inbox: Path, staging: Path) -> None:
    """Copy files (mtime kept) next to the inbox, then rename them in: they appear within milliseconds."""
    staging.mkdir(parents=True, exist_ok=True)
    inbox.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copy2(path, staging / path.name)
    for path in files:
        os.rename(staging / path.name, inbox / path.name)


def reference_ingest(files: list[Path], root: Path, env: dict) -> Path:
    """`chiso ingest` of copies of the same files into a warehouse of its own, one more round each call."""
    warehouse = root / "warehouse.duckdb"
    folder = root / f"round{len(list(root.glob('round*'))) + 1}"
    folder.mkdir(parents=True)
    for path in files:
        shutil.copy2(path, folder / path.name)
    subprocess.run(
        [
            str(VENV_BIN / "chiso"),
            "ingest",
            str(folder),
            "--warehouse",
            str(warehouse),
            "--quiet",
            "--publish",
            "--snapshot",
            str(root / "snapshot.duckdb"),
        ],
        check=True,
        capture_output=True,
        timeout=600,
        env={**os.environ, "CHISO_CHUNK_SIZE": env["CHISO_CHUNK_SIZE"], "CHISO_HOME": str(root)},
    )
    return root / "snapshot.duckdb"


def kept_reference(files: list[Path], root: Path, env: dict) -> Path:
    """`reference_ingest` of one more round; a copy of its snapshot, which the next round will not overwrite."""
    snapshot = reference_ingest(files, root, env)
    kept = root / f"snapshot-after-round{len(list(root.glob('round*')))}.duckdb"
    shutil.copy2(snapshot, kept)
    return kept


def assert_same(snapshot: Path, reference: Path) -> None:
    ours, theirs = contents(snapshot), contents(reference)
    for part in ours:
        extra, missing = sorted(set(ours[part]) - set(theirs[part])), sorted(set(theirs[part]) - set(ours[part]))
        assert ours[part] == theirs[part], (
            f"{part}: {len(ours[part])} rows vs {len(theirs[part])} from chiso ingest;"
            f" only in the DAG's snapshot: {extra[:8]}; only in chiso ingest's: {missing[:8]}"
        )


def contents(snapshot: Path) -> dict[str, list[tuple]]:
    """What analysts see, without ids and ingestion times: verdicts per file and the current values."""
    import duckdb

    with duckdb.connect(str(snapshot), read_only=True) as db:
        return {
            "verdicts": db.sql(
                "select file_name, status, dataset_code, unit_code, period, received_at, sha256"
                " from submissions order by all"
            ).fetchall(),
            "values": db.sql(
                "select dataset_code, unit_code, period, indicator_code, disaggregation, value, note,"
                " received_at from indicator_values order by all"
            ).fetchall(),
        }


def runs(postgres, since_id: int = 0) -> list[tuple]:
    return postgres.query(
        "select id, run_id, run_type, state, queued_at, start_date, end_date from dag_run"
        " where dag_id = %s and id > %s order by id",
        (DAG, since_id),
    )


def wait_idle(cluster, since_id: int, timeout: float) -> list[tuple]:
    """Wait until the DAG has a run after `since_id` and none queued or running; the runs after `since_id`."""
    postgres, inbox = cluster["postgres"], cluster["home"] / "inbox"

    def idle():
        found = runs(postgres, since_id)
        return (
            found if found and all(r[3] in ("success", "failed") for r in found) and not any(inbox.iterdir()) else None
        )

    scheduler = next(s for s in cluster["airflow"].stack.services if s.name == "airflow-scheduler")
    return wait_for(f"{DAG} runs finished", idle, timeout, 2, log=scheduler.log)


def wait_quiet(cluster, timeout: float = 600, quiet: float = 8) -> int:
    """Wait until no run is queued or running and no asset event waits for one, for `quiet` s; the last run's id."""
    postgres = cluster["postgres"]

    def calm():
        active = postgres.query(
            "select count(*) from dag_run where dag_id = %s and state in ('queued', 'running')", (DAG,)
        )
        waiting = postgres.query("select count(*) from asset_dag_run_queue where target_dag_id = %s", (DAG,))
        return active[0][0] == 0 and waiting[0][0] == 0

    def calm_for_a_while():
        if not calm():
            return None
        before = runs(postgres)
        time.sleep(quiet)
        return calm() and runs(postgres) == before and ((before or [(0,)])[-1][0] or -1)

    return max(0, wait_for(f"{DAG} quiet", calm_for_a_while, timeout, 1))


def task_instances(postgres, since_run_id: int) -> list[dict]:
    """Every try of every task of the runs after `since_run_id` (task_instance and task_instance_history)."""
    columns = (
        "ti.task_id, ti.map_index, ti.try_number, ti.state, ti.queue, ti.pool, ti.executor, ti.hostname,"
        " ti.external_executor_id, ti.start_date, ti.end_date, ti.run_id"
    )
    rows = []
    for table in ("task_instance", "task_instance_history"):
        rows += postgres.query(
            f"select {columns} from {table} ti join dag_run r on r.dag_id = ti.dag_id and r.run_id = ti.run_id"
            " where ti.dag_id = %s and r.id > %s",
            (DAG, since_run_id),
        )
    names = [c.strip().removeprefix("ti.") for c in columns.split(",")]
    return [dict(zip(names, row)) for row in rows]


def check_placement(tis: list[dict]) -> None:
    """CeleryExecutor, the intended queue and worker for every try that ran."""
    ran = [ti for ti in tis if ti["start_date"] is not None and ti["state"] != "skipped"]
    assert ran
    for ti in ran:
        writer = ti["task_id"] in ("ingest_chunk", "take_approvals", "publish", "claim_notices", "record_notices")
        assert ti["queue"] == (LOADER_QUEUE if writer else "default"), ti
        assert ti["pool"] == ("chiso_warehouse" if writer else "default_pool"), ti
        assert ti["hostname"] == (LOADER if writer else WORKER), ti
        # The executor column is only set for tasks that name one; the Celery task id proves Celery ran it.
        assert ti["executor"] in (None, "CeleryExecutor"), ti
        assert ti["external_executor_id"], ti


def check_no_overlap(tis: list[dict]) -> list[tuple]:
    intervals = sorted(
        (ti["start_date"], ti["end_date"], ti["task_id"], ti["map_index"], ti["try_number"])
        for ti in tis
        if ti["pool"] == "chiso_warehouse" and ti["start_date"] is not None
    )
    for before, after in itertools.pairwise(intervals):
        assert before[1] is not None and before[1] <= after[0], f"warehouse writes overlap: {before} and {after}"
    return intervals


def pause_when_quiet(cluster) -> int:
    """Pause the DAG with no run of it active; the last run's id.

    A paused DAG's running run stops where it is (the scheduler looks only at unpaused DAGs'
    runs): pausing while a run, say the cron's, is between its tasks would leave it running for ever.
    """
    airflow, postgres = cluster["airflow"], cluster["postgres"]
    while True:
        last_run = wait_quiet(cluster)
        airflow.cli("dags", "pause", DAG)
        active = postgres.query(
            "select count(*) from dag_run where dag_id = %s and state in ('queued', 'running')", (DAG,)
        )
        if active[0][0] == 0:
            return last_run
        airflow.cli("dags", "unpause", DAG)  # a run started in between: let it finish, then again


def trigger(airflow, run_id: str) -> None:
    airflow.cli("dags", "trigger", DAG, "--run-id", run_id)
    airflow.cli("dags", "unpause", DAG)


def test_every_healthcheck_of_the_compose_file_passes_on_the_running_services(cluster):
    """What Compose would run to tell each service healthy, run against its process here."""
    airflow = cluster["airflow"]
    for service in (*COMPONENTS, WORKER, LOADER):
        check = airflow.healthcheck(service)
        assert check.returncode == 0, (service, check.stdout[-1000:], check.stderr[-2000:])


def test_distributed_run_and_a_killed_loader(cluster, demo_files):
    airflow, postgres, home = cluster["airflow"], cluster["postgres"], cluster["home"]
    staging = cluster["root"] / "staging"
    round_1, round_2 = demo_files[:ROUND_1], demo_files[ROUND_1 : ROUND_1 + ROUND_2]
    last_run = (runs(postgres) or [(0,)])[-1][0]

    # Round 1: 100 files, two chunks of 50 (two workers, so placement and overlap are both tested).
    drop(round_1, home / "inbox", staging)
    started = time.monotonic()
    trigger(airflow, "round-1")
    round_1_runs = wait_idle(cluster, last_run, 900)
    print(
        f"\nround 1: {ROUND_1} files in {time.monotonic() - started:.0f} s; runs: "
        + ", ".join(f"{r[1]} {r[3]} {(r[6] - r[5]).total_seconds():.0f} s" for r in round_1_runs)
    )
    assert all(r[3] == "success" for r in round_1_runs), round_1_runs
    tis = task_instances(postgres, last_run)
    assert sum(1 for ti in tis if ti["task_id"] == "ingest_chunk" and ti["state"] == "success") == ROUND_1 // CHUNK_SIZE
    check_placement(tis)
    check_no_overlap(tis)
    after_round_1 = shutil.copy2(home / "warehouse" / "snapshot" / "chiso.duckdb", cluster["root"] / "round-1.duckdb")

    # Round 2: kill the loader (SIGKILL, its whole tree) in the middle of a chunk, restart it.
    # With GX preloaded a chunk of 50 takes about 1.5 s, too short to aim a kill at; the loader
    # is restarted with a fault point that holds each chunk after its 25th file for a while.
    last_run = pause_when_quiet(cluster)  # the runs round 1's files (and the cron) queued have run too
    cluster["workers"][LOADER].stop()
    log_size = cluster["workers"][LOADER].log.stat().st_size
    loader = cluster["workers"][LOADER] = airflow.start(LOADER, {FAULT_ENV: f"read.file:{CHUNK_SIZE // 2}:sleep{HOLD}"})
    airflow.wait_worker_ready(loader, since=log_size)
    drop(round_2, home / "inbox", staging)
    started = time.monotonic()
    trigger(airflow, "round-2")

    def running_chunk():
        rows = postgres.query(
            "select map_index, start_date from task_instance where dag_id = %s and run_id = 'round-2'"
            " and task_id = 'ingest_chunk' and state = 'running' and map_index = 1",
            (DAG,),
        )
        return rows[0] if rows else None

    wait_for("round 2's second chunk running", running_chunk, 600, 0.5, log=loader.log)
    time.sleep(2)  # well inside the chunk's hold: it has read its first files and waits at the 25th
    killed_at = time.time()
    killed = kill_tree(loader.pid)
    loader.process.wait(timeout=30)
    # `chiso ingest` of the same rounds (round 1, then round 2 on top of it) while the scheduler waits out the
    # killed task's heartbeat and retry delay (50 s of idle cores)
    references = ThreadPoolExecutor(max_workers=1)
    reference_1 = references.submit(kept_reference, round_1, cluster["root"] / "reference", cluster["env"])
    reference_2 = references.submit(kept_reference, round_2, cluster["root"] / "reference", cluster["env"])
    references.shutdown(wait=False)
    state_at_kill = postgres.query(
        "select state, try_number from task_instance where dag_id = %s and run_id = 'round-2'"
        " and task_id = 'ingest_chunk' and map_index = 1",
        (DAG,),
    )[0]
    waiting = sum((home / "inbox" / p.name).exists() for p in round_2[CHUNK_SIZE : 2 * CHUNK_SIZE])
    print(
        f"killed the loader worker and {len(killed)} descendants; chunk 1 was {state_at_kill},"
        f" {waiting} of its {CHUNK_SIZE} files still in the inbox"
    )
    log_size = loader.log.stat().st_size
    restarted = airflow.start(LOADER)  # without the fault
    cluster["workers"][LOADER] = restarted
    airflow.wait_worker_ready(restarted, since=log_size)
    round_2_runs = wait_idle(cluster, last_run, 900)
    assert all(r[3] == "success" for r in round_2_runs), round_2_runs
    tis = task_instances(postgres, last_run)
    chunk_tries = sorted(
        (ti["try_number"], ti["state"], ti["start_date"], ti["end_date"])
        for ti in tis
        if ti["task_id"] == "ingest_chunk" and ti["map_index"] == 1 and ti["run_id"] == "round-2"
    )
    assert [t[:2] for t in chunk_tries][-1] == (2, "success") and chunk_tries[0][1] in ("failed", "up_for_retry"), (
        chunk_tries
    )
    retry_started = chunk_tries[-1][2].timestamp() - killed_at
    print(
        f"round 2: {ROUND_2} files in {time.monotonic() - started:.0f} s; the killed chunk's retry started "
        f"{retry_started:.0f} s after the kill; tries: {[(t[0], t[1]) for t in chunk_tries]}"
    )
    check_placement(tis)
    check_no_overlap(task_instances(postgres, 0))
    assert_same(after_round_1, reference_1.result(timeout=600))
    assert_same(home / "warehouse" / "snapshot" / "chiso.duckdb", reference_2.result(timeout=600))  # on round 1
    kept = [
        p
        for folder in ("archive", "quarantine")
        for p in (home / folder).rglob("*")
        if p.is_file() and not p.name.endswith((".reasons.txt", ".receipt.json"))
    ]
    assert len(kept) == ROUND_1 + ROUND_2, "every file archived or quarantined exactly once"

    # Every server the tests started listens on the loopback interface only.
    pids = {s.pid for s in airflow.stack.services} | {int((postgres.data / "postmaster.pid").read_text().split()[0])}
    for pid in list(pids):
        pids.update(descendants(pid))
    addresses = listening_sockets(pids)
    assert addresses and all(a.startswith(("127.0.0.1:", "[::1]:")) for a in addresses), addresses


def test_a_file_landing_starts_a_run(cluster):
    """The inbox watcher: one file -> one asset-triggered run; a burst of files -> one run, not a storm."""
    from builders import csv_bytes, department_report

    airflow, postgres, home = cluster["airflow"], cluster["postgres"], cluster["home"]
    airflow.cli("dags", "unpause", DAG)
    wait_for("inbox empty", lambda: not any((home / "inbox").iterdir()), 600, 1)
    last_run = wait_quiet(cluster)

    # One file, as a clerk's upload: written now (mtime now), so it first has to settle.
    report = csv_bytes(department_report("SKHCN", "2019Q1"))
    landed = time.time()
    (home / "inbox" / "upload-one.csv").write_bytes(report)
    run = wait_for(
        "an asset-triggered run", lambda: [r for r in runs(postgres, last_run) if r[2] == "asset_triggered"], 120, 0.2
    )[0]

    def verdict():
        import duckdb

        snapshot = home / "warehouse" / "snapshot" / "chiso.duckdb"
        with duckdb.connect(str(snapshot), read_only=True) as db:
            return db.sql("select status from submissions where file_name = 'upload-one.csv'").fetchall()

    wait_for("the verdict in the snapshot", verdict, 300, 0.5)
    in_snapshot = time.time() - landed
    run = next(r for r in runs(postgres, last_run) if r[1] == run[1])  # its start, now it has started
    queued, started = run[4].timestamp() - landed, run[5].timestamp() - landed
    print(
        f"\nfile landed -> run queued {queued:.1f} s, started {started:.1f} s, verdict in snapshot {in_snapshot:.1f} s"
    )
    assert in_snapshot < 120

    # A burst: 20 files within the same second make one run.
    last_run = wait_quiet(cluster)
    for number in range(20):
        (home / "inbox" / f"burst-{number:02d}.csv").write_bytes(
            csv_bytes(department_report("SKHCN", f"{2016 + number // 4}Q{number % 4 + 1}"))
        )
    wait_for(
        "burst ingested",
        lambda: (
            not any((home / "inbox").iterdir())
            and runs(postgres, last_run)
            and all(r[3] in ("success", "failed") for r in runs(postgres, last_run))
        ),
        300,
        1,
    )
    time.sleep(10)  # a few more polls of the watcher: no second run may follow
    burst_runs = runs(postgres, last_run)
    print(f"burst of 20 files -> {len(burst_runs)} run(s): {[(r[1], r[2], r[3]) for r in burst_runs]}")
    assert len(burst_runs) == 1 and burst_runs[0][2] == "asset_triggered" and burst_runs[0][3] == "success"
