"""The SDMX-CSV 2.0 output: written from a published snapshot, read back by pysdmx, checked against
the format's rules and the structure derived from the catalog, and its values equal to the views'."""

from __future__ import annotations

import csv
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from builders import AS_OF, csv_bytes, department_report, district_report, survey_report, write
from chiso.context import RunContext

CHISO = str(Path(sys.executable).parent / "chiso")
NOTE = '=1+1, "đợt 2"\nghi chú'  # a comma, quotes, a line break and a formula: written verbatim
STRUCTURE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*:[A-Za-z0-9_@$-]+\(\d+(\.\d+)*\)$")  # agency:id(version)
TIME_PERIOD = {"A": re.compile(r"^\d{4}$"), "Q": re.compile(r"^\d{4}-Q[1-4]$")}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A department, a district, a survey with disaggregations, and a department whose task counts are all
    zero (its ratios have a zero denominator), ingested and published: the settings."""
    from chiso.pipeline import ingest_paths
    from core.settings import load_settings

    root = tmp_path_factory.mktemp("sdmx")
    settings = load_settings(home=root / "home")
    noted = department_report()
    noted = noted.with_rows((i, b, v, NOTE if i == "TT_TIN" else n) for i, b, v, n in noted.rows)
    zero = department_report("STTTT", "2017Q1")
    for indicator in ("NV_GIAO", "NV_TRIENKHAI", "NV_CUTHE", "NV_HOANTHANH"):
        zero = zero.setting(indicator, 0)
    reports = {"dp.csv": noted, "dh.csv": district_report(), "sv.csv": survey_report(), "zero.csv": zero}
    paths = [write(root / "in" / name, csv_bytes(report)) for name, report in reports.items()]
    run = ingest_paths(paths, RunContext.of(settings, as_of=AS_OF), publish_snapshot=True)
    assert {v.file_name: v.status for v in run.verdicts} == dict.fromkeys(reports, "accepted")
    return settings


@pytest.fixture(scope="module")
def written(published, tmp_path_factory) -> dict[str, Path]:
    from chiso.outputs import OUTPUTS

    return OUTPUTS["sdmx"].write(published.snapshot, tmp_path_factory.mktemp("out"))


def view(settings, name: str) -> list[dict]:
    import duckdb

    with duckdb.connect(str(settings.snapshot), read_only=True) as db:
        relation = db.table(name)
        return [dict(zip(relation.columns, row)) for row in relation.fetchall()]


def catalog(settings) -> dict:
    import duckdb

    from chiso.outputs.sdmx import CATALOG_TABLES, _rows

    with duckdb.connect(str(settings.snapshot), read_only=True) as db:
        return {table: _rows(db, table) for table in CATALOG_TABLES}


def rows_of(path: Path) -> tuple[list[str], list[dict]]:
    """The file as the format defines it: exact text, no type guessed."""
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        return list(reader.fieldnames or []), list(reader)


def number(text: str) -> float | None:
    return None if text == "NaN" else float(text)


def period(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if "Q" in code else code


def test_values_round_trip(published, written):
    rows = view(published, "indicator_values")
    header, read = rows_of(written["indicator_values"])
    assert header == [
        *("STRUCTURE", "STRUCTURE_ID", "ACTION"),
        *("FREQ", "REF_AREA", "INDICATOR", "DISAGGREGATION", "TIME_PERIOD"),
        *("OBS_VALUE", "UNIT_MEASURE", "OBS_COMMENT"),
    ]
    units = {row["indicator_code"]: row["measure_unit_en"] for row in catalog(published)["indicators"]}
    expected = {
        (r["unit_code"], r["indicator_code"], r["disaggregation"] or "_Z", period(r["period"])): (
            r["value"],
            units[r["indicator_code"]],
            r["note"] or "",
        )
        for r in rows
    }
    got = {
        (r["REF_AREA"], r["INDICATOR"], r["DISAGGREGATION"], r["TIME_PERIOD"]): (
            number(r["OBS_VALUE"]),
            r["UNIT_MEASURE"],
            r["OBS_COMMENT"],
        )
        for r in read
    }
    assert len(read) == len(rows) == len(got) > 20 and got == expected
    assert got[("SKHCN", "TT_TIN", "_Z", "2017-Q2")][2] == NOTE  # verbatim: no leading quote
    assert {r["REF_AREA"] for r in read} == {"SKHCN", "STTTT", "026"}  # codes as the catalog has them
    assert {r["DISAGGREGATION"] for r in read} >= {"_Z", "TRUONGHOC", "BENHVIEN"}


def test_rollup_round_trip_with_missing_ratios(published, written):
    rows = view(published, "indicator_rollup")
    header, read = rows_of(written["indicator_rollup"])
    assert header[3:] == [
        *("FREQ", "REF_AREA", "UNIT_TYPE", "INDICATOR", "DISAGGREGATION", "TIME_PERIOD"),
        *("OBS_VALUE", "UNIT_MEASURE", "UNITS_REPORTING", "OBS_STATUS"),
    ]
    scope = {"province": "_T", "department": "department", "district": "district"}
    expected = {
        (scope[r["scope"]], r["indicator_code"], r["disaggregation"] or "_Z", period(r["period"])): (
            r["value"],
            r["units_reporting"],
        )
        for r in rows
    }
    got = {
        (r["UNIT_TYPE"], r["INDICATOR"], r["DISAGGREGATION"], r["TIME_PERIOD"]): (
            number(r["OBS_VALUE"]),
            int(r["UNITS_REPORTING"]),
        )
        for r in read
    }
    assert len(read) == len(rows) == len(got) and got.keys() == expected.keys()
    for key, (value, units) in expected.items():
        assert got[key][1] == units and (got[key][0] == pytest.approx(value) if value is not None else True), key
    missing = {key for key, (value, _) in expected.items() if value is None}
    assert ("department", "NV_TYLE_TRIENKHAI", "_Z", "2017-Q1") in missing  # STTTT's 0 of 0 task groups
    for r in read:
        key = (r["UNIT_TYPE"], r["INDICATOR"], r["DISAGGREGATION"], r["TIME_PERIOD"])
        assert (r["OBS_VALUE"], r["OBS_STATUS"]) == ("NaN", "M") if key in missing else r["OBS_STATUS"] == "A"
    assert {r["REF_AREA"] for r in read} == {"08"}  # the province of the plan in force, from plan.csv
    derived = [r for r in read if r["INDICATOR"] == "NV_TYLE_HOANTHANH"]
    assert derived and {r["UNIT_MEASURE"] for r in derived} == {"%"}


@pytest.mark.parametrize("name", ["indicator_values", "indicator_rollup"])
def test_pysdmx_reads_it_back(published, written, name):
    from pysdmx.io.csv.sdmx20.reader import read

    from chiso.outputs.sdmx import STRUCTURES

    schema = STRUCTURES[name][0](catalog(published))
    [dataset] = read(written[name].read_text(encoding="utf-8"))
    assert dataset.short_urn == f"DataStructure={schema.short_urn.split('=')[1]}"
    assert dataset.action.name == "Information"
    assert list(dataset.data.columns) == [component.id for component in schema.components]
    _, rows = rows_of(written[name])
    assert len(dataset.data) == len(rows)
    # pysdmx 1.21's reader lets pandas guess types, so `026` comes back as `26`: the codes are compared
    # as the file has them above; here what it reads of the key's other parts and of the values.
    key = ["INDICATOR", "DISAGGREGATION", "TIME_PERIOD"]
    read_back = sorted((*(r[k] for k in key), r["OBS_VALUE"]) for r in dataset.data.to_dict("records"))
    assert read_back == sorted((*(r[k] for k in key), r["OBS_VALUE"]) for r in rows)
    assert all(math.isnan(float(value)) or float(value) >= 0 for *_, value in read_back)


@pytest.mark.parametrize("name", ["indicator_values", "indicator_rollup"])
def test_the_format_and_the_structure_from_the_catalog(published, written, name):
    """SDMX-CSV 2.0's rules, and every coded value in the codelist the catalog gives its dimension."""
    from chiso.outputs.sdmx import STRUCTURES

    schema = STRUCTURES[name][0](catalog(published))
    header, rows = rows_of(written[name])
    components = list(schema.components)
    assert header == ["STRUCTURE", "STRUCTURE_ID", "ACTION", *(c.id for c in components)]
    roles = [c.role.name for c in components]
    assert roles == sorted(roles, key=lambda role: "DMA".index(role[0]))  # dimensions, measure, attributes
    assert {r["STRUCTURE"] for r in rows} == {"datastructure"} and {r["ACTION"] for r in rows} == {"I"}
    [structure_id] = {r["STRUCTURE_ID"] for r in rows}
    assert STRUCTURE_ID.fullmatch(structure_id) and structure_id.startswith("CHISO:KH-KHCN-CDS-2021-2030_")
    dimensions = [c.id for c in components if c.role.name == "DIMENSION"]
    assert len({tuple(r[d] for d in dimensions) for r in rows}) == len(rows)  # one observation per key
    for component in components:
        if component.local_codes is not None:
            allowed = {code.id for code in component.local_codes}
            assert {r[component.id] for r in rows} <= allowed, component.id
    for row in rows:
        assert TIME_PERIOD[row["FREQ"]].fullmatch(row["TIME_PERIOD"]), row
    indicators = {code.id for code in next(c for c in components if c.id == "INDICATOR").local_codes}
    assert {"NV_GIAO", "CNTT_TONG", "CNTT_TYLE", "NV_TYLE_HOANTHANH"} <= indicators  # plain and derived


def test_the_same_snapshot_writes_the_same_file(published, written, tmp_path):
    from chiso.outputs import OUTPUTS

    again = OUTPUTS["sdmx"].write(published.snapshot, tmp_path)
    assert {name: path.read_bytes() for name, path in again.items()} == {
        name: path.read_bytes() for name, path in written.items()
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indicator_rollup.sdmx.csv", "indicator_values.sdmx.csv"]


def test_chiso_export_writes_sdmx_and_refuses_other_views(published, tmp_path):
    env = {**os.environ, "CHISO_HOME": str(published.home)}
    done = subprocess.run(
        [CHISO, "export", "indicator_rollup", "--format", "sdmx"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    rows = len(view(published, "indicator_rollup"))
    assert done.stdout.strip() == f"wrote {rows} rows of indicator_rollup to indicator_rollup.sdmx.csv"
    assert (tmp_path / "indicator_rollup.sdmx.csv").read_text(encoding="utf-8").startswith("STRUCTURE,STRUCTURE_ID")
    refused = subprocess.run(
        [CHISO, "export", "completeness", "--format", "sdmx"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "chiso: error: SDMX is written for indicator_values and indicator_rollup, not completeness"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indicator_rollup.sdmx.csv"]


def test_sdmx_periods():
    from chiso.outputs.sdmx import sdmx_period

    assert sdmx_period("2017Q3") == ("Q", "2017-Q3") and sdmx_period("2017") == ("A", "2017")
    with pytest.raises(ValueError):
        sdmx_period("2017-07")
