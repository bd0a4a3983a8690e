from datetime import date

import pytest

from core.periods import Period, normalise_period, plan_periods


@pytest.mark.parametrize(
    "written, code",
    [
        ("2017", "2017"),
        ("2017Q3", "2017Q3"),
        ("2017q3", "2017Q3"),
        (" Q3/2017 ", "2017Q3"),
        ("Quý III/2017", "2017Q3"),
        ("Quý 3/2017", "2017Q3"),
        ("Quý 3 năm 2017", "2017Q3"),
        ("QUÝ IV/2018", "2018Q4"),
        ("quy i/2016", "2016Q1"),
        ("Năm 2017", "2017"),
        ("năm 2019", "2019"),
        ("Năm: 2019", "2019"),
        ("Quy\u0301 II/2017", "2017Q2"),
        (2017.0, "2017"),
        (2020, "2020"),
    ],
)
def test_periods_as_people_write_them(written, code):
    assert normalise_period(written) == code


@pytest.mark.parametrize("written", ["Quý 5/2017", "2017Q0", "tháng 7/2017", "17Q3"])
def test_unreadable_period_is_kept_as_written(written):
    assert normalise_period(written) == written


def test_blank_period_is_none():
    assert normalise_period("  ") is None and normalise_period(None) is None


def test_bounds_and_types():
    assert (Period.parse("2017Q1").start, Period.parse("2017Q1").end) == (date(2017, 1, 1), date(2017, 3, 31))
    assert (Period.parse("2016Q4").start, Period.parse("2016Q4").end) == (date(2016, 10, 1), date(2016, 12, 31))
    assert (Period.parse("2020").start, Period.parse("2020").end) == (date(2020, 1, 1), date(2020, 12, 31))
    assert Period.parse("Quý 5/2017") is None and Period.parse("0000") is None
    assert (Period.parse("2017Q2").type, Period.parse("2017").type) == ("quarter", "year")
    assert Period.parse("2017Q4").due_date(10) == date(2018, 1, 10) and Period.parse("2017").due_date(31) == date(
        2018, 1, 31
    )
    assert [p.code for p in plan_periods(2016, 2017, "quarter")][::3] == ["2016Q1", "2016Q4", "2017Q3"]
    assert [p.code for p in plan_periods(2016, 2017, "year")] == ["2016", "2017"]
