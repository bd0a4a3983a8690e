"""Every check of the suites, each with good and bad files in both formats where it applies.

The table is keyed by check (an expectation's `meta.check`): a bad case names exactly the checks
its file trips, so a file refused by the wrong check of the right rule fails, and a good case trips
none. A check declared in a suite without a good and a bad case here fails the coverage test.

All cases go through one `ingest` run (one GX run per suite), as production batches do, after a
short history of one unit is loaded and one of its slots accepted by the province: the outlier,
correction and lock checks judge a file against the warehouse's earlier values, reports and approvals.
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl.packaging.custom import StringProperty

from builders import (
    AS_OF,
    PROJECT_ROOT,
    VI_HEADERS,
    csv_bytes,
    department_report,
    district_report,
    survey_report,
    write,
    xlsx_bytes,
)
from chiso.context import RunContext
from core.catalog import Catalog
from expectations.findings import SUITES_DIR
from transforms.template.form import form_of
from transforms.template.stamp import PROPERTY_CHECKSUM, PROPERTY_VERSION, TEMPLATE_VERSION

DEPT = department_report
DIST = district_report
SURVEY = survey_report
SEMI = {"delimiter": ";", "headers": VI_HEADERS}
RECEIVED = "2017-01-05 09:00"  # on time for 2016Q4 and later quarters, and for the 2016 survey
HISTORY_UNIT = "SXD"  # its 2016 quarters are in the warehouse before the cases are judged
LOCKED_PERIOD = "2016Q2"  # its report for this quarter is approved and accepted: locked
# The cases' catalog closes the yearly survey 30 days after its due date (the demo's never closes):
# the 2016 survey is due 2017-01-31, its last day is 2017-03-02.
CLOSING_DATASET, CLOSING_DAYS = "CNTT-NAM", 30


@dataclass(frozen=True)
class Case:
    """A file, the verdict it must get, and exactly the checks it trips (none: a good case)."""

    data: bytes
    verdict: str = "accepted"
    checks: frozenset[str] = frozenset()
    received: str = RECEIVED


def good(data: bytes, received: str = RECEIVED) -> Case:
    return Case(data, received=received)


def bad(data: bytes, *checks: str) -> Case:
    """Refused: one of its checks at least is a reason."""
    return Case(data, "rejected", frozenset(checks))


def warned(data: bytes, *checks: str, received: str = RECEIVED) -> Case:
    """Loaded, with these warnings."""
    return Case(data, "accepted", frozenset(checks), received)


def _truncated_xlsx() -> bytes:
    data = xlsx_bytes(DIST("027", "2017Q1"))
    return data[: len(data) // 2]


def _date_cell(workbook) -> None:
    sheet = workbook.active
    for row in sheet.iter_rows():
        if row[1].value == "NV_CUTHE":
            row[5].value = datetime(2017, 3, 4)


def _stamped(checksum: str):
    """A workbook carrying the template's stamp, as the province's template writes it."""

    def stamp(workbook) -> None:
        workbook.custom_doc_props.append(StringProperty(name=PROPERTY_VERSION, value=TEMPLATE_VERSION))
        workbook.custom_doc_props.append(StringProperty(name=PROPERTY_CHECKSUM, value=checksum))

    return stamp


CURRENT_FORM = form_of(Catalog(PROJECT_ROOT / "catalog"), "DP-HUYEN").checksum()

# Loaded before the cases: four quarters of one unit, the history its later reports are judged against.
HISTORY = {
    f"history_{period}.csv": (csv_bytes(DEPT(HISTORY_UNIT, period).setting("NV_CUTHE", tasks)), received)
    for period, tasks, received in (
        ("2016Q1", 10, "2016-04-05 09:00"),
        ("2016Q2", 11, "2016-07-05 09:00"),
        ("2016Q3", 10, "2016-10-05 09:00"),
        ("2016Q4", 12, "2017-01-03 09:00"),
    )
}

# check -> its cases: file name -> Case. Every accepted file has a slot (data set x unit x period) of
# its own, or it would be a correction; every file differs from the others, or it would be a duplicate.
CHECKS: dict[str, dict[str, Case]] = {
    # rule 1: the file cannot be read; every encoding, delimiter and header language can
    "unreadable": {
        "good_comma_utf8.csv": good(csv_bytes(DEPT("SKHCN", "2017Q1"))),
        "good_semicolon_bom.csv": good(csv_bytes(DEPT("STTTT", "2017Q1"), encoding="utf-8-sig", **SEMI)),
        "good_tab_utf16.csv": good(
            csv_bytes(DEPT("SYT", "2017Q1"), delimiter="\t", encoding="utf-16", headers=VI_HEADERS)
        ),
        "good_windows1258.csv": good(csv_bytes(DEPT("SCT", "Quý I/2017"), encoding="cp1258", **SEMI)),
        "empty.csv": bad(b"", "unreadable"),
        "scan.pdf": bad(b"%PDF-1.4 scanned report", "unreadable"),
        "old_format.xls": bad(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "unreadable"),
        "truncated.xlsx": bad(_truncated_xlsx(), "unreadable"),
        "binary.csv": bad(bytes(range(256)) * 4, "unreadable"),
    },
    # rule 2: a required column or header field is missing
    "missing_field": {
        "good_header_labels_without_colons.xlsx": good(
            xlsx_bytes(
                DIST("030", "2017Q2"),
                header_fields={"Biểu mẫu": "DP-HUYEN", "Mã đơn vị": "030", "Kỳ báo cáo": "2017Q2"},
            )
        ),
        "no_value_column.csv": bad(
            csv_bytes(DEPT("SVHTTDL", "2017Q1"), headers=["dataset", "unit_code", "period", "indicator_code"]),
            "missing_field",
        ),
        "no_period_field.xlsx": bad(
            xlsx_bytes(DIST("030", "2017Q1"), header_fields={"Biểu mẫu": "DP-HUYEN", "Mã đơn vị": "030"}),
            "missing_field",
        ),
        "blank_unit_cells.csv": bad(csv_bytes(DEPT("", "2017Q1")), "missing_field"),
        "blank_period_value.xlsx": bad(xlsx_bytes(DIST("030", "")), "missing_field"),
    },
    "missing_indicator_code": {
        "good_with_heading_rows.csv": good(
            csv_bytes(
                DEPT("SNNPTNT", "2017Q3").with_rows(
                    [("", "", "", "I. Nhiệm vụ đột phá"), *DEPT().rows, ("", "", "", "Ghi chú: số liệu tạm tính")]
                )
            )
        ),
        "value_without_code.csv": bad(
            csv_bytes(DEPT("SXD", "2016Q1").with_rows([*DEPT().rows, ("", "", 5, "Tổng cộng")])),
            "missing_indicator_code",
        ),
    },
    # rule 3: unknown codes, a unit not allowed or not existing, an indicator not on the form
    "unknown_dataset": {
        "good_survey.xlsx": good(xlsx_bytes(SURVEY("028", "Năm 2017"))),
        "unknown_dataset.csv": bad(
            csv_bytes(DEPT("SKHCN", "2017Q1").__class__("DP-XX", "SKHCN", "2017Q1", DEPT().rows)),
            "unknown_dataset",
        ),
    },
    "unknown_unit": {
        "good_district.xlsx": good(xlsx_bytes(DIST(26, "Quý II/2017"))),
        "unknown_unit.csv": bad(csv_bytes(DEPT("SKHCN2", "2017Q1")), "unknown_unit"),
        "unknown_unit.xlsx": bad(xlsx_bytes(DIST("099", "2017Q1")), "unknown_unit"),
    },
    "unit_not_allowed": {
        "good_survey.csv": good(csv_bytes(SURVEY("29", "2017"), **SEMI)),
        "district_sends_dp_sn.csv": bad(csv_bytes(DEPT("031", "2017Q1")), "unit_not_allowed"),
    },
    "unit_not_yet_existing": {
        "newest_unit.xlsx": good(xlsx_bytes(DIST("024", "2017Q4"))),  # a city since 2010
        # STTTT exists since 2008: no period of the plan is before it, so the period is outside the plan too
        "before_unit_existed.csv": bad(
            csv_bytes(DEPT("STTTT", "2007Q4")), "unit_not_yet_existing", "period_outside_plan"
        ),
    },
    "unit_no_longer_existing": {
        "unit_still_existing.csv": good(csv_bytes(DEPT("STTTT", "2017Q4"))),
        # STTTT ends on 2025-02-28, after the plan and the day of ingestion
        "after_unit_ended.csv": bad(
            csv_bytes(DEPT("STTTT", "2025Q2")),
            "unit_no_longer_existing",
            "period_not_ended",  # the plans run to 2030
        ),
    },
    "unknown_indicator": {
        "optional_indicator.csv": good(
            csv_bytes(DEPT("SNNPTNT", "2017Q4").with_rows([*DEPT().rows, ("DTDA_SOLUONG", "", 2, "")]))
        ),
        "misspelt_indicator.csv": bad(
            csv_bytes(DEPT("SNNPTNT", "2017Q1").with_rows([*DEPT().rows, ("NV_GIA0", "", 1, "")])),
            "unknown_indicator",
        ),
    },
    "indicator_not_on_form": {
        "optional_district_indicator.xlsx": good(
            xlsx_bytes(DIST("031", "2017Q3").with_rows([*DIST().rows, ("SP_DACTRUNG", "", 4, "")]))
        ),
        "indicator_not_on_form.xlsx": bad(
            xlsx_bytes(DIST("031", "2017Q1").with_rows([*DIST().rows, ("DN_KHCN", "", 1, "")])),
            "indicator_not_on_form",
        ),
    },
    "unknown_breakdown": {
        "every_disaggregation.xlsx": good(xlsx_bytes(SURVEY("031", "2016"))),
        "unknown_breakdown.csv": bad(
            csv_bytes(SURVEY("032", "2017").with_rows([*SURVEY().rows, ("CNTT_TONG", "TIEUHOC", 3, "")])),
            "unknown_breakdown",
        ),
        "disaggregation_not_allowed.csv": bad(
            csv_bytes(
                DEPT("SGDDT", "2017Q1").with_rows([*DEPT().rows[:-1], ("DVC_TRUCTUYEN_TYLE", "TRUONGHOC", 45, "")])
            ),
            "unknown_breakdown",
        ),
    },
    # rule 4: periods, in every form a clerk writes them
    "unreadable_period": {
        "good_period_words.csv": good(csv_bytes(DEPT("STC", "Quý 3 năm 2017"))),
        "good_period_slash.csv": good(csv_bytes(DEPT("SVHTTDL", "Q3/2017"))),
        "good_period_roman_lower.csv": good(csv_bytes(DEPT("SGTVT", "quý iii/2017"))),
        "unreadable_period.csv": bad(csv_bytes(DEPT("STNMT", "Quý 5/2017")), "unreadable_period"),
    },
    "wrong_period_type": {
        "year_for_survey.xlsx": good(xlsx_bytes(SURVEY("030", "2016"))),
        "quarter_for_survey.xlsx": bad(xlsx_bytes(SURVEY("033", "2017Q4")), "wrong_period_type"),
        "year_for_quarterly.csv": bad(csv_bytes(DEPT("STNMT", "2016")), "wrong_period_type"),
    },
    "period_outside_plan": {
        "first_plan_period.csv": good(csv_bytes(DEPT("SKHDT", "2016Q1")), received="2016-04-05 09:00"),
        "before_plan.csv": bad(csv_bytes(DEPT("STNMT", "2015Q4")), "period_outside_plan"),
        "year_zero.csv": bad(csv_bytes(DEPT("STNMT", "0000")), "period_outside_plan"),
        # beyond the calendar: no end to compare with the day of ingestion
        "year_9999.xlsx": bad(xlsx_bytes(DIST("033", "9999Q4")), "period_outside_plan"),
        # after the continuing plan (2021-2030); the district ended in 2025 too
        "after_plan.xlsx": bad(
            xlsx_bytes(SURVEY("033", "2031")), "period_outside_plan", "period_not_ended", "unit_no_longer_existing"
        ),
    },
    "period_not_ended": {
        "last_ended_period.csv": good(csv_bytes(DEPT("STNMT", "2017Q4"))),
        "not_ended.csv": bad(csv_bytes(DEPT("STNMT", "2018Q1")), "period_not_ended"),
    },
    # rule 5: rows disagree with the file's data set, unit or period
    "rows_disagree_dataset": {
        "every_row_one_dataset.csv": good(csv_bytes(DEPT("SGDDT", "2016Q4"))),
        "two_datasets.csv": bad(
            csv_bytes(DEPT("SGDDT", "2016Q2"), row_overrides={3: ("DP-HUYEN", "SGDDT", "2016Q2")}),
            "rows_disagree_dataset",
        ),
    },
    "rows_disagree_unit": {
        "every_row_one_unit.xlsx": good(xlsx_bytes(DIST("028", "2017Q1"))),
        "two_units.csv": bad(
            csv_bytes(DEPT("SGDDT", "2016Q3"), row_overrides={0: ("DP-SN", "SYT", "2016Q3")}),
            "rows_disagree_unit",
        ),
    },
    "rows_disagree_period": {
        "every_row_one_period.csv": good(csv_bytes(DEPT("SGDDT", "2017Q2"), **SEMI)),
        "two_periods.csv": bad(
            csv_bytes(DEPT("SGDDT", "2016Q4"), row_overrides={3: ("DP-SN", "SGDDT", "2017Q1")}),
            "rows_disagree_period",
        ),
    },
    # rule 6: values
    "not_a_number": {
        "good_district_text_numbers.xlsx": good(xlsx_bytes(DIST("027", "2017Q2"), value_as_text=True)),
        "value_in_words.csv": bad(csv_bytes(DEPT("SKHCN", "2016Q1").setting("NV_CUTHE", "mười hai")), "not_a_number"),
        "date_for_number.xlsx": bad(xlsx_bytes(DIST("034", "2016Q2"), extra=_date_cell), "not_a_number"),
        "dot_decimal_in_semicolon.csv": bad(
            csv_bytes(DEPT("SKHCN", "2016Q4").setting("KP_BOTRI", "1250.5"), **SEMI), "not_a_number"
        ),
    },
    "negative_value": {
        "zero_value.csv": good(csv_bytes(DEPT("SKHCN", "2017Q2").setting("TT_TIN", 0))),
        "negative_value.xlsx": bad(xlsx_bytes(DIST("034", "2016Q1").setting("MH_NHANRONG", -5)), "negative_value"),
    },
    "count_not_whole": {
        "fraction_for_amount.csv": good(csv_bytes(DEPT("SYT", "2017Q2").setting("KP_GIAINGAN", 600.75))),
        "fraction_for_count.csv": bad(
            csv_bytes(DEPT("SKHCN", "2016Q2").setting("NV_CUTHE", 12.5), **SEMI), "count_not_whole"
        ),
    },
    "percent_over_100": {
        "percent_100.csv": good(csv_bytes(DEPT("SCT", "2017Q2").setting("DVC_TRUCTUYEN_TYLE", 100))),
        "percent_over_100.csv": bad(
            csv_bytes(DEPT("SKHCN", "2016Q3").setting("DVC_TRUCTUYEN_TYLE", 120)), "percent_over_100"
        ),
    },
    # rule 7: the same indicator twice
    "duplicate_value": {
        "one_value_per_disaggregation.xlsx": good(xlsx_bytes(SURVEY("032", "2016"))),
        "indicator_twice.csv": bad(
            csv_bytes(DEPT("SYT", "2016Q1").with_rows([*DEPT().rows, ("TT_TIN", "", 3, "")])), "duplicate_value"
        ),
        "disaggregation_twice.xlsx": bad(
            xlsx_bytes(SURVEY("035", "2016").with_rows([*SURVEY().rows, ("CNTT_TONG", "BENHVIEN", 5, "")])),
            "duplicate_value",
        ),
    },
    # rule 8: values at all, mandatory indicators and disaggregations
    "no_values": {
        "mandatory_only.xlsx": good(xlsx_bytes(DIST("031", "2017Q2").without("MH_NHANRONG"))),
        "empty_table.xlsx": bad(xlsx_bytes(DIST("035", "2016Q2").with_rows([])), "no_values", "mandatory_missing"),
    },
    "mandatory_missing": {
        "good_blank_optional_value.csv": good(csv_bytes(DEPT("SGTVT", "2017Q1").setting("TT_TIN", ""))),
        "good_blank_optional_value.xlsx": good(xlsx_bytes(DIST("032", "2017Q3").setting("MH_NHANRONG", ""))),
        "missing_mandatory.csv": bad(csv_bytes(DEPT("SYT", "2016Q2").without("KP_GIAINGAN")), "mandatory_missing"),
        "missing_mandatory.xlsx": bad(xlsx_bytes(DIST("035", "2016Q1").without("NV_GIAO")), "mandatory_missing"),
        "missing_disaggregation.csv": bad(
            csv_bytes(SURVEY("035", "2017").without("CNTT_UNGDUNG", "NHAHANG")), "mandatory_missing"
        ),
        "blank_mandatory_value.csv": bad(
            csv_bytes(DEPT("SGTVT", "2017Q4").setting("KP_BOTRI", "")), "mandatory_missing"
        ),
    },
    # rule 9: a part greater than its whole
    "part_exceeds_whole": {
        "part_equals_whole.csv": good(csv_bytes(DEPT("SGDDT", "2017Q3").setting("NV_TRIENKHAI", 3))),
        "deployed_over_assigned.csv": bad(
            csv_bytes(DEPT("SYT", "2016Q3").setting("NV_TRIENKHAI", 5)), "part_exceeds_whole"
        ),
        "completed_over_tasks.xlsx": bad(
            xlsx_bytes(DIST("024", "2016Q1").setting("NV_HOANTHANH", 9)), "part_exceeds_whole"
        ),
        "disbursed_over_allocated.csv": bad(
            csv_bytes(DEPT("SYT", "2016Q4").setting("KP_GIAINGAN", 2000)), "part_exceeds_whole"
        ),
        "applying_over_total.xlsx": bad(
            xlsx_bytes(SURVEY("024", "2016").setting("CNTT_UNGDUNG", 13, "KHACHSAN")), "part_exceeds_whole"
        ),
        # every reason is reported, not just the first
        "three_faults.csv": bad(
            csv_bytes(DEPT("SCT", "2016Q1").setting("NV_TRIENKHAI", 5).setting("TT_TIN", -1).without("KP_BOTRI")),
            "negative_value",
            "mandatory_missing",
            "part_exceeds_whole",
        ),
    },
    # warnings: the file is loaded, and the clerk or the province is told
    "outdated_template": {
        "current_template.xlsx": good(xlsx_bytes(DIST("033", "2017Q1"), extra=_stamped(CURRENT_FORM))),
        "outdated_template.xlsx": warned(
            xlsx_bytes(DIST("033", "2017Q2"), extra=_stamped("made-from-an-older-catalog")), "outdated_template"
        ),
    },
    "late": {
        "on_the_due_day.csv": good(csv_bytes(DEPT("STC", "2016Q4")), received="2017-01-10 20:00"),
        "late.csv": warned(csv_bytes(DEPT("STC", "2016Q3")), "late", received="2016-10-11 08:00"),
        # late, on the last day of a data set that closes: taken, still late (closing never changes timeliness)
        "late_on_the_last_day.csv": warned(csv_bytes(SURVEY("027", "2016")), "late", received="2017-03-02 23:59"),
    },
    "correction": {
        "new_period_of_a_known_unit.csv": good(csv_bytes(DEPT(HISTORY_UNIT, "2017Q1"))),
        "correction.csv": warned(csv_bytes(DEPT(HISTORY_UNIT, "2016Q4").setting("TT_TIN", 13)), "correction"),
    },
    "slot_locked": {
        "slot_not_accepted.csv": good(csv_bytes(DEPT("STTTT", "2017Q2"))),
        "locked.csv": bad(csv_bytes(DEPT(HISTORY_UNIT, LOCKED_PERIOD).setting("TT_TIN", 14)), "slot_locked"),
    },
    "slot_closed": {
        "survey_in_a_closing_data_set.csv": good(csv_bytes(SURVEY("034", "2016"))),
        "after_the_data_set_closed.csv": Case(
            csv_bytes(SURVEY("026", "2016")), "rejected", frozenset({"slot_closed"}), "2017-03-03 00:00"
        ),
    },
    "outlier": {
        "ordinary_value.csv": good(csv_bytes(DEPT(HISTORY_UNIT, "2017Q3").setting("NV_CUTHE", 11))),
        "outlier.csv": warned(csv_bytes(DEPT(HISTORY_UNIT, "2017Q2").setting("NV_CUTHE", 95)), "outlier"),
    },
    "formula_text": {
        "equals_inside_note.csv": good(
            csv_bytes(
                DEPT("SKHDT", "2017Q2").with_rows(
                    [*DEPT().rows[:-1], ("DVC_TRUCTUYEN_TYLE", "", 45.5, "Tỷ lệ = số thủ tục trực tuyến / tổng số")]
                )
            )
        ),
        "formula_note.csv": warned(
            csv_bytes(
                DEPT("SKHDT", "2017Q1").with_rows(
                    [*DEPT().rows[:-1], ("DVC_TRUCTUYEN_TYLE", "", 45.5, '=HYPERLINK("http://x")')]
                )
            ),
            "formula_text",
        ),
    },
}

CASES: dict[str, Case] = {name: case for cases in CHECKS.values() for name, case in cases.items()}
BAD = [name for name, case in CASES.items() if case.checks]


def declared_checks() -> set[str]:
    """Every check the suites declare, read from their JSON files (a new suite file counts too)."""
    return {
        expectation["meta"]["check"]
        for path in SUITES_DIR.glob("*.json")
        for expectation in json.loads(path.read_text(encoding="utf-8"))["expectations"]
    }


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    from chiso.approval import Slot, act
    from chiso.pipeline import ingest_paths
    from core.settings import load_settings

    root = tmp_path_factory.mktemp("rules")
    settings = load_settings(home=root / "home", catalog_dir=closing_catalog(root / "catalog"))
    for name, (data, received) in HISTORY.items():
        write(root / "history" / name, data, received=received)
    history = ingest_paths([root / "history"], RunContext.of(settings, as_of=AS_OF))
    assert {v.status for v in history.verdicts} == {"accepted"}
    for action in ("approve", "accept"):
        act(settings, Slot("DP-SN", HISTORY_UNIT, LOCKED_PERIOD), action, by="reviewer@example.vn")
    for name, case in CASES.items():
        write(root / "inbox" / name, case.data, received=case.received)
    report = ingest_paths([root / "inbox"], RunContext.of(settings, as_of=AS_OF))
    return {v.file_name: v for v in report.verdicts}


def closing_catalog(target: Path) -> Path:
    """The demo's catalog, with CLOSING_DATASET closing CLOSING_DAYS after its due date."""
    shutil.copytree(PROJECT_ROOT / "catalog", target)
    path = target / "datasets.csv"
    with path.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    for row in rows:
        if row["dataset_code"] == CLOSING_DATASET:
            row["lock_after_days"] = str(CLOSING_DAYS)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target


def test_every_check_of_the_suites_has_a_good_and_a_bad_case():
    assert set(CHECKS) == declared_checks()
    for check, cases in CHECKS.items():
        assert any(not case.checks for case in cases.values()), f"{check}: no good case"
        assert any(check in case.checks for case in cases.values()), f"{check}: no bad case"


def test_each_bad_case_is_filed_under_a_check_it_trips_and_names_declared_checks():
    declared = declared_checks()
    for check, cases in CHECKS.items():
        for name, case in cases.items():
            assert not case.checks or check in case.checks, name
            assert case.checks <= declared, name


def test_file_names_are_unique_across_checks():
    assert len(CASES) == sum(len(cases) for cases in CHECKS.values())


@pytest.mark.parametrize("name", CASES)
def test_verdict_and_exactly_the_checks_tripped(verdicts, name):
    case, verdict = CASES[name], verdicts[name]
    tripped = {finding.check for finding in [*verdict.reasons, *verdict.warnings]}
    assert (verdict.status, tripped) == (case.verdict, set(case.checks)), verdict.reasons + verdict.warnings


@pytest.mark.parametrize("name", BAD)
def test_findings_are_bilingual_and_name_rows_and_values(verdicts, name):
    for finding in [*verdicts[name].reasons, *verdicts[name].warnings]:
        assert finding.vi and finding.en and finding.vi != finding.en
        assert finding.values
        if finding.rule in {"5", "6", "7", "9"}:
            assert finding.rows, finding


def test_reason_quotes_row_and_value(verdicts):
    (reason,) = verdicts["value_in_words.csv"].reasons
    assert reason.rows == [4]
    assert reason.values == ["mười hai"]
    assert "Dòng 4" in reason.vi and "Row 4" in reason.en


def test_rows_that_disagree_are_named(verdicts):
    (reason,) = verdicts["two_periods.csv"].reasons
    assert reason.rows == [5] and reason.values == ["2017Q1"]


def test_consistency_reason_names_both_rows(verdicts):
    (reason,) = verdicts["deployed_over_assigned.csv"].reasons
    assert reason.rows == [2, 3]
    assert "NV_TRIENKHAI = 5" in reason.en and "NV_GIAO = 3" in reason.en


def test_missing_disaggregation_is_named(verdicts):
    (reason,) = verdicts["missing_disaggregation.csv"].reasons
    assert "CNTT_UNGDUNG (NHAHANG)" in reason.en


def test_unreadable_file_gets_one_reason_telling_what_to_send(verdicts):
    (reason,) = verdicts["scan.pdf"].reasons
    assert ".xlsx" in reason.vi and ".csv" in reason.en


def test_leading_zero_restored_and_periods_normalised(verdicts):
    assert verdicts["good_district.xlsx"].unit_code == "026"
    assert verdicts["good_district.xlsx"].period == "2017Q2"
    assert verdicts["good_survey.csv"].unit_code == "029"
    assert verdicts["good_windows1258.csv"].period == "2017Q1"
    assert verdicts["good_period_roman_lower.csv"].period == "2017Q3"


def test_closed_reason_says_when_and_who_reopens(verdicts):
    (reason,) = verdicts["after_the_data_set_closed.csv"].reasons
    assert (reason.rule, reason.values) == ("locked", ["2017-03-03"])
    assert "2017-03-02" in reason.vi and "2017-03-02" in reason.en and "30" in reason.en
    assert "reviewer to reopen" in reason.en and "mở lại" in reason.vi


def test_reasons_come_by_rule_number(verdicts):
    assert [r.rule for r in verdicts["three_faults.csv"].reasons] == ["6", "8", "9"]
