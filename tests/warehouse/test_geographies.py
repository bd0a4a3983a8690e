"""Series in three geographies (issue 22): a merged and a split series, a chain of successions, a ratio across a
split and the allocated flag, in the current and the fixed past geography, against hand-computed figures.

The warehouse is the real catalog's (plan, indicators, derived indicators, periods) with its successions
replaced by a small invented reform, and a few values written straight into the tables the views read:

    2017-07-01  DA ends, merged into DB (DB goes on)         H3 ends, split: 1/2 to H1, 1/2 to H2
    2018-01-01  DB and DC end, merged into the new DN        H1 ends, split: 3/4 to commune X1, 1/4 to X2
                (DN's reverse weights blank)                 H2 ends, merged into X2
                                                             reverse weights: X1 <- H1 1; X2 <- H1 1/2, H2 1/2

So the current geography is the units of 2018-01-01 (DN, X1, X2) and the fixed past one those of 2017-12-31
(DB, DC, H1, H2). A chain: DA -> DB -> DN (weights 1 x 1), H3 -> H1 -> X1 (weights 1/2 x 3/4 = 3/8).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from builders import PROJECT_ROOT
from core.catalog import Catalog
from warehouse.db import connect, sql
from warehouse.dimensions import load_catalog

UNITS = [
    # code, type, valid_from, valid_to
    ("DA", "department", "2016-01-01", "2017-06-30"),
    ("DB", "department", "2016-01-01", "2017-12-31"),
    ("DC", "department", "2016-01-01", "2017-12-31"),
    ("DN", "department", "2018-01-01", None),
    ("H1", "district", "2016-01-01", "2017-12-31"),
    ("H2", "district", "2016-01-01", "2017-12-31"),
    ("H3", "district", "2016-01-01", "2017-06-30"),
    ("X1", "commune", "2018-01-01", None),
    ("X2", "commune", "2018-01-01", None),
]
SUCCESSIONS = [
    # from, to, kind, effective, weight, reverse weight
    ("DA", "DB", "merge", "2017-07-01", "1", "1"),
    ("H3", "H1", "split", "2017-07-01", "1/2", None),
    ("H3", "H2", "split", "2017-07-01", "1/2", None),
    ("DB", "DN", "merge", "2018-01-01", "1", None),
    ("DC", "DN", "merge", "2018-01-01", "1", None),
    ("H1", "X1", "split", "2018-01-01", "3/4", "1"),
    ("H1", "X2", "split", "2018-01-01", "1/4", "1/2"),
    ("H2", "X2", "merge", "2018-01-01", "1", "1/2"),
]
VALUES = {
    # (unit, period): {indicator: value}
    ("DA", "2017Q1"): {"TT_TIN": 2},
    ("DA", "2017Q2"): {"TT_TIN": 3, "NV_GIAO": 1},
    ("DB", "2017Q1"): {"TT_TIN": 5},
    ("DB", "2017Q3"): {"TT_TIN": 7},
    ("DB", "2017Q4"): {"NV_GIAO": 2},
    ("DC", "2017Q1"): {"TT_TIN": 4},
    ("DC", "2017Q4"): {"NV_GIAO": 3},
    ("DN", "2018Q1"): {"TT_TIN": 10},
    ("H1", "2017Q1"): {"TT_TIN": 20, "NV_GIAO": 4, "NV_TRIENKHAI": 1, "DVC_TRUCTUYEN_TYLE": 40},
    ("H2", "2017Q1"): {"TT_TIN": 6, "NV_GIAO": 6, "NV_TRIENKHAI": 6, "DVC_TRUCTUYEN_TYLE": 60},
    ("H3", "2016Q4"): {"TT_TIN": 8},
    ("X1", "2018Q1"): {"TT_TIN": 8},
    ("X2", "2018Q1"): {"TT_TIN": 4},
}


def write_reform(connection) -> None:
    """The invented units, successions and values above, into a warehouse whose catalog is loaded."""
    connection.execute("delete from unit_successions")
    connection.execute(
        "insert or ignore into unit_types values ('commune', 'xã, phường', 'commune', 'Xã, phường', 'Communes')"
    )
    connection.executemany(
        "insert into units (unit_code, unit_name, unit_type, valid_from, valid_to) values (?, ?, ?, ?, ?)",
        [(code, f"Đơn vị {code}", kind, start, end) for code, kind, start, end in UNITS],
    )
    connection.execute("insert or ignore into succession_kinds (kind) values ('merge'), ('split')")
    connection.executemany(
        "insert into unit_successions (from_code, to_code, kind, effective_date, weight, weight_fraction,"
        " reverse_weight, reverse_weight_fraction, mapping, legal_basis)"
        " values (?, ?, ?, ?, ?, ?, ?, ?, 'exact', 'test')",
        [
            (old, new, kind, day, _decimal(weight), weight, _decimal(reverse), reverse)
            for old, new, kind, day, weight, reverse in SUCCESSIONS
        ],
    )
    received = datetime(2018, 4, 2, 9, 0)
    for number, ((unit, period), values) in enumerate(VALUES.items(), start=1):
        dataset = "DP-SN" if unit.startswith("D") else "DP-HUYEN"
        connection.execute(
            "insert into submission_records (submission_id, file_name, sha256, size_bytes, file_format, received_at,"
            " ingested_at, run_id, dataset_code, unit_code, period, status, value_rows)"
            " values (?, ?, ?, 1, 'csv', ?, ?, 'test', ?, ?, ?, 'accepted', ?)",
            [number, f"{unit}_{period}.csv", f"{number:064d}", received, received, dataset, unit, period, len(values)],
        )
        connection.executemany(
            "insert into indicator_facts values (?, ?, ?, ?, ?, ?, '', ?, null)",
            [
                (number, row, dataset, unit, period, indicator, value)
                for row, (indicator, value) in enumerate(values.items(), start=2)
            ],
        )


def _decimal(fraction: str | None) -> float | None:
    if fraction is None:
        return None
    top, _, bottom = fraction.partition("/")
    return int(top) / int(bottom or 1)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("geographies") / "chiso.duckdb"
    with connect(path) as connection:
        load_catalog(connection, Catalog(PROJECT_ROOT / "catalog"))
        write_reform(connection)
        connection.execute(sql("refresh_rollup"))  # the stored roll-up, as the loader leaves it
    return path


@pytest.fixture(scope="module")
def query(warehouse):
    import duckdb

    connection = duckdb.connect(str(warehouse), read_only=True)
    yield lambda sql, params=None: connection.execute(sql, params or []).fetchall()
    connection.close()


def figure(query, geography, period, scope, indicator):
    rows = query(
        "select numerator, denominator, value, units_reporting, allocated, complete"
        f" from indicator_rollup_{geography}_geography"
        " where period = ? and scope = ? and indicator_code = ? and disaggregation = ''",
        [period, scope, indicator],
    )
    assert len(rows) == 1, rows
    return dict(zip(("numerator", "denominator", "value", "units", "allocated", "complete"), rows[0]))


def as_reported(query, period, scope, indicator):
    return query(
        "select value from indicator_rollup_live where period = ? and scope = ? and indicator_code = ?"
        " and disaggregation = ''",
        [period, scope, indicator],
    )[0][0]


def test_the_geographies_days_are_the_latest_effective_date_and_the_day_before(query):
    assert query("select cast(current_geography_day() as varchar), cast(past_geography_day() as varchar)") == [
        ("2018-01-01", "2017-12-31")
    ]


def test_a_merged_series_in_the_current_geography_sums_into_the_successor(query):
    # 2017Q1: DA 2 (via DB) + DB 5 + DC 4 = 11, all in DN: one unit, nothing allocated
    assert figure(query, "current", "2017Q1", "department", "TT_TIN") == {
        "numerator": None,
        "denominator": None,
        "value": 11.0,
        "units": 1,
        "allocated": False,
        "complete": True,
    }
    assert as_reported(query, "2017Q1", "department", "TT_TIN") == 11.0  # the same total, from three units
    # the year (a flow): 2 + 3 + 5 + 7 + 4 = 21; a stock (NV_GIAO, `last`): DN's latest quarter, DB 2 + DC 3
    assert figure(query, "current", "2017", "department", "TT_TIN")["value"] == 21.0
    assert figure(query, "current", "2017", "department", "NV_GIAO")["value"] == 5.0
    # as reported, each unit's own latest quarter: DA's Q2 (1) + DB 2 + DC 3
    assert as_reported(query, "2017", "department", "NV_GIAO") == 6.0


def test_a_chain_of_successions_is_followed_and_its_weights_multiply(query):
    rows = query(
        "select reported_unit_code, unit_code, value, weight, allocated, succession_paths"
        " from indicator_values_current_geography where indicator_code = 'TT_TIN'"
        " and reported_unit_code in ('DA', 'H3') order by reported_unit_code, period, unit_code"
    )
    assert rows == [
        ("DA", "DN", 2.0, 1.0, False, [["DA", "DB", "DN"]]),
        ("DA", "DN", 3.0, 1.0, False, [["DA", "DB", "DN"]]),
        # H3's 8: 1/2 x 3/4 = 3/8 to X1 (3); 1/2 x 1/4 through H1 and 1/2 through H2 = 5/8 to X2 (5)
        ("H3", "X1", 3.0, 0.375, True, [["H3", "H1", "X1"]]),
        ("H3", "X2", 5.0, 0.625, True, [["H3", "H1", "X2"], ["H3", "H2", "X2"]]),
    ]
    assert figure(query, "current", "2016Q4", "commune", "TT_TIN")["value"] == 8.0


def test_a_split_series_in_the_current_geography_is_allocated_by_weight(query):
    # H1's 20: 3/4 to X1 (15), 1/4 to X2 (5); H2's 6 all to X2: X1 15, X2 11, the commune scope 26
    units = query(
        "select unit_code, sum(value), bool_or(allocated) from indicator_values_current_geography"
        " where indicator_code = 'TT_TIN' and period = '2017Q1' and unit_code like 'X%' group by unit_code order by 1"
    )
    assert units == [("X1", 15.0, True), ("X2", 11.0, True)]
    assert figure(query, "current", "2017Q1", "commune", "TT_TIN") == {
        "numerator": None,
        "denominator": None,
        "value": 26.0,
        "units": 2,
        "allocated": True,
        "complete": True,
    }
    # no district is left in the current geography; the province adds every unit: 11 + 26, as reported
    assert query("select count(*) from indicator_rollup_current_geography where scope = 'district'") == [(0,)]
    assert figure(query, "current", "2017Q1", "province", "TT_TIN")["value"] == 37.0
    assert as_reported(query, "2017Q1", "province", "TT_TIN") == 37.0


def test_a_ratio_across_a_split_is_recomputed_from_its_parts_never_averaged(query):
    # NV_TYLE_TRIENKHAI = 100 x NV_TRIENKHAI / NV_GIAO. X1: 0.75 / 3 (25 %); X2: 0.25 + 6 / 1 + 6 (89.29 %)
    ratio = figure(query, "current", "2017Q1", "commune", "NV_TYLE_TRIENKHAI")
    assert (ratio["numerator"], ratio["denominator"], ratio["value"]) == (7.0, 10.0, 70.0)
    assert ratio["allocated"] is True
    average = (100 * 0.75 / 3 + 100 * 6.25 / 7) / 2  # 57.14: what averaging the units' ratios would give
    assert ratio["value"] != pytest.approx(average)


def test_a_mean_indicator_is_copied_to_each_successor_never_weighted(query):
    # DVC_TRUCTUYEN_TYLE (a percentage, averaged across units): X1 gets H1's 40; X2 the mean of 40 and 60
    rows = query(
        "select unit_code, reported_unit_code, value, weight, allocated from indicator_values_current_geography"
        " where indicator_code = 'DVC_TRUCTUYEN_TYLE' order by unit_code, reported_unit_code"
    )
    assert rows == [("X1", "H1", 40.0, 1.0, True), ("X2", "H1", 40.0, 1.0, True), ("X2", "H2", 60.0, 1.0, False)]
    assert figure(query, "current", "2017Q1", "commune", "DVC_TRUCTUYEN_TYLE")["value"] == 45.0


def test_the_past_geography_hands_new_units_values_back_by_reverse_weight(query):
    # 2018Q1: X1's 8 all to H1; X2's 4 half to H1, half to H2: H1 10, H2 2, the district scope 12
    units = query(
        "select unit_code, sum(value), bool_or(allocated) from indicator_values_past_geography"
        " where indicator_code = 'TT_TIN' and period = '2018Q1' and unit_code like 'H%' group by unit_code order by 1"
    )
    assert units == [("H1", 10.0, True), ("H2", 2.0, True)]
    assert figure(query, "past", "2018Q1", "district", "TT_TIN") == {
        "numerator": None,
        "denominator": None,
        "value": 12.0,
        "units": 2,
        "allocated": True,
        "complete": True,
    }


def test_the_past_geography_leaves_out_a_unit_without_reverse_weights_and_says_so(query):
    # DN's 10 cannot go back to DB and DC (reverse weights blank): one row with no unit, the figure incomplete
    assert query(
        "select unit_code, value, reported_unit_code, reported_value from indicator_values_past_geography"
        " where reported_unit_code = 'DN'"
    ) == [(None, None, "DN", 10.0)]
    department = figure(query, "past", "2018Q1", "department", "TT_TIN")
    assert (department["value"], department["complete"]) == (None, False)
    province = figure(query, "past", "2018Q1", "province", "TT_TIN")
    assert (province["value"], province["complete"], province["allocated"]) == (12.0, False, True)


def test_the_past_geography_merges_older_units_and_keeps_its_own(query):
    # 2017Q1: DA's 2 into DB (merged 2017-07-01, before the past day): DB 7, DC 4; nothing allocated
    assert figure(query, "past", "2017Q1", "department", "TT_TIN") == {
        "numerator": None,
        "denominator": None,
        "value": 11.0,
        "units": 2,
        "allocated": False,
        "complete": True,
    }
    # the districts' own values stay as reported: H1 and H2 are units of the past day
    ratio = figure(query, "past", "2017Q1", "district", "NV_TYLE_TRIENKHAI")
    assert (ratio["numerator"], ratio["denominator"], ratio["value"], ratio["allocated"]) == (7.0, 10.0, 70.0, False)


def test_without_successions_every_geography_is_as_reported(tmp_path):
    path = tmp_path / "chiso.duckdb"
    with connect(path) as connection:
        load_catalog(connection, Catalog(PROJECT_ROOT / "catalog"))
        write_reform(connection)
        connection.execute("delete from unit_successions")
        for geography in ("current", "past"):
            differences = connection.execute(
                "select count(*) from ("
                "(select period, scope, indicator_code, disaggregation, value from indicator_rollup_live"
                f" except all select period, scope, indicator_code, disaggregation, value"
                f" from indicator_rollup_{geography}_geography)"
                " union all (select period, scope, indicator_code, disaggregation, value"
                f" from indicator_rollup_{geography}_geography where allocated or not complete))"
            ).fetchall()
            assert differences == [(0,)], geography


def test_the_lineage_of_a_current_figure_names_the_reported_values_and_the_successions(query):
    rows = query(
        "select role, unit_code, value, reported_unit_code, reported_value, weight, allocated, succession_paths"
        " from figure_lineage_current_geography where indicator_code = 'NV_TYLE_TRIENKHAI' and period = '2017Q1'"
        " and scope = 'commune' order by role desc, unit_code, reported_unit_code"
    )
    assert rows == [
        ("numerator", "X1", 0.75, "H1", 1.0, 0.75, True, [["H1", "X1"]]),
        ("numerator", "X2", 0.25, "H1", 1.0, 0.25, True, [["H1", "X2"]]),
        ("numerator", "X2", 6.0, "H2", 6.0, 1.0, False, [["H2", "X2"]]),
        ("denominator", "X1", 3.0, "H1", 4.0, 0.75, True, [["H1", "X1"]]),
        ("denominator", "X2", 1.0, "H1", 4.0, 0.25, True, [["H1", "X2"]]),
        ("denominator", "X2", 6.0, "H2", 6.0, 1.0, False, [["H2", "X2"]]),
    ]
    # recomputed from its rows: 100 x 7 / 10, the figure's value
    figure_value = query(
        "select distinct figure_value from figure_lineage_current_geography where indicator_code = 'NV_TYLE_TRIENKHAI'"
        " and period = '2017Q1' and scope = 'commune'"
    )
    assert figure_value == [(70.0,)]


@pytest.fixture(scope="module")
def reports(warehouse, tmp_path_factory):
    """The report in each geography, from the warehouse above (its lineage companion beside it)."""
    from chiso.report.build import build_report, lineage_path

    folder = tmp_path_factory.mktemp("reports")
    written = {}
    for geography in ("as_reported", "current", "past"):
        output = build_report(warehouse, folder / f"{geography}.html", datetime(2018, 4, 3, 8), geography=geography)
        written[geography] = (output.read_text(encoding="utf-8"), lineage_path(output).read_text(encoding="utf-8"))
    return written


def target_row(html: str, year: int, indicator: str) -> str:
    rows = [row for row in html.split("<tr>") if f"<div>{year}</div>" in row and f"<b>{indicator}</b>" in row]
    assert len(rows) == 1, rows
    return rows[0]


def test_the_report_draws_its_figures_in_the_geography_chosen_and_marks_the_allocated(reports):
    as_reported, _ = reports["as_reported"]
    current, current_lineage = reports["current"]
    past, _ = reports["past"]
    assert "Theo đơn vị đã báo cáo" in as_reported and "\u2020" not in as_reported
    assert "In the current geography" in current and "an estimate" in current  # the geography and the marks' legend
    assert "the units valid on 2017-12-31" in past
    # the 2017 target of NV_TYLE_TRIENKHAI (province; a decimal comma): as reported 100 x 7 / 16
    # (DA 1 + DB 2 + DC 3 + H1 4 + H2 6);
    # in the current geography the departments' stock is DN's latest quarter (DB 2 + DC 3): 100 x 7 / 15, allocated
    assert "43,8" in target_row(as_reported, 2017, "NV_TYLE_TRIENKHAI")
    row = target_row(current, 2017, "NV_TYLE_TRIENKHAI")
    assert "46,7" in row and '<span class="tag geography">\u2020</span>' in row
    # its lineage names the reported unit and the succession behind each current unit's value
    assert "H1 \u2192 X1" in current_lineage and "H2 \u2192 X2" in current_lineage


def test_report_geography_is_in_its_help_and_refused_with_official(tmp_path, capsys):
    from chiso.cli import main

    with pytest.raises(SystemExit):
        main(["report", "--help"])
    assert "chiso report --geography current" in capsys.readouterr().out
    assert main(["report", "--warehouse", str(tmp_path / "none.duckdb"), "--official", "--geography", "past"]) == 2


def test_chiso_lineage_traces_a_figure_of_the_current_geography_to_its_reported_values(warehouse, tmp_path, capsys):
    import shutil

    from chiso.cli import main

    # a copy: the module's `query` holds the warehouse open in this process, with another configuration
    warehouse = shutil.copy(warehouse, tmp_path / "chiso.duckdb")
    asked = ["lineage", "--indicator", "NV_TYLE_TRIENKHAI", "--period", "2017Q1", "--scope", "commune"]
    assert main([*asked, "--geography", "current", "--warehouse", str(warehouse)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "NV_TYLE_TRIENKHAI 2017Q1 commune: 70 = 7 / 10 (2 units reporting)"
    assert lines[1].split() == [
        "role",
        "indicator",
        "unit",
        "period",
        "value",
        "reported_unit",
        "reported_value",
        "weight",
        "submission",
        "status",
        "file",
        "received_at",
        "sent_by",
        "row",
    ]
    # H1's 4 files allocated 3/4 to X1 and 1/4 to X2; H2's 6 whole to X2 (its weight 1 left blank)
    denominators = [line.split()[:8] for line in lines[2:] if line.startswith("  denominator")]
    assert denominators == [
        ["denominator", "NV_GIAO", "X1", "2017Q1", "3", "H1", "4", "0.75"],
        ["denominator", "NV_GIAO", "X2", "2017Q1", "1", "H1", "4", "0.25"],
        ["denominator", "NV_GIAO", "X2", "2017Q1", "6", "H2", "6", "–"],
    ]
    # as reported there is no commune in 2017: the answer says what the roll-up holds instead
    assert main([*asked, "--warehouse", str(warehouse)]) == 2
    assert "the scopes" in capsys.readouterr().err
