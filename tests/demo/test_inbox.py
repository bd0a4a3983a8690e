"""The demo inbox's public API: deterministic files and mtimes, the mix of a real inbox, the
manifest, and a plan read from the catalog it is given."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

from core.catalog import Catalog
from demo import generate_demo_inbox
from demo.inbox import demo_values, scripted_inbox

SEED = 2017  # the inbox fixture's seed (tests/demo/conftest.py)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_determinism(tmp_path: Path, inbox, catalog: Catalog) -> None:
    folder, files = inbox
    scripted_inbox.cache_clear()  # rebuild the script from the seed, not from the cache
    again = generate_demo_inbox(tmp_path / "again", SEED, manifest_path=tmp_path / "m.json")
    assert again == files
    assert _digests(tmp_path / "again") == _digests(folder)
    assert (tmp_path / "m.json").exists()
    # another seed scripts another inbox (its script alone: rendering 1,570 files again would add 12 s)
    other, _ = scripted_inbox(SEED + 1, catalog)
    assert [(f.file_name, f.received_at) for f in other] != [(f.file_name, f.received_at) for f in files]


def test_size_mix_and_names(inbox) -> None:
    folder, files = inbox
    assert 1500 <= len(files) <= 1700  # 1,617 reports owed (test_scenarios), ~5 % never sent, resends and copies
    assert sorted(p.name for p in folder.iterdir()) == sorted(f.file_name for f in files)
    assert len({f.file_name for f in files}) == len(files)
    assert {f.expected_status for f in files} == {"accepted", "rejected", "duplicate", "superseded"}
    csv_n = sum(f.file_name.endswith(".csv") for f in files)
    xlsx_n = sum(f.file_name.endswith(".xlsx") for f in files)
    # workbooks: 29 % of the first units' files (~950), 5 % of the units' that began in 2025 (~620)
    assert 0.7 < csv_n / len(files) < 0.85 and 0.15 < xlsx_n / len(files) < 0.25
    problems = [f for f in files if f.expected_status != "accepted" or f.expected_warnings]
    assert 0.10 <= len(problems) / len(files) <= 0.20
    assert any(re.search(r"[^\x00-\x7f]", f.file_name) for f in files)
    assert any(" " in f.file_name for f in files)
    assert all(f.received_at.tzinfo is None for f in files)


def test_mtimes_are_receipt_times(inbox) -> None:
    folder, files = inbox
    for f in files:
        mtime = datetime.fromtimestamp((folder / f.file_name).stat().st_mtime, UTC).replace(tzinfo=None)
        assert mtime == f.received_at, f.file_name


def test_manifest_on_request(tmp_path: Path) -> None:
    files = generate_demo_inbox(tmp_path / "in", SEED, manifest_path=True)
    doc = json.loads((tmp_path / "demo-manifest.json").read_text(encoding="utf-8"))
    assert [m["file_name"] for m in doc["files"]] == [f.file_name for f in files]
    assert doc["files"][0]["received_at"] == files[0].received_at.isoformat()
    assert not (tmp_path / "in" / "demo-manifest.json").exists()


def _rename(directory: Path, table: str, code: str, column: str, name: str) -> None:
    path = directory / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        rows, columns = list(reader), reader.fieldnames
    for row in rows:
        if row[columns[0]] == code:
            row[column] = name
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_the_plan_is_read_from_the_catalog(tmp_path: Path, inbox, catalog: Catalog) -> None:
    """Names come from the catalog given: rename a unit and an indicator, and its workbooks say
    the new names; the values stay those of the same seed."""
    _, files = inbox
    unit = next(
        f.unit_code
        for f in files
        if f.expected_status == "accepted" and f.file_name.endswith(".xlsx") and f.dataset_code != "CNTT-NAM"
    )
    changed = tmp_path / "catalog"
    shutil.copytree(catalog.directory, changed)
    _rename(changed, "units", unit, "unit_name", "Đơn vị đổi tên")
    _rename(changed, "indicators", "NV_CUTHE", "indicator_name", "Số nhiệm vụ cụ thể được giao")
    renamed = generate_demo_inbox(tmp_path / "in", SEED, catalog=Catalog(changed))
    import openpyxl

    cells = set()
    for f in renamed:
        if f.unit_code == unit and f.expected_status == "accepted" and f.file_name.endswith(".xlsx"):
            sheet = openpyxl.load_workbook(tmp_path / "in" / f.file_name).worksheets[0]
            cells |= {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None}
    assert {"Đơn vị đổi tên", "ĐƠN VỊ ĐỔI TÊN"} <= cells
    assert catalog.units[unit]["unit_name"] not in cells
    assert "Số nhiệm vụ cụ thể được giao" in cells and "Số nhiệm vụ cụ thể" not in cells
    assert demo_values(SEED, Catalog(changed)) == demo_values(SEED)


def test_csv_headers_are_the_vocabulary(inbox) -> None:
    from core.vocabulary import say

    folder, files = inbox
    fields = ["dataset", "unit_code", "period", "indicator_code", "disaggregation", "value", "note"]
    known = {getattr(say(f"field.{name}"), language).casefold() for name in fields for language in ("vi", "en")}
    for f in files:
        data = (folder / f.file_name).read_bytes()
        if f.file_name.endswith(".csv") and data.startswith(b"\xef\xbb\xbf") and f.expected_status == "accepted":
            text = data[3:].decode()
            header = next(csv.reader(io.StringIO(text), delimiter=max("\t;,", key=text.splitlines()[0].count)))
            assert {name.casefold() for name in header} <= known, f.file_name
