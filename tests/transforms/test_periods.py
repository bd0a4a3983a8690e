from datetime import date

import pytest

from transforms.periods import normalise_period, period_bounds, period_type


@pytest.mark.parametrize(
    "written, code",
    [
        ("2017", "2017"), ("2017Q3", "2017Q3"), ("2017q3", "2017Q3"), (" Q3/2017 ", "2017Q3"),
        ("Quý III/2017", "2017Q3"), ("Quý 3/2017", "2017Q3"), ("Quý 3 năm 2017", "2017Q3"), ("QUÝ IV/2018", "2018Q4"),
        ("quy i/2016", "2016Q1"), ("Năm 2017", "2017"), ("năm 2019", "2019"), ("Năm: 2019", "2019"),
        ("Quy\u0301 II/2017", "2017Q2"), (2017.0, "2017"), (2020, "2020"),
    ],
)  # fmt: skip
def test_periods_as_people_write_them(written, code):
    assert normalise_period(written) == code


@pytest.mark.parametrize("written", ["Quý 5/2017", "2017Q0", "tháng 7/2017", "17Q3"])
def test_unreadable_period_is_kept_as_written(written):
    assert normalise_period(written) == written


def test_blank_period_is_none():
    assert normalise_period("  ") is None and normalise_period(None) is None


def test_bounds_and_types():
    assert period_bounds("2017Q1") == (date(2017, 1, 1), date(2017, 3, 31))
    assert period_bounds("2016Q4") == (date(2016, 10, 1), date(2016, 12, 31))
    assert period_bounds("2020") == (date(2020, 1, 1), date(2020, 12, 31))
    assert period_bounds("Quý 5/2017") is None
    assert (period_type("2017Q2"), period_type("2017"), period_type("x")) == ("quarter", "year", None)
