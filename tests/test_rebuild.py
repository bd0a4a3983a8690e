"""`chiso rebuild`: the warehouse made again from the archive, the quarantine and their receipts equals
the original, table by table, row by row; and the backup and restore procedure of docs/deployment.md,
run as written, restores an equal warehouse.

The original is `make run`'s story without Airflow: the demo inbox through the inbox pipeline (in
chunks of 100), the demo's approvals (dev/approvals.py: 2016 accepted and locked, a correction sent
after an approval), then two later files: one sent through the portal (its sender), and one for a
slot the province accepted, refused as locked — which only a rebuild that applies the approval log
between the files in order judges the same.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest
from tables import table_differences

from builders import PROJECT_ROOT
from chiso.context import RunContext
from chiso.pipeline import inbox_destinations, ingest_paths, publish_snapshot
from chiso.rebuild import RebuildRefused, rebuild
from chiso.receipts import read_receipt, receipt_path, write_sender
from core.settings import load_settings

DEMO_AS_OF = date(2021, 6, 1)
SENDER = "vanthu@dongvan.example.vn"


def _ingest(settings, path: Path, as_of: date | None = None) -> None:
    ingest_paths([path], RunContext.of(settings, as_of=as_of), destinations=inbox_destinations(settings))


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    """The demo's home after its ingest, approvals and two later files; its warehouse and snapshot."""
    from demo import generate_demo_inbox
    from dev.approvals import approve_demo
    from transforms.template.example import build_example

    root = tmp_path_factory.mktemp("rebuild")
    settings = load_settings(home=root / "home", chunk_size=100)
    # The demo's first plan (2016-2020, its files received by DEMO_AS_OF): every kind of file and approval,
    # a third of the whole demo's files (the rebuild's cost grows with them, its logic does not).
    settings.inbox.mkdir(parents=True)
    for demo_file in generate_demo_inbox(root / "demo"):
        if demo_file.received_at.date() < DEMO_AS_OF:
            shutil.copy2(root / "demo" / demo_file.file_name, settings.inbox / demo_file.file_name)
    _ingest(settings, settings.inbox, DEMO_AS_OF)
    approve_demo(settings)
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        dataset, unit, period = connection.execute(
            "select dataset_code, unit_code, period from slot_approvals where state = 'accepted' order by all limit 1"
        ).fetchone()
    catalog = RunContext.of(settings).catalog
    late = settings.inbox / f"{dataset}_{unit}_{period}_gui-lai.xlsx"
    late.write_bytes(build_example(catalog, dataset, unit, period))
    _ingest(settings, late)
    sent = settings.inbox / "portal-0000001-026-0a1b2c3d.xlsx"
    data = build_example(catalog, "DP-HUYEN", "026", "2018Q1")
    fields = {"send_id": 1, "unit_code": "026", "client_file_name": "Báo cáo quý 1.xlsx", "sent_at": "2026-01-01"}
    write_sender(sent, {"sent_by": SENDER, "sha256": hashlib.sha256(data).hexdigest(), **fields})
    sent.write_bytes(data)
    _ingest(settings, sent)
    publish_snapshot(settings)
    return settings


def test_the_original_holds_what_a_rebuild_must_reproduce(original):
    with duckdb.connect(str(original.warehouse), read_only=True) as connection:
        locked = connection.execute(
            "select count(*) from findings where check_name = 'slot_locked' and severity = 'critical'"
        ).fetchone()[0]
        sent_by = connection.execute("select file_name, sent_by from submission_records where sent_by is not null")
        sent_rows = sent_by.fetchall()
        runs = connection.execute("select count(distinct run_id) from submission_records").fetchone()[0]
    assert locked == 1
    assert [row[1] for row in sent_rows] == [SENDER]
    assert runs == 4
    stored = sorted(p for p in original.archive.rglob("*") if p.name.startswith("0") and ".receipt" not in p.name)
    receipt = read_receipt(receipt_path(next(p for p in stored if "portal-" in p.name)))
    assert (receipt.sent_by, receipt.sent["client_file_name"]) == (SENDER, "Báo cáo quý 1.xlsx")
    assert not (original.inbox / ".senders").exists() or list((original.inbox / ".senders").iterdir()) == []


def test_a_rebuild_equals_the_original_table_by_table(original, tmp_path):
    rebuilt = rebuild(original, tmp_path / "rebuilt.duckdb", ledgers_from=original.snapshot)
    assert rebuilt.chunks > 6 and rebuilt.approvals > 0
    assert table_differences(original.warehouse, rebuilt.into) == {}


def test_a_rebuild_refuses_to_overwrite_and_the_live_warehouse(original, tmp_path):
    taken = tmp_path / "taken.duckdb"
    taken.write_bytes(b"mine")
    for target in (taken, original.warehouse, original.snapshot):
        with pytest.raises(RebuildRefused):
            rebuild(original, target)
    assert taken.read_bytes() == b"mine"


def test_a_stored_file_without_its_receipt_or_changed_is_refused(original, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(original.home, home)
    settings = replace(original, home=home, archive=home / "archive", quarantine=home / "quarantine")
    first = sorted(settings.archive.rglob("0000001_*"))[0]
    receipt = receipt_path(first)
    kept = receipt.read_bytes()
    receipt.unlink()
    with pytest.raises(RebuildRefused, match="no receipt"):
        rebuild(settings, tmp_path / "a.duckdb")
    receipt.write_bytes(kept)
    first.write_bytes(first.read_bytes() + b"\n")
    with pytest.raises(ValueError, match="bytes changed"):
        rebuild(settings, tmp_path / "b.duckdb")


def _procedure(title: str) -> str:
    """The commands of one step of docs/deployment.md's backup and restore section, as written there."""
    text = (PROJECT_ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    section = text.split("## Backup and restore", 1)[1].split("\n## ", 1)[0]
    found = re.search(rf"\*\*{title}\*\*.*?```sh\n(.*?)```", section, re.S)
    assert found, f"docs/deployment.md has no {title} commands"
    return found.group(1)


def test_the_documented_backup_and_restore_restores_an_equal_warehouse(original, tmp_path):
    """The commands of docs/deployment.md, run as written: back up, lose the whole home, restore. On the
    module's home itself (the warehouse records where each file lies), whole again once restored."""
    home = original.home
    backup = tmp_path / "backup"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CHISO_")},
        "CHISO_HOME": str(home),
        "BACKUP": str(backup),
        "PATH": f"{PROJECT_ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
        "GX_ANALYTICS_ENABLED": "false",
    }

    def run(script: str) -> None:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    run(_procedure("Back up"))
    shutil.copy(home / "warehouse" / "chiso.duckdb", tmp_path / "before.duckdb")
    shutil.rmtree(home)  # the disk is lost
    run(_procedure("Restore"))
    assert table_differences(tmp_path / "before.duckdb", home / "warehouse" / "chiso.duckdb") == {}
    assert (home / "warehouse" / "snapshot" / "chiso.duckdb").is_file()


def test_a_sender_record_is_trusted_only_whole_small_and_for_its_own_bytes(tmp_path):
    from chiso.receipts import MAX_SENDER_BYTES, read_sender, sender_path

    path = tmp_path / "portal-0000009-026-00000000.csv"
    sha = hashlib.sha256(b"x").hexdigest()
    good = {"sent_by": SENDER, "sha256": sha, "send_id": 9}
    write_sender(path, good)
    assert read_sender(path, sha) == good
    assert read_sender(path, hashlib.sha256(b"y").hexdigest()) == {}  # another file's record
    record = sender_path(path)
    for hostile in (
        b"[1, 2]",
        b"\xff\xfe not utf-8",
        b'{"sent_by": 7, "sha256": "%s"}' % sha.encode(),
        b'{"sent_by": "a\\u0000b", "sha256": "%s"}' % sha.encode(),
        b'{"sent_by": "%s", "sha256": "%s"}' % (b"a" * 400, sha.encode()),
        b'{"sent_by": "x", "sha256": "%s", "pad": "%s"}' % (sha.encode(), b" " * MAX_SENDER_BYTES),
    ):
        record.write_bytes(hostile)
        assert read_sender(path, sha) == {}, hostile[:60]
    record.unlink()
    record.mkdir()  # not a file
    assert read_sender(path, sha) == {}
