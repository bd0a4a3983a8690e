"""The demo inbox's public API: `generate_demo_inbox` writes the files, `demo_values` says
what the warehouse's current view must hold once they are ingested.

`generate_demo_inbox(out_dir, seed)` writes about 520 report files (CSV, XLSX and a few files
a clerk should never have sent) for every reporting unit of the catalog and every period of
the plan, and returns one `DemoFile` per file saying what the pipeline must make of it
(status, critical rules, warnings).

Times: every `received_at` is a **naive UTC** datetime (e.g. 2017-07-08 02:30, which is 09:30
in Asia/Ho_Chi_Minh); see demo.receipts. Each file's mtime is set to its `received_at`.
Same seed (and catalog) -> byte-identical files and identical mtimes.

Warning codes used in `expected_warnings` (only predicted for files that end accepted or
superseded): "late", and "formula" for a note that starts with '=', '+', '-' or '@'.
Outliers are not predicted.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from core.catalog import Catalog
from demo.model import DemoFile, ScriptedFile
from demo.plan import default_catalog
from demo.render_csv import render_csv
from demo.render_other import render_docx, render_empty, render_pdf, render_truncated_xlsx, render_xls
from demo.render_xlsx import render_xlsx
from demo.scenarios import script_inbox
from demo.script import IntendedValues

__all__ = ["DemoFile", "demo_values", "generate_demo_inbox"]

RENDERERS = {
    "csv": render_csv,
    "xlsx": render_xlsx,
    "truncated_xlsx": render_truncated_xlsx,
    "empty": render_empty,
    "pdf": render_pdf,
    "docx": render_docx,
    "xls": render_xls,
}


@lru_cache(maxsize=4)
def scripted_inbox(seed: int, catalog: Catalog) -> tuple[list[ScriptedFile], IntendedValues]:
    """The script of the inbox of `seed`, made once per seed and catalog (rendering only reads it)."""
    return script_inbox(catalog, seed)


def demo_values(
    seed: int = 2017, catalog: Catalog | None = None
) -> dict[tuple[str, str, str], dict[tuple[str, str | None], int | float]]:
    """Values the current view must hold after the demo inbox of `seed` is ingested.

    {(dataset, unit, period): {(indicator, disaggregation or None): value}} for every
    slot that ends with an accepted file (missing and finally rejected slots are
    absent). Counts are int, amounts and percents float.
    """
    _, values = scripted_inbox(seed, catalog or default_catalog())
    return {slot: dict(slot_values) for slot, slot_values in values.items()}


def render(scripted: ScriptedFile, catalog: Catalog, rendered: dict[int, bytes]) -> bytes:
    """The bytes of a scripted file; a copy is the bytes of its original (`rendered`, by id)."""
    if scripted.kind == "copy":
        assert scripted.copy_of is not None
        return rendered[id(scripted.copy_of)]
    return RENDERERS[scripted.kind](scripted, catalog)


def demo_file(scripted: ScriptedFile) -> DemoFile:
    return DemoFile(
        file_name=scripted.file_name,
        dataset_code=scripted.slot[0],
        unit_code=scripted.slot[1],
        period=scripted.slot[2],
        received_at=scripted.received_at,
        expected_status=scripted.status,
        expected_rules=scripted.rules if scripted.status == "rejected" else (),
        expected_warnings=scripted.warnings if scripted.status in ("accepted", "superseded") else (),
        scenario=scripted.scenario + ("; formula-like note" if scripted.formula_note else ""),
        form=scripted.form(),
    )


def manifest_entry(demo: DemoFile, data: bytes, digest: str) -> dict:
    return {
        **{key: value for key, value in demo.__dict__.items() if key != "received_at"},
        "received_at": demo.received_at.isoformat(),
        "expected_rules": list(demo.expected_rules),
        "expected_warnings": list(demo.expected_warnings),
        "sha256": digest,
        "bytes": len(data),
    }


def generate_demo_inbox(
    out_dir: Path | str,
    seed: int = 2017,
    manifest_path: Path | str | bool | None = None,
    catalog: Catalog | None = None,
) -> list[DemoFile]:
    """Write the demo inbox for `seed` into `out_dir` (created if needed).

    Returns one `DemoFile` per written file, in order of receipt. Existing files
    in `out_dir` are left alone (same-named ones are overwritten): use an empty
    folder. `manifest_path`: a path to also write a JSON manifest there, or
    True for `out_dir.parent / "demo-manifest.json"`; nothing by default.
    All `received_at` values are naive UTC; each file's mtime is set to it.
    `catalog`: the plan to follow (default: the catalog the settings name).
    """
    catalog = catalog or default_catalog()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files, _ = scripted_inbox(seed, catalog)
    rendered: dict[int, bytes] = {}
    first_with_digest: dict[str, str] = {}
    result: list[DemoFile] = []
    manifest: list[dict] = []
    for scripted in files:
        data = rendered[id(scripted)] = render(scripted, catalog, rendered)
        digest = hashlib.sha256(data).hexdigest()
        if scripted.kind != "copy" and digest in first_with_digest:
            raise AssertionError(f"{scripted.file_name} is byte-identical to {first_with_digest[digest]}")
        first_with_digest.setdefault(digest, scripted.file_name)
        write_received(out_dir / scripted.file_name, data, scripted.received_at)
        result.append(demo_file(scripted))
        manifest.append(manifest_entry(result[-1], data, digest))
    if manifest_path:
        path = out_dir.parent / "demo-manifest.json" if manifest_path is True else Path(manifest_path)
        document = {"seed": seed, "time_zone": "naive UTC", "files": manifest}
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return result


def write_received(path: Path, data: bytes, received_at: datetime) -> None:
    """Write a file with its receipt time (naive UTC) as its mtime."""
    path.write_bytes(data)
    stamp = received_at.replace(tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))
