"""Concurrency: analysts read while the loader republishes; two loaders at once serialise.

(a) An analyst process opens the snapshot read-only in a tight loop (and keeps one connection
    open throughout) while a loader ingests 6 chunks and republishes after each, as the
    Airflow tasks do (`ingest_inbox_chunk`, then `publish_snapshot`). A second analyst runs
    the real `chiso query` over and over. Nobody may see a lock error or a state that was
    never published, and states may only move forward.
(b) Two loaders started at once (two `chiso inbox`; a `chiso inbox` and an Airflow chunk
    task) serialise on the writer lock and lose nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from builders import PROJECT_ROOT
from core.settings import load_settings

pytestmark = pytest.mark.slow

# One consistent look at a warehouse: each query's rows. A published state is one such value.
SIGNATURE = [
    "select status, count(*) from submissions group by all order by all",
    "select count(*), round(coalesce(sum(value), 0), 6) from indicator_values",
    "select count(*) from indicator_facts join submissions using (submission_id) where status = 'accepted'",
    # rows of a submission that disagree with its verdict: must always be 0
    """select count(*) from submissions s
       where (status in ('accepted', 'superseded')
              and value_rows != (select count(*) from indicator_facts f where f.submission_id = s.submission_id))
          or (status in ('rejected', 'duplicate')
              and exists (select 1 from indicator_facts f where f.submission_id = s.submission_id))""",
]
SIGNATURE_CODE = r"""
import json
def signature(db, queries):
    return json.dumps([db.execute(q).fetchall() for q in queries], default=str)
"""

READER = (
    SIGNATURE_CODE
    + r"""
import duckdb, os, sys, time
snapshot, stop, out, mode = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[5]
queries = json.loads(sys.argv[4])
# "held": an analyst who keeps one session open throughout. It must live in a process of its
# own: DuckDB shares one database instance per path within a process, so while it is open a
# new connect() in the same process would get the old instance instead of the new snapshot.
held = duckdb.connect(snapshot, read_only=True) if mode == "held" else None
seen, errors = [], []
while True:
    last = os.path.exists(stop)
    try:
        if held is not None:
            seen.append(signature(held, queries))
            time.sleep(0.1)
        else:
            with duckdb.connect(snapshot, read_only=True) as db:
                seen.append(signature(db, queries))
            time.sleep(0.05)
    except Exception as error:
        errors.append(repr(error))
    if last:
        break
json.dump({"seen": seen, "errors": errors}, open(out, "w"))
"""
)

WRITER = (
    SIGNATURE_CODE
    + r"""
import duckdb, sys, time
from datetime import date
from core.settings import load_settings
from chiso.pipeline import inbox_chunks, ingest_inbox_chunk, publish_snapshot
settings = load_settings()
queries = json.loads(sys.argv[2])
published = []
for chunk in inbox_chunks(settings):
    ingest_inbox_chunk(chunk, settings, date.fromisoformat(sys.argv[1]))
    publish_snapshot(settings)
    with duckdb.connect(str(settings.snapshot), read_only=True) as db:
        published.append(signature(db, queries))
print(json.dumps(published))
"""
)


def _python(code: str, *args: str, env: dict, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=PROJECT_ROOT, env=env, text=True, **options)


def test_analysts_read_a_whole_published_state_while_the_loader_republishes(tmp_path, rel):
    home = tmp_path / "home"
    rel.write_batch(home / "inbox")
    env = rel.chiso_env(home, CHISO_CHUNK_SIZE="2")
    settings = load_settings(home=home)
    from chiso.pipeline import publish_snapshot

    publish_snapshot(settings)  # the empty warehouse: what analysts see before the first load
    import duckdb

    with duckdb.connect(str(settings.snapshot), read_only=True) as db:
        initial = json.dumps([db.execute(q).fetchall() for q in SIGNATURE], default=str)

    stop = tmp_path / "stop"
    readers = {
        mode: _python(
            READER,
            str(settings.snapshot),
            str(stop),
            str(tmp_path / f"{mode}.json"),
            json.dumps(SIGNATURE),
            mode,
            env=env,
        )
        for mode in ("fresh", "held")
    }
    time.sleep(1)  # both sessions open on the initial snapshot
    cli_runs: list[subprocess.CompletedProcess] = []
    writer_done = threading.Event()

    def analyst_cli():
        while not writer_done.is_set():
            cli_runs.append(
                rel.chiso(
                    home,
                    "query",
                    "select count(*) from indicator_values join submissions "
                    "using (submission_id) where status = 'accepted'",
                    timeout=60,
                )
            )
            writer_done.wait(2)

    analyst = threading.Thread(target=analyst_cli)
    analyst.start()
    started = time.perf_counter()
    writer = _python(WRITER, rel.AS_OF, json.dumps(SIGNATURE), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = writer.communicate(timeout=300)
    elapsed = time.perf_counter() - started
    writer_done.set()
    stop.touch()
    for reader in readers.values():
        assert reader.wait(timeout=60) == 0
    analyst.join(timeout=120)
    assert writer.returncode == 0, err
    published = [initial, *json.loads(out.strip().splitlines()[-1])]
    result = json.loads((tmp_path / "fresh.json").read_text(encoding="utf-8"))
    held = json.loads((tmp_path / "held.json").read_text(encoding="utf-8"))

    assert len(published) == 1 + 6  # 12 files in chunks of 2: six publishes
    assert result["errors"] == []
    assert len(result["seen"]) >= 50
    order = []
    for state in result["seen"]:
        assert state in published, f"an analyst saw a state that was never published: {state}"
        order.append(published.index(state))
        assert json.loads(state)[3] == [[0]]  # every submission whole
    assert order == sorted(order), "an analyst saw the published states go backwards"
    assert len(set(order)) >= 3, "the reader did not overlap the loads"
    assert order[-1] == len(published) - 1
    assert held["errors"] == []
    assert set(held["seen"]) == {initial}  # an open session keeps its state, undisturbed

    assert cli_runs and all(run.returncode == 0 for run in cli_runs), [r.stderr for r in cli_runs if r.returncode]
    assert not any("lock" in run.stderr.lower() for run in cli_runs)
    state = rel.warehouse_state(settings.snapshot)
    assert (state.verdicts, state.problems) == (rel.BATCH_UNSEEDED, {})
    assert rel.file_problems(home, rel.BATCH_UNSEEDED) == []
    print(
        f"\n{len(result['seen'])} fresh reader sessions, {len(held['seen'])} queries in a held session and "
        f"{len(cli_runs)} `chiso query` runs during a {elapsed:.1f} s ingest with {len(published) - 1} publishes; "
        f"states seen: {sorted(set(order))}"
    )


def _totals(output: str) -> int:
    """Files reported by a `chiso inbox` run ("12 files: ...")."""
    return sum(int(line.split()[0]) for line in output.splitlines() if " files: " in line)


def test_two_chiso_inbox_started_together_serialise_and_lose_nothing(tmp_path, rel):
    home = tmp_path / "home"
    rel.write_batch(home / "inbox")
    args = [sys.executable, "-m", "chiso.cli", "inbox", "--as-of", rel.AS_OF, "--quiet"]
    runs = [
        subprocess.Popen(
            args, cwd=PROJECT_ROOT, env=rel.chiso_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (_out, err) in zip(runs, outputs):
        assert run.returncode == 0, err
    assert sorted(_totals(out) for out, _ in outputs) == [0, len(rel.BATCH)]  # one did it all, once
    state = rel.warehouse_state(home / "warehouse" / "chiso.duckdb")
    assert (state.verdicts, state.problems) == (rel.BATCH_UNSEEDED, {})
    assert rel.file_problems(home, rel.BATCH_UNSEEDED) == []
    snapshot = rel.warehouse_state(home / "warehouse" / "snapshot" / "chiso.duckdb")
    assert (snapshot.verdicts, snapshot.values) == (state.verdicts, state.values)


# `chiso inbox` made to wait while it holds the writer lock, before it moves anything.
GATED_INBOX = r"""
import os, sys, time
import chiso.pipeline as pipeline
locked, go = sys.argv[1], sys.argv[2]
recover_moves = pipeline.recover_moves
def gated(connection):
    if not os.path.exists(locked):
        open(locked, "w").close()
        while not os.path.exists(go):
            time.sleep(0.05)
    return recover_moves(connection)
pipeline.recover_moves = gated
from chiso.cli import main
sys.exit(main(["inbox", "--as-of", sys.argv[3], "--quiet"]))
"""
# An Airflow chunk task (`ingest_inbox_chunk`) that says when it reaches the writer lock.
CHUNK_TASK = r"""
import json, sys
from datetime import date
import chiso.pipeline as pipeline
from core.settings import load_settings
waiting = sys.argv[1]
writer_lock = pipeline.writer_lock
def announced(*args, **kwargs):
    open(waiting, "w").close()
    return writer_lock(*args, **kwargs)
pipeline.writer_lock = announced
paths, as_of = json.loads(sys.argv[2]), date.fromisoformat(sys.argv[3])
print(json.dumps(pipeline.ingest_inbox_chunk(paths, load_settings(), as_of)))
"""


def _wait_for(path: Path, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


def test_chunk_task_waiting_on_the_lock_while_the_cli_ingests_its_files(tmp_path, rel):
    """The chunk task lists its files, then the CLI takes the lock and ingests and moves them all.

    When the task finally gets the lock its files are gone: it must skip them (they are done),
    not fail, and nothing may be loaded twice.
    """
    home = tmp_path / "home"
    rel.write_batch(home / "inbox")
    env = rel.chiso_env(home)
    from chiso.pipeline import inbox_chunks

    first_chunk = inbox_chunks(load_settings(home=home, chunk_size=rel.CHUNK_SIZE))[0]
    locked, go, waiting = tmp_path / "locked", tmp_path / "go", tmp_path / "waiting"
    cli = _python(GATED_INBOX, str(locked), str(go), rel.AS_OF, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_for(locked, cli)  # the CLI holds the lock and has moved nothing yet
    task = _python(
        CHUNK_TASK,
        str(waiting),
        json.dumps(first_chunk),
        rel.AS_OF,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _wait_for(waiting, task)  # the task saw its files present and now waits for the lock
    go.touch()
    cli_out, cli_err = cli.communicate(timeout=300)
    task_out, task_err = task.communicate(timeout=300)
    assert cli.returncode == 0, cli_err
    assert task.returncode == 0, task_err
    assert _totals(cli_out) == len(rel.BATCH)
    assert json.loads(task_out.strip().splitlines()[-1])["files"] == 0
    state = rel.warehouse_state(home / "warehouse" / "chiso.duckdb")
    assert (state.verdicts, state.problems) == (rel.BATCH_UNSEEDED, {})
    assert rel.file_problems(home, rel.BATCH_UNSEEDED) == []


def test_chunk_task_and_cli_started_together_lose_nothing(tmp_path, rel):
    """No choreography: whichever gets the lock first, every file ends up ingested exactly once."""
    home = tmp_path / "home"
    rel.write_batch(home / "inbox")
    env = rel.chiso_env(home)
    from chiso.pipeline import inbox_chunks

    chunks = inbox_chunks(load_settings(home=home, chunk_size=rel.CHUNK_SIZE))
    tasks_code = (
        "import json, sys; from datetime import date; from chiso.pipeline import ingest_inbox_chunk; "
        "from core.settings import load_settings; "
        "[ingest_inbox_chunk(c, load_settings(), date.fromisoformat(sys.argv[2])) for c in json.loads(sys.argv[1])]"
    )
    task = _python(tasks_code, json.dumps(chunks), rel.AS_OF, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    cli = subprocess.Popen(
        [sys.executable, "-m", "chiso.cli", "inbox", "--as-of", rel.AS_OF, "--quiet"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, task_err = task.communicate(timeout=300)
    _, cli_err = cli.communicate(timeout=300)
    assert (task.returncode, cli.returncode) == (0, 0), task_err + cli_err
    state = rel.warehouse_state(home / "warehouse" / "chiso.duckdb")
    assert (state.verdicts, state.problems) == (rel.BATCH_UNSEEDED, {})
    assert rel.file_problems(home, rel.BATCH_UNSEEDED) == []
