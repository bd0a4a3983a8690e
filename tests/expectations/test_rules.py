"""Every rule of the spec, each with good and bad files in both formats where it applies.

All cases go through one `ingest` run (one GX run per suite), as production batches do.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from builders import AS_OF, VI_HEADERS, csv_bytes, department_report, district_report, survey_report, write, xlsx_bytes

DEPT = department_report
DIST = district_report
SURVEY = survey_report
SEMI = {"delimiter": ";", "headers": VI_HEADERS}


def _truncated_xlsx() -> bytes:
    data = xlsx_bytes(DIST("027", "2017Q1"))
    return data[: len(data) // 2]


def _date_cell(workbook) -> None:
    sheet = workbook.active
    for row in sheet.iter_rows():
        if row[1].value == "NV_CUTHE":
            row[5].value = datetime(2017, 3, 4)


# name -> (file bytes, expected status, rules that must be among the reasons)
CASES = {
    # accepted: every encoding, delimiter, header language, period form, both formats
    "good_comma_utf8.csv": (csv_bytes(DEPT("SKHCN", "2017Q1")), "accepted", ()),
    "good_semicolon_bom.csv": (csv_bytes(DEPT("STTTT", "2017Q1"), encoding="utf-8-sig", **SEMI), "accepted", ()),
    "good_tab_utf16.csv": (
        csv_bytes(DEPT("SYT", "2017Q1"), delimiter="\t", encoding="utf-16", headers=VI_HEADERS),
        "accepted",
        (),
    ),
    "good_windows1258.csv": (csv_bytes(DEPT("SCT", "Quý I/2017"), encoding="cp1258", **SEMI), "accepted", ()),
    "good_period_words.csv": (csv_bytes(DEPT("STC", "Quý 3 năm 2017")), "accepted", ()),
    "good_period_slash.csv": (csv_bytes(DEPT("SXD", "Q3/2017")), "accepted", ()),
    "good_period_roman_lower.csv": (csv_bytes(DEPT("SGTVT", "quý iii/2017")), "accepted", ()),
    "good_district.xlsx": (xlsx_bytes(DIST(26, "Quý II/2017")), "accepted", ()),
    "good_district_text_numbers.xlsx": (xlsx_bytes(DIST("027", "2017Q2"), value_as_text=True), "accepted", ()),
    "good_survey.xlsx": (xlsx_bytes(SURVEY("028", "Năm 2017")), "accepted", ()),
    "good_survey.csv": (csv_bytes(SURVEY("29", "2017"), **SEMI), "accepted", ()),
    "good_with_heading_rows.csv": (
        csv_bytes(
            DEPT("SNNPTNT", "2017Q3").with_rows(
                [("", "", "", "I. Nhiệm vụ đột phá"), *DEPT().rows, ("", "", "", "Ghi chú: số liệu tạm tính")]
            )
        ),
        "accepted",
        (),
    ),
    "good_formula_note.csv": (
        csv_bytes(
            DEPT("SKHDT", "2017Q1").with_rows(
                [*DEPT().rows[:-1], ("DVC_TRUCTUYEN_TYLE", "", 45.5, '=HYPERLINK("http://x")')]
            )
        ),
        "accepted",
        (),
    ),
    "good_blank_optional_value.csv": (csv_bytes(DEPT("SGTVT", "2016Q2").setting("TT_TIN", "")), "accepted", ()),
    "good_blank_optional_value.xlsx": (xlsx_bytes(DIST("032", "2017Q3").setting("MH_NHANRONG", "")), "accepted", ()),
    # rule 1: the file cannot be read
    "empty.csv": (b"", "rejected", ("1",)),
    "scan.pdf": (b"%PDF-1.4 scanned report", "rejected", ("1",)),
    "old_format.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "rejected", ("1",)),
    "truncated.xlsx": (_truncated_xlsx(), "rejected", ("1",)),
    "binary.csv": (bytes(range(256)) * 4, "rejected", ("1",)),
    # rule 2: a required column or header field is missing
    "no_value_column.csv": (
        csv_bytes(DEPT("SVHTTDL", "2017Q1"), headers=["dataset", "unit_code", "period", "indicator_code"]),
        "rejected",
        ("2",),
    ),
    "no_period_field.xlsx": (
        xlsx_bytes(DIST("030", "2017Q1"), header_fields={"Biểu mẫu": "DP-HUYEN", "Mã đơn vị": "030"}),
        "rejected",
        ("2",),
    ),
    "blank_unit_cells.csv": (csv_bytes(DEPT("", "2017Q1")), "rejected", ("2",)),
    "blank_period_value.xlsx": (xlsx_bytes(DIST("030", "")), "rejected", ("2",)),
    "value_without_code.csv": (
        csv_bytes(DEPT("SXD", "2016Q1").with_rows([*DEPT().rows, ("", "", 5, "Tổng cộng")])),
        "rejected",
        ("2",),
    ),
    # rule 3: unknown codes, a unit not allowed, an indicator not on the form
    "unknown_unit.csv": (csv_bytes(DEPT("SKHCN2", "2017Q1")), "rejected", ("3",)),
    "unknown_unit.xlsx": (xlsx_bytes(DIST("099", "2017Q1")), "rejected", ("3",)),
    "unknown_dataset.csv": (
        csv_bytes(DEPT("SKHCN", "2017Q1").__class__("DP-XX", "SKHCN", "2017Q1", DEPT().rows)),
        "rejected",
        ("3",),
    ),
    "district_sends_dp_sn.csv": (csv_bytes(DEPT("031", "2017Q1")), "rejected", ("3",)),
    "misspelt_indicator.csv": (
        csv_bytes(DEPT("SNNPTNT", "2017Q1").with_rows([*DEPT().rows, ("NV_GIA0", "", 1, "")])),
        "rejected",
        ("3",),
    ),
    "indicator_not_on_form.xlsx": (
        xlsx_bytes(DIST("031", "2017Q1").with_rows([*DIST().rows, ("DN_KHCN", "", 1, "")])),
        "rejected",
        ("3",),
    ),
    "unknown_breakdown.csv": (
        csv_bytes(SURVEY("032", "2017").with_rows([*SURVEY().rows, ("CNTT_TONG", "TIEUHOC", 3, "")])),
        "rejected",
        ("3",),
    ),
    "breakdown_not_allowed.csv": (
        csv_bytes(DEPT("SGDDT", "2017Q1").with_rows([*DEPT().rows[:-1], ("DVC_TRUCTUYEN_TYLE", "TRUONGHOC", 45, "")])),
        "rejected",
        ("3",),
    ),
    # rule 4: periods
    "unreadable_period.csv": (csv_bytes(DEPT("STNMT", "Quý 5/2017")), "rejected", ("4",)),
    "quarter_for_survey.xlsx": (xlsx_bytes(SURVEY("033", "2017Q4")), "rejected", ("4",)),
    "year_for_quarterly.csv": (csv_bytes(DEPT("STNMT", "2016")), "rejected", ("4",)),
    "before_plan.csv": (csv_bytes(DEPT("STNMT", "2015Q4")), "rejected", ("4",)),
    "after_plan.xlsx": (xlsx_bytes(SURVEY("033", "2021")), "rejected", ("4",)),
    "not_ended.csv": (csv_bytes(DEPT("STNMT", "2018Q1")), "rejected", ("4",)),
    "year_zero.csv": (csv_bytes(DEPT("STNMT", "0000")), "rejected", ("4",)),
    "year_9999.xlsx": (xlsx_bytes(DIST("033", "9999Q4")), "rejected", ("4",)),
    # rule 5: rows disagree
    "two_periods.csv": (
        csv_bytes(DEPT("SGDDT", "2016Q4"), row_overrides={3: ("DP-SN", "SGDDT", "2017Q1")}),
        "rejected",
        ("5",),
    ),
    "two_units.csv": (
        csv_bytes(DEPT("SGDDT", "2016Q3"), row_overrides={0: ("DP-SN", "SYT", "2016Q3")}),
        "rejected",
        ("5",),
    ),
    # rule 6: values
    "value_in_words.csv": (csv_bytes(DEPT("SKHCN", "2016Q1").setting("NV_CUTHE", "mười hai")), "rejected", ("6",)),
    "negative_value.xlsx": (xlsx_bytes(DIST("034", "2016Q1").setting("KP_BOTRI", -5)), "rejected", ("6",)),
    "fraction_for_count.csv": (
        csv_bytes(DEPT("SKHCN", "2016Q2").setting("NV_CUTHE", 12.5), **SEMI),
        "rejected",
        ("6",),
    ),
    "percent_over_100.csv": (csv_bytes(DEPT("SKHCN", "2016Q3").setting("DVC_TRUCTUYEN_TYLE", 120)), "rejected", ("6",)),
    "date_for_number.xlsx": (xlsx_bytes(DIST("034", "2016Q2"), extra=_date_cell), "rejected", ("6",)),
    "dot_decimal_in_semicolon.csv": (
        csv_bytes(DEPT("SKHCN", "2016Q4").setting("KP_BOTRI", "1250.5"), **SEMI),
        "rejected",
        ("6",),
    ),
    # rule 7: the same indicator twice
    "indicator_twice.csv": (
        csv_bytes(DEPT("SYT", "2016Q1").with_rows([*DEPT().rows, ("TT_TIN", "", 3, "")])),
        "rejected",
        ("7",),
    ),
    "breakdown_twice.xlsx": (
        xlsx_bytes(SURVEY("035", "2016").with_rows([*SURVEY().rows, ("CNTT_TONG", "BENHVIEN", 5, "")])),
        "rejected",
        ("7",),
    ),
    # rule 8: mandatory indicators and breakdowns
    "missing_mandatory.csv": (csv_bytes(DEPT("SYT", "2016Q2").without("KP_GIAINGAN")), "rejected", ("8",)),
    "missing_mandatory.xlsx": (xlsx_bytes(DIST("035", "2016Q1").without("NV_GIAO")), "rejected", ("8",)),
    "missing_breakdown.csv": (csv_bytes(SURVEY("035", "2017").without("CNTT_UNGDUNG", "NHAHANG")), "rejected", ("8",)),
    "empty_table.xlsx": (xlsx_bytes(DIST("035", "2016Q2").with_rows([])), "rejected", ("8",)),
    "blank_mandatory_value.csv": (csv_bytes(DEPT("SGTVT", "2017Q4").setting("KP_BOTRI", "")), "rejected", ("8",)),
    # rule 9: inconsistent values
    "deployed_over_assigned.csv": (csv_bytes(DEPT("SYT", "2016Q3").setting("NV_TRIENKHAI", 5)), "rejected", ("9",)),
    "completed_over_tasks.xlsx": (xlsx_bytes(DIST("024", "2016Q1").setting("NV_HOANTHANH", 9)), "rejected", ("9",)),
    "disbursed_over_allocated.csv": (csv_bytes(DEPT("SYT", "2016Q4").setting("KP_GIAINGAN", 2000)), "rejected", ("9",)),
    "applying_over_total.xlsx": (
        xlsx_bytes(SURVEY("024", "2016").setting("CNTT_UNGDUNG", 13, "KHACHSAN")),
        "rejected",
        ("9",),
    ),
    # every reason is reported, not just the first
    "three_faults.csv": (
        csv_bytes(DEPT("SCT", "2016Q1").setting("NV_TRIENKHAI", 5).setting("TT_TIN", -1).without("KP_BOTRI")),
        "rejected",
        ("6", "8", "9"),
    ),
}


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    from chiso.pipeline import ingest_paths
    from core.settings import load_settings

    root = tmp_path_factory.mktemp("rules")
    for name, (data, _, _) in CASES.items():
        write(root / "inbox" / name, data, received="2017-01-05 09:00")
    settings = load_settings(home=root / "home")
    report = ingest_paths([root / "inbox"], settings, AS_OF)
    return {v.file_name: v for v in report.verdicts}


@pytest.mark.parametrize("name", CASES)
def test_verdict(verdicts, name):
    _, status, rules = CASES[name]
    verdict = verdicts[name]
    found = {reason.rule for reason in verdict.reasons}
    assert verdict.status == status, verdict.reasons
    assert set(rules) <= found
    if status == "accepted":
        assert not verdict.reasons


@pytest.mark.parametrize("name", [n for n, case in CASES.items() if case[1] == "rejected"])
def test_reasons_are_bilingual_and_name_rows_and_values(verdicts, name):
    for reason in verdicts[name].reasons:
        assert reason.vi and reason.en and reason.vi != reason.en
        assert reason.values
        if reason.rule in {"5", "6", "7", "9"}:
            assert reason.rows, reason


def test_reason_quotes_row_and_value(verdicts):
    (reason,) = verdicts["value_in_words.csv"].reasons
    assert reason.rows == [4]
    assert reason.values == ["mười hai"]
    assert "Dòng 4" in reason.vi and "Row 4" in reason.en


def test_rows_that_disagree_are_named(verdicts):
    reason = next(r for r in verdicts["two_periods.csv"].reasons if r.rule == "5")
    assert reason.rows == [5] and reason.values == ["2017Q1"]


def test_consistency_reason_names_both_rows(verdicts):
    reason = next(r for r in verdicts["deployed_over_assigned.csv"].reasons if r.rule == "9")
    assert reason.rows == [2, 3]
    assert "NV_TRIENKHAI = 5" in reason.en and "NV_GIAO = 3" in reason.en


def test_missing_breakdown_is_named(verdicts):
    reason = next(r for r in verdicts["missing_breakdown.csv"].reasons if r.rule == "8")
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


def test_formula_like_note_is_a_warning(verdicts):
    warnings = verdicts["good_formula_note.csv"].warnings
    assert [w.check for w in warnings] == ["formula_text"]
