"""The inbox cycle shared by `chiso inbox` and the ingest DAG."""

from __future__ import annotations

from builders import csv_bytes, department_report, write
from chiso.pipeline import inbox_chunks, inbox_files
from core.settings import load_settings


def test_files_still_arriving_wait_for_the_next_run(tmp_path):
    settings = load_settings(home=tmp_path, settle_seconds=60)
    settled = write(settings.inbox / "settled.csv", csv_bytes(department_report()))
    (settings.inbox / "arriving.csv").write_bytes(b"dataset,unit_code,per")
    assert inbox_files(settings) == [settled]


def test_inbox_is_cut_into_chunks_in_receipt_order(tmp_path):
    settings = load_settings(home=tmp_path, chunk_size=2)
    for day, unit in enumerate(["SYT", "SKHCN", "SCT"], start=1):
        write(settings.inbox / f"{unit}.csv", csv_bytes(department_report(unit)), received=f"2017-07-0{day} 09:00")
    write(settings.inbox / ".hidden.csv", b"x")
    chunks = inbox_chunks(settings)
    assert [[p.rsplit("/", 1)[1] for p in chunk] for chunk in chunks] == [["SYT.csv", "SKHCN.csv"], ["SCT.csv"]]
