"""Lineage of every figure (issue 21): the views figure_lineage and completeness_lineage agree with the
roll-up and the completeness grid, a figure is traced to the exact rows of the exact files sent, and
`chiso lineage` prints it (or says what to ask for instead)."""

from __future__ import annotations

import duckdb
import pytest

from builders import AS_OF, csv_bytes, district_report, write, xlsx_bytes
from chiso import lineage
from chiso.cli import main
from chiso.context import RunContext
from core.settings import load_settings

# Every figure of the roll-up recomputed from its lineage rows alone: each unit's value (the sum of its rows:
# one for a `last` indicator's year, every quarter for a `sum` one), then the units added up or averaged, a
# derived indicator's as multiplier × numerator / denominator. Rows: the figures whose value differs.
RECOMPUTE = """
with unit_values as (
    select period, scope, indicator_code, disaggregation, role, unit_code,
        any_value(across_units) as across_units, sum(value) as value
    from figure_lineage
    group by all
),
parts as (
    select period, scope, indicator_code, disaggregation, role, count(*) as units,
        case when any_value(across_units) = 'mean' then avg(value) else sum(value) end as value
    from unit_values
    group by all
),
recomputed as (
    select period, scope, indicator_code, disaggregation,
        coalesce(
            max(value) filter (where role = 'value'),
            any_value(derived.multiplier) * max(value) filter (where role = 'numerator')
                / nullif(max(value) filter (where role = 'denominator'), 0)
        ) as value,
        min(units) as units
    from parts
    left join derived_indicators as derived using (indicator_code)
    group by all
)
select rollup.*, recomputed.value, recomputed.units
from indicator_rollup as rollup
full join recomputed using (period, scope, indicator_code, disaggregation)
where not coalesce(abs(rollup.value - recomputed.value) < 1e-9, rollup.value is null and recomputed.value is null)
    or rollup.units_reporting is distinct from recomputed.units
"""


@pytest.fixture(scope="module")
def demo_snapshot(demo_warehouse):
    _, _, settings = demo_warehouse
    with duckdb.connect(str(settings.snapshot), read_only=True) as connection:
        yield connection


def test_every_figure_of_the_rollup_recomputes_from_its_lineage(demo_snapshot):
    assert demo_snapshot.execute("select count(*) from indicator_rollup").fetchone()[0] > 1000
    assert demo_snapshot.execute(RECOMPUTE).fetchall() == []


def test_every_completeness_cell_is_its_files(demo_snapshot):
    disagree = demo_snapshot.execute(
        """
        select cells.*
        from completeness as cells
        inner join (
            select dataset_code, unit_code, period, count(submission_id) as files,
                count(*) filter (where status = 'rejected') as rejected,
                min(received_at) filter (where role = 'first_accepted') as first_accepted_at,
                count(*) filter (where role = 'correction') as corrections
            from completeness_lineage
            group by all
        ) as traced using (dataset_code, unit_code, period)
        where traced.files <> cells.files or traced.rejected <> cells.rejected_files
            or traced.first_accepted_at is distinct from cells.first_accepted_at
            or traced.corrections <> cells.corrections
        """
    ).fetchall()
    assert disagree == []
    cells, traced = demo_snapshot.execute(
        "select (select count(*) from completeness),"
        " (select count(*) from (select distinct dataset_code, unit_code, period from completeness_lineage))"
    ).fetchone()
    assert cells == traced


# Three files as the districts send them: 026's second quarter (CSV), its third (a workbook, 4 task groups
# assigned), 027's third (CSV). Each row: (file, received, bytes).
SENT = (
    ("Báo cáo quý 2 - Đồng Văn.csv", "2017-07-05 09:00", csv_bytes(district_report("026", "2017Q2"))),
    (
        "BC quy III - Dong Van.xlsx",
        "2017-10-05 09:00",
        xlsx_bytes(district_report("026", "2017Q3").setting("NV_GIAO", 4)),
    ),
    ("meo vac q3.csv", "2017-10-06 10:00", csv_bytes(district_report("027", "2017Q3"))),
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from chiso.pipeline import ingest_paths

    root = tmp_path_factory.mktemp("lineage")
    settings = load_settings(home=root / "home")
    paths = [write(root / "inbox" / name, data, received) for name, received, data in SENT]
    report = ingest_paths(paths, RunContext.of(settings, as_of=AS_OF), publish_snapshot=True)
    verdicts = {v.file_name: v for v in report.verdicts}
    assert {v.status for v in verdicts.values()} == {"accepted"}
    return verdicts, settings


def _open(settings):
    """The snapshot, read-only, for one test (`chiso lineage` opens it with another configuration)."""
    return duckdb.connect(str(settings.snapshot), read_only=True)


def test_a_figure_is_traced_to_the_exact_rows_of_the_exact_files(tiny):
    verdicts, settings = tiny
    with _open(settings) as connection:
        traced = lineage.figures(connection, "NV_GIAO", "2017", "district")
        shares = lineage.figures(connection, "NV_TYLE_TRIENKHAI", "2017Q3", "province")
    # NV_GIAO is a `last` indicator: 2017 takes each district's latest quarter, 026's from the workbook.
    (figure,) = traced
    assert figure.value == 4 + 1
    assert [
        (r["file_name"], r["submission_id"], r["unit_code"], r["reported_period"], r["value"], r["source_row"])
        for r in figure.rows
    ] == [
        ("BC quy III - Dong Van.xlsx", verdicts["BC quy III - Dong Van.xlsx"].submission_id, "026", "2017Q3", 4, 10),
        ("meo vac q3.csv", verdicts["meo vac q3.csv"].submission_id, "027", "2017Q3", 1, 2),
    ]
    assert {(r["status"], r["sent_by"]) for r in figure.rows} == {("accepted", None)}  # copied into the inbox
    # A derived figure: its numerator's and denominator's rows, the two files of the quarter.
    (share,) = shares
    assert [(r["role"], r["unit_code"], r["source_row"]) for r in share.rows] == [
        ("numerator", "026", 11),
        ("numerator", "027", 3),
        ("denominator", "026", 10),
        ("denominator", "027", 2),
    ]
    assert share.value == pytest.approx(100 * (1 + 1) / (4 + 1))
    assert [f["file_name"] for f in share.files()] == ["BC quy III - Dong Van.xlsx", "meo vac q3.csv"]


def test_a_completeness_cell_lists_its_files(tiny):
    verdicts, settings = tiny
    with _open(settings) as connection:
        (row,) = lineage.cell(connection, "DP-HUYEN", "026", "2017Q2")
    assert (row["file_name"], row["submission_id"], row["role"], row["source_rows"]) == (
        "Báo cáo quý 2 - Đồng Văn.csv",
        verdicts["Báo cáo quý 2 - Đồng Văn.csv"].submission_id,
        "first_accepted",
        list(range(2, 9)),
    )


def test_chiso_lineage_prints_the_figure_and_its_rows(tiny, capsys):
    verdicts, settings = tiny
    status = main(
        [
            "lineage",
            "--indicator",
            "NV_GIAO",
            "--period",
            "2017",
            "--scope",
            "district",
            "--warehouse",
            str(settings.snapshot),
        ]
    )
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert out.startswith("NV_GIAO 2017 district: 5 (2 units reporting)")
    assert "BC quy III - Dong Van.xlsx" in out and "meo vac q3.csv" in out
    assert f"  {verdicts['meo vac q3.csv'].submission_id}: " in out  # its paths


def test_chiso_lineage_says_what_to_ask_for_instead(tiny, capsys):
    _, settings = tiny
    status = main(["lineage", "--indicator", "NV_GIAO", "--period", "2019", "--warehouse", str(settings.snapshot)])
    err = capsys.readouterr().err
    assert status == 2
    assert "no figure NV_GIAO 2019 province" in err and "2017Q2 2017Q3" in err and "district province" in err
