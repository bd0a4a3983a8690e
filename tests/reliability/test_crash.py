"""Crash safety: SIGKILL the inbox ingest at every step of a 4-chunk batch, rerun, compare.

Each scenario starts from the same state (a seed run already loaded and published, the same
12-file inbox), runs `chiso inbox --as-of 2018-03-01` with CHISO_FAULT=<point>:<n>:kill (the
process SIGKILLs itself there: no cleanup, no `finally`, no atexit), looks at what the crash
left on disk, then reruns `chiso inbox` without the fault and compares everything with an
uninterrupted reference run of the same inbox.

Speed: every `chiso` process pays ~6 s to import Great Expectations. The driver below imports
once and forks one child per run; each child enters the real command line (`chiso.cli.main`)
with its own environment, exactly as the `chiso` executable does. One test also kills a real,
freshly started `chiso inbox` process, to show the forked runs behave the same.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from builders import PROJECT_ROOT

pytestmark = pytest.mark.slow

# (id, phases): each phase is one `chiso inbox` run; a str is its CHISO_FAULT, a float a SIGKILL
# sent from outside that many seconds after the run started, None a clean run. The last phase
# of every scenario is the clean rerun.
# One point per distinct state a crash can leave (a later chunk's copy of the same state is not repeated:
# the double crashes below reach chunks 2 and 3 of the same steps).
KILL_POINTS = [
    # reading the files (chunk 1, the last file of the last chunk)
    "read.file:1",
    "read.file:12",
    # validated, nothing written yet
    "validate.done:1",
    "validate.done:4",
    # inside a load transaction
    "load.submissions_inserted:1",
    "load.facts_inserted:1",
    "load.before_commit:1",
    "load.before_commit:4",
    # a chunk committed, the next not started / every chunk committed, no file moved yet
    "load.committed:2",
    "load.committed:4",
    # moving the files: a quarantined file's reasons report written, the file not moved yet
    "move.reasons_written:1",
    "move.file:1",
    "move.file:4",
    "move.file:12",
    # everything committed, moved and checkpointed; the snapshot not published
    "ingest.checkpointed",
    # publishing: the publication recorded, not copied / the copy written but not swapped in / swapped in,
    # directory not synced
    "publish.recorded",
    "publish.copied",
    "publish.replaced",
]
SCENARIOS = {point: [f"{point}:kill", None] for point in KILL_POINTS}
# A second crash while recovering from the first.
SCENARIOS.update(
    {
        "move.file:4 then move.file:2": ["move.file:4:kill", "move.file:2:kill", None],
        "load.before_commit:3 then read.file:2": ["load.before_commit:3:kill", "read.file:2:kill", None],
        "load.committed:4 then move.reasons_written:1": ["load.committed:4:kill", "move.reasons_written:1:kill", None],
    }
)
# Blind kills at a moment, wherever the loader is (inside DuckDB's commit or checkpoint included).
SCENARIOS.update({f"SIGKILL after {s} s": [s, None] for s in (0.4, 0.9, 1.9)})

# Runs in its own process: imports chiso and GX once, then forks one child per `chiso inbox` run.
DRIVER = r"""
import json, os, shutil, signal, sys, time, traceback
plan = json.load(open(sys.argv[1]))
import chiso.cli, core.faults, chiso.commands.ingest, chiso.pipeline, chiso.ingest
import warehouse.db, warehouse.load, warehouse.snapshot, transforms.read, transforms.canonical
import expectations.frames, expectations.findings, expectations.validate, great_expectations

def start(home, fault, log):
    sys.stdout.flush(); sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 70
    try:
        out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.dup2(out, 1); os.dup2(out, 2)
        os.environ["CHISO_HOME"] = home
        os.environ.pop("CHISO_FAULT", None)
        if fault:
            os.environ["CHISO_FAULT"] = fault
        core.faults._passes.clear()
        code = chiso.cli.main(["inbox", "--as-of", plan["as_of"], "--quiet"])
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush(); sys.stderr.flush()
        os._exit(code)

def finish(pid, kill_after):
    started = time.perf_counter()
    if kill_after is not None:
        while time.perf_counter() - started < kill_after:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.01)
        os.kill(pid, signal.SIGKILL)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])

def snapshot_of_disk(home, target):
    # what a crash left: the warehouse folder (file, WAL, snapshot) and the file areas
    shutil.copytree(os.path.join(home, "warehouse"), os.path.join(target, "warehouse"))
    for area in ("inbox", "archive", "quarantine"):
        source = os.path.join(home, area)
        if os.path.exists(source):
            shutil.copytree(source, os.path.join(target, area))

seed = os.path.join(plan["workdir"], "seed")
assert finish(start(seed, None, os.path.join(plan["workdir"], "seed.log")), None) == 0
for job in plan["jobs"]:
    home = os.path.join(job["dir"], "home")
    shutil.copytree(os.path.join(seed, "warehouse"), os.path.join(home, "warehouse"))
    shutil.copytree(os.path.join(seed, "archive"), os.path.join(home, "archive"))
    shutil.copytree(plan["batch"], os.path.join(home, "inbox"))
    runs = []
    for number, phase in enumerate(job["phases"]):
        started = time.perf_counter()
        fault = phase if isinstance(phase, str) else None
        kill_after = phase if isinstance(phase, (int, float)) else None
        code = finish(start(home, fault, os.path.join(job["dir"], f"run{number}.log")), kill_after)
        runs.append({"code": code, "seconds": round(time.perf_counter() - started, 3)})
        if number < len(job["phases"]) - 1:
            snapshot_of_disk(home, os.path.join(job["dir"], f"crash{number}"))
    with open(os.path.join(job["dir"], "runs.json"), "w") as out:
        json.dump(runs, out)
"""


def _workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


@pytest.fixture(scope="module")
def crash_runs(tmp_path_factory, rel):
    """Run the reference and every scenario (in 2 driver processes); the folders they leave."""
    root = tmp_path_factory.mktemp("crash")
    batch = root / "batch"
    rel.write_batch(batch)
    jobs = {"reference": [None], **SCENARIOS}
    dirs = {name: root / f"job{index:02d}" for index, name in enumerate(jobs)}
    drivers = []
    started = time.perf_counter()
    workers = _workers()
    for worker in range(workers):
        workdir = root / f"driver{worker}"
        rel.write_seed(workdir / "seed" / "inbox")
        mine = [name for index, name in enumerate(jobs) if index % workers == worker]
        plan = {
            "as_of": rel.AS_OF,
            "workdir": str(workdir),
            "batch": str(batch),
            "jobs": [{"dir": str(dirs[name]), "phases": jobs[name]} for name in mine],
        }
        (workdir / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
        with (workdir / "driver.log").open("w") as log:
            drivers.append(
                (
                    subprocess.Popen(
                        [sys.executable, "-c", DRIVER, str(workdir / "plan.json")],
                        cwd=PROJECT_ROOT,
                        env=rel.chiso_env(workdir),
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    ),
                    workdir,
                )
            )
    for process, workdir in drivers:
        assert process.wait(timeout=900) == 0, (workdir / "driver.log").read_text(encoding="utf-8")[-3000:]
    elapsed = time.perf_counter() - started
    results = {}
    for name, directory in dirs.items():
        runs = json.loads((directory / "runs.json").read_text(encoding="utf-8"))
        results[name] = {"dir": directory, "home": directory / "home", "runs": runs}
    results["seed"] = {"home": root / "driver0" / "seed"}
    print(f"\n{len(SCENARIOS)} crash scenarios + reference in {elapsed:.1f} s on {workers} processes")
    return results


@pytest.fixture(scope="module")
def reference(crash_runs, rel):
    """The uninterrupted run: itself checked against the expected verdicts and invariants."""
    run = crash_runs["reference"]
    assert [r["code"] for r in run["runs"]] == [0], _logs(run)
    state = rel.warehouse_state(run["home"] / "warehouse" / "chiso.duckdb")
    assert state.verdicts == {**rel.SEED, **rel.BATCH}
    assert state.problems == {}
    assert rel.file_problems(run["home"], {**rel.SEED, **rel.BATCH}) == []
    return state


@pytest.fixture(scope="module")
def old_snapshot(crash_runs, rel):
    """What analysts see before the batch: the seed run's published snapshot."""
    state = rel.warehouse_state(crash_runs["seed"]["home"] / "warehouse" / "snapshot" / "chiso.duckdb")
    assert state.verdicts == dict.fromkeys(rel.SEED, "accepted")
    return state


def _logs(run) -> str:
    return "\n".join(p.read_text(encoding="utf-8")[-2000:] for p in sorted(run["dir"].glob("run*.log")))


def _check_snapshot(path: Path, rel, allowed: dict[str, object]) -> str:
    """The analysts' file opens read-only, answers, and is one of the published states; which one."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as db:  # never raises, never half a file
        db.execute("select count(*) from indicator_values").fetchone()
        db.execute("select count(*) from indicator_facts join submissions using (submission_id)").fetchone()
    state = rel.warehouse_state(path)
    assert state.problems == {}
    for name, expected in allowed.items():
        if (state.verdicts, state.values) == (expected.verdicts, expected.values):
            return name
    raise AssertionError(f"snapshot {path} is none of the published states: {state.verdicts}")


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_killed_ingest_then_rerun_equals_uninterrupted_run(scenario, crash_runs, reference, old_snapshot, rel):
    run = crash_runs[scenario]
    phases = SCENARIOS[scenario]
    codes = [r["code"] for r in run["runs"]]
    for phase, code in zip(phases[:-1], codes):
        if isinstance(phase, str):
            assert code == -9, f"{phase} was never reached (exit {code})\n{_logs(run)}"
        else:
            assert code in (-9, 0), _logs(run)
    assert codes[-1] == 0, _logs(run)

    batch_order = list(rel.BATCH)
    for number in range(len(phases) - 1):
        crash = run["dir"] / f"crash{number}"
        # The warehouse a crash leaves opens, and holds whole chunks only, in receipt order.
        state = rel.warehouse_state(crash / "warehouse" / "chiso.duckdb", finished=False)
        assert state.problems == {}, state.problems
        committed = [name for name in state.verdicts if name not in rel.SEED]
        assert committed == batch_order[: len(committed)]
        assert len(committed) % rel.CHUNK_SIZE == 0
        # No file lost or doubled: each is in the inbox or where its committed verdict sends it.
        assert rel.file_problems(crash, {**rel.SEED, **rel.BATCH}, finished=False) == []
        where = rel.inventory(crash)
        for name in rel.BATCH:
            if name not in state.verdicts:
                assert where[name] == ["inbox"], f"{name} moved before its verdict was committed"
            else:
                destination = "quarantine" if state.verdicts[name] == "rejected" else "archive"
                assert where[name][0] in ("inbox", destination), (name, where[name])
        # The analysts' snapshot: the old one, or the complete new one; it always opens.
        _check_snapshot(crash / "warehouse" / "snapshot" / "chiso.duckdb", rel, {"old": old_snapshot, "new": reference})

    home = run["home"]
    final = rel.warehouse_state(home / "warehouse" / "chiso.duckdb")
    assert final.problems == {}
    assert final.verdicts == reference.verdicts
    assert final.values == reference.values
    assert final.counts == reference.counts
    assert rel.file_problems(home, {**rel.SEED, **rel.BATCH}) == []
    assert list((home / "inbox").iterdir()) == []
    snapshot = home / "warehouse" / "snapshot" / "chiso.duckdb"
    assert _check_snapshot(snapshot, rel, {"new": reference}) == "new"
    assert snapshot.stat().st_mode & 0o777 == 0o444
    # Two publications, the seed's and the batch's, whatever the crash: one recorded and not copied is
    # carried by the rerun's publish (the tables unchanged); the snapshot holds the last.
    assert _publications(snapshot) == _publications(home / "warehouse" / "chiso.duckdb") == [1, 2]


def _publications(path: Path) -> list[int]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as db:
        return [row[0] for row in db.execute("select publication_no from publications order by 1").fetchall()]


def test_killed_publish_leaves_no_partial_copy_behind(crash_runs):
    home = crash_runs["publish.copied"]["home"]
    assert sorted(p.name for p in (home / "warehouse" / "snapshot").iterdir()) == ["chiso.duckdb"]


def test_killing_a_real_chiso_inbox_process(tmp_path, rel, crash_runs, reference):
    """The same check on a freshly started `chiso inbox` (no fork), killed mid-transaction."""
    home = tmp_path / "home"
    seed = crash_runs["seed"]["home"]
    for area in ("warehouse", "archive"):
        shutil.copytree(seed / area, home / area)
    rel.write_batch(home / "inbox")
    killed = rel.chiso(home, "inbox", "--as-of", rel.AS_OF, "--quiet", CHISO_FAULT="load.before_commit:2:kill")
    assert killed.returncode == -9, killed.stderr
    assert len(list((home / "inbox").iterdir())) == len(rel.BATCH)
    rerun = rel.chiso(home, "inbox", "--as-of", rel.AS_OF, "--quiet")
    assert rerun.returncode == 0, rerun.stderr
    state = rel.warehouse_state(home / "warehouse" / "chiso.duckdb")
    assert (state.verdicts, state.values, state.problems) == (reference.verdicts, reference.values, {})
    assert rel.file_problems(home, {**rel.SEED, **rel.BATCH}) == []
    snapshot = rel.warehouse_state(home / "warehouse" / "snapshot" / "chiso.duckdb")
    assert (snapshot.verdicts, snapshot.values) == (reference.verdicts, reference.values)


def test_airflow_publish_after_a_killed_chunk_task_includes_what_it_committed(tmp_path, rel):
    """The Airflow path: a chunk task dies after its commit and moves, before the checkpoint; the next
    DAG run finds the inbox empty, maps no chunk task, and only runs the publish task."""
    home = tmp_path / "home"
    rel.write_batch(home / "inbox")
    code = (
        "import sys; from datetime import date; from chiso.pipeline import inbox_chunks, ingest_inbox_chunk; "
        "from core.settings import load_settings; c = load_settings(); "
        "ingest_inbox_chunk(inbox_chunks(c)[0], c, date.fromisoformat(sys.argv[1]))"
    )
    first_chunk = list(rel.BATCH)[: rel.CHUNK_SIZE]
    for name in list(rel.BATCH)[rel.CHUNK_SIZE :]:
        (home / "inbox" / name).unlink()  # one chunk only: the inbox is empty once it is moved
    killed = subprocess.run(
        [sys.executable, "-c", code, rel.AS_OF],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env=rel.chiso_env(home, CHISO_FAULT=f"move.file:{rel.CHUNK_SIZE}:kill"),
    )
    assert killed.returncode == -9, killed.stderr
    assert list((home / "inbox").iterdir()) == []

    from chiso.pipeline import inbox_chunks, publish_snapshot
    from core.settings import load_settings

    settings = load_settings(home=home)
    assert inbox_chunks(settings) == []  # so the DAG maps no ingest_chunk; its publish task still runs
    publish_snapshot(settings)
    state = rel.warehouse_state(settings.snapshot, finished=False)
    assert list(state.verdicts) == first_chunk


@pytest.mark.parametrize("scenario", ["move.file:4 then move.file:2", "reference"])
def test_a_rebuild_after_a_killed_ingest_and_its_rerun_equals_its_warehouse(scenario, crash_runs, tmp_path):
    """`chiso rebuild` from what a crashed then rerun ingest left in the archive and the quarantine (receipts
    rewritten by the recovery) makes the same warehouse, table by table (tests/tables.py); the reference run
    is rebuilt without a backup: no ledger then, and every run counts as told (no notice sent twice)."""
    from tables import table_differences

    from chiso.rebuild import rebuild
    from core.settings import load_settings

    home = crash_runs[scenario]["home"]
    # The original, as a backup of its ledgers (the notices of its runs) and to compare with; the seed's
    # rows name the seed's home, where the driver ran it before copying its files here: relocated.
    original = tmp_path / "original.duckdb"
    shutil.copy(home / "warehouse" / "chiso.duckdb", original)
    with duckdb.connect(str(original)) as connection:
        connection.execute(
            "update submission_records set stored_path = ? || regexp_extract(stored_path, '/(archive|quarantine)/.*$')",
            [str(home)],
        )
    backup = original if scenario != "reference" else None
    rebuilt = rebuild(load_settings(home=home), tmp_path / "rebuilt.duckdb", ledgers_from=backup)
    assert rebuilt.chunks == 5  # the seed's run, then the batch's four chunks
    ledgers = {"notices", "notice_kinds", "message_kinds", "runs_before_notices"}
    ledgers |= {"publications", "publication_changes", "publication_tables"}
    assert table_differences(original, rebuilt.into, skip=frozenset(ledgers if backup is None else ())) == {}
    if backup is None:
        with duckdb.connect(str(rebuilt.into), read_only=True) as connection:
            untold = "select count(*) from submission_records where run_id not in (from runs_before_notices)"
            assert connection.execute(untold).fetchone() == (0,)
            assert connection.execute("select count(*) from notices").fetchone() == (0,)


def test_timings_for_the_record(crash_runs):
    """Not a check: the figures quoted in docs/reliability.md (printed with -s)."""
    scenarios = [crash_runs[name] for name in SCENARIOS]
    killed = [r for run in scenarios for r in run["runs"][:-1]]
    reruns = [run["runs"][-1]["seconds"] for run in scenarios]
    print(
        f"\nkilled runs: {len(killed)} ({sum(r['code'] == -9 for r in killed)} by SIGKILL); "
        f"reference run {crash_runs['reference']['runs'][0]['seconds']:.2f} s; "
        f"reruns {min(reruns):.2f}-{max(reruns):.2f} s"
    )
    assert killed
