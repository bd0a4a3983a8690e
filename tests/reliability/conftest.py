"""Shared pieces of the reliability tests: the test batch, the warehouse invariants, the file inventory.

The batch is 12 files that exercise every verdict and cross-chunk interplay (a file superseded
two chunks later, a duplicate of a file from an earlier chunk and of one from an earlier run,
a rejected resubmission that must not replace an accepted one). With CHISO_CHUNK_SIZE=3 it
loads in 4 transactions, so a crash can land between chunks as well as inside one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from builders import PROJECT_ROOT, csv_bytes, department_report, district_report, survey_report, write, xlsx_bytes

AS_OF = "2018-03-01"
CHUNK_SIZE = 3

# The seed run (ingested and published before the batch): the analysts' "old" snapshot.
SEED = {
    "Sở KHCN quý 1.csv": "accepted",
    "Đồng Văn quý 2 (bản đầu).csv": "superseded",  # replaced by the batch's xlsx
}
# The batch in processing (receipt) order, with the verdict each file ends with after the seed.
BATCH = {
    "Sở KHCN quý 2.csv": "superseded",  # by "Sở KHCN quý 2 - sửa.csv" (chunk 3)
    "Đồng Văn quý 2.xlsx": "accepted",  # supersedes the seed's Đồng Văn file
    "Sở Y tế quý 2.csv": "rejected",  # negative value
    "scan.pdf": "rejected",  # unsupported type
    "Sở TTTT quý 2.csv": "accepted",  # semicolon, Vietnamese numbers
    "gửi lại Sở KHCN quý 1.csv": "duplicate",  # byte-identical to the seed's first file
    "Mèo Vạc điều tra 2017.csv": "accepted",
    "Sở KHCN quý 2 - sửa.csv": "accepted",
    "Sở KHCN quý 2 (gửi lại).csv": "duplicate",  # byte-identical to the first file of the batch
    "Sở KHCN quý 2 - sai.csv": "rejected",  # inconsistent: does not replace the accepted one
    "Yên Minh quý 3.xlsx": "accepted",
    "Quản Bạ quý 3.csv": "accepted",  # Windows-1258, Vietnamese headers
}
# The same batch into an empty warehouse (no seed): the resent Q1 file is then new.
BATCH_UNSEEDED = {**BATCH, "gửi lại Sở KHCN quý 1.csv": "accepted"}


def write_seed(inbox: Path) -> dict[str, str]:
    write(inbox / "Sở KHCN quý 1.csv", csv_bytes(department_report("SKHCN", "2017Q1")), "2017-04-05 09:00")
    write(
        inbox / "Đồng Văn quý 2 (bản đầu).csv",
        csv_bytes(district_report("026", "2017Q2").setting("NV_CUTHE", 4)),
        "2017-07-04 09:00",
    )
    return dict(SEED)


def write_batch(inbox: Path) -> dict[str, str]:
    """The 12 files, each with its own receipt time (their processing order is BATCH's order)."""
    skhcn_q2 = csv_bytes(department_report("SKHCN", "2017Q2"))
    vi_headers = ["Biểu mẫu", "Mã đơn vị", "Kỳ báo cáo", "Mã chỉ tiêu", "Phân tổ", "Giá trị", "Ghi chú"]
    contents = [
        skhcn_q2,
        xlsx_bytes(district_report("026", "2017Q2")),
        csv_bytes(department_report("SYT", "2017Q2").setting("NV_CUTHE", -1)),
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
        csv_bytes(department_report("STTTT", "2017Q2"), delimiter=";"),
        csv_bytes(department_report("SKHCN", "2017Q1")),
        csv_bytes(survey_report("027", "2017")),
        csv_bytes(department_report("SKHCN", "2017Q2").setting("NV_GIAO", 4)),
        skhcn_q2,
        csv_bytes(department_report("SKHCN", "2017Q2").setting("NV_GIAO", 1)),
        xlsx_bytes(district_report("028", "2017Q3")),
        csv_bytes(district_report("029", "2017Q3"), delimiter=";", encoding="cp1258", headers=vi_headers),
    ]
    for day, (name, data) in enumerate(zip(BATCH, contents), 1):
        write(inbox / name, data, received=f"2018-01-{day:02d} 09:00")
    return dict(BATCH)


# --------------------------------------------------------------------------- warehouse invariants

VALUES_SQL = """
    select v.dataset_code, v.unit_code, v.period, v.indicator_code, v.disaggregation, v.value, v.note,
           v.source_row, v.received_at, s.file_name
    from indicator_values v join submissions s using (submission_id)
    order by all
"""
PROBLEM_SQL = {
    "partial or stray facts": """
        select s.file_name, s.status, s.value_rows, count(f.submission_id)
        from submissions s left join indicator_facts f using (submission_id)
        group by all
        having (s.status in ('accepted', 'superseded') and count(f.submission_id) != s.value_rows)
            or (s.status in ('rejected', 'duplicate') and count(f.submission_id) > 0)
    """,
    "duplicate current values": """
        select dataset_code, unit_code, period, indicator_code, disaggregation, count(*)
        from indicator_values group by all having count(*) > 1
    """,
    "file ingested twice": "select file_name, count(*) from submissions group by all having count(*) > 1",
    "same bytes loaded twice": """
        select sha256, count(*) from submissions where status != 'duplicate' group by all having count(*) > 1
    """,
    "two current submissions for one key": """
        select dataset_code, unit_code, period, count(*) from submissions where status = 'accepted'
        group by all having count(*) > 1
    """,
}


def warehouse_state(path: Path, finished: bool = True) -> SimpleNamespace:
    """Read-only look at a warehouse or snapshot file: verdicts, current values, broken invariants.

    A `.wal` beside `path` is replayed in memory (DuckDB does so for read-only opens).
    `finished`: every committed file must also have been moved.
    """
    import duckdb

    with duckdb.connect(str(path), read_only=True) as db:
        verdicts = dict(db.execute("select file_name, status from submissions order by submission_id").fetchall())
        values = db.execute(VALUES_SQL).fetchall()
        problems = {name: db.execute(sql).fetchall() for name, sql in PROBLEM_SQL.items()}
        if finished:
            problems["not moved"] = db.execute("select file_name from submissions where not moved").fetchall()
        counts = db.execute(
            "select (select count(*) from submissions), (select count(*) from indicator_facts), "
            "(select count(*) from indicator_values)"
        ).fetchone()
    return SimpleNamespace(
        verdicts=verdicts, values=values, problems={k: v for k, v in problems.items() if v}, counts=counts
    )


# --------------------------------------------------------------------------- files on disk


def inventory(home: Path) -> dict[str, list[str]]:
    """Where each received file is now: original name -> ['inbox' | 'archive' | 'quarantine', ...].

    Archived and quarantined files are named `<submission id>_<original name>`; the reasons
    reports beside quarantined files and the receipts beside every stored file are listed under their
    own name.
    """
    found: dict[str, list[str]] = {}
    for area in ("inbox", "archive", "quarantine"):
        root = home / area
        if not root.exists():
            continue
        for path in root.rglob("*"):
            if not path.is_file():
                continue
            name = path.name if area == "inbox" else path.name.split("_", 1)[1]
            found.setdefault(name, []).append(area)
    return found


def file_problems(home: Path, expected: dict[str, str], finished: bool = True) -> list[str]:
    """Every expected file exactly once (in the inbox, or in the place its verdict sends it)."""
    where = inventory(home)
    problems = []
    for name, status in expected.items():
        places = where.get(name, [])
        if len(places) != 1:
            problems.append(f"{name}: found in {places or 'nowhere'}")
        elif finished:
            wanted = "quarantine" if status == "rejected" else "archive"
            if places != [wanted]:
                problems.append(f"{name} ({status}) is in {places[0]}, not in {wanted}")
            reasons = where.get(name + ".reasons.txt", [])
            if status == "rejected" and reasons != ["quarantine"]:
                problems.append(f"{name}: its reasons report is in {reasons or 'nowhere'}")
            receipt = where.get(name + ".receipt.json", [])
            if receipt != [wanted]:
                problems.append(f"{name}: its receipt is in {receipt or 'nowhere'}")
    known = set(expected) | {n + suffix for n in expected for suffix in (".reasons.txt", ".receipt.json")}
    problems += [f"unexpected file {name} in {places}" for name, places in where.items() if name not in known]
    return problems


# --------------------------------------------------------------------------- running chiso


def chiso_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHISO_")}
    env.update(
        CHISO_HOME=str(home),
        CHISO_CHUNK_SIZE=str(CHUNK_SIZE),
        PYTHONPATH=str(PROJECT_ROOT),
        GX_ANALYTICS_ENABLED="false",
        OPENBLAS_NUM_THREADS="1",
    )
    env.update(extra)
    return env


def chiso(home: Path, *args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    """Run the real `chiso` command line in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "chiso.cli", *args],
        cwd=PROJECT_ROOT,
        env=chiso_env(home, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs real ingest processes (seconds to a minute each)")


@pytest.fixture(scope="session")
def rel() -> SimpleNamespace:
    """The helpers above, for the test modules of this folder."""
    return SimpleNamespace(
        AS_OF=AS_OF,
        CHUNK_SIZE=CHUNK_SIZE,
        SEED=SEED,
        BATCH=BATCH,
        BATCH_UNSEEDED=BATCH_UNSEEDED,
        write_seed=write_seed,
        write_batch=write_batch,
        warehouse_state=warehouse_state,
        inventory=inventory,
        file_problems=file_problems,
        chiso_env=chiso_env,
        chiso=chiso,
    )
