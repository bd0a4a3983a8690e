from datetime import datetime
from decimal import Decimal

import pytest

from transforms.numbers import INTERNATIONAL, VIETNAMESE, canonical, parse_number


@pytest.mark.parametrize(
    "text, convention, number",
    [
        ("1250.5", INTERNATIONAL, "1250.5"),
        ("12", INTERNATIONAL, "12"),
        (" -3 ", INTERNATIONAL, "-3"),
        ("1.250,5", VIETNAMESE, "1250.5"),
        ("1.234.567", VIETNAMESE, "1234567"),
        ("12,5", VIETNAMESE, "12.5"),
        ("1250", VIETNAMESE, "1250"),
        ("1\u00a0250,5", VIETNAMESE, "1250.5"),
    ],
)
def test_each_convention(text, convention, number):
    assert parse_number(text, convention) == Decimal(number)


@pytest.mark.parametrize(
    "value, convention",
    [
        ("12.5", VIETNAMESE),
        ("1,250.5", INTERNATIONAL),
        ("12,5", INTERNATIONAL),
        ("1.25.0", VIETNAMESE),
        ("mười hai", VIETNAMESE),
        ("", INTERNATIONAL),
        ("NaN", INTERNATIONAL),
        ("inf", INTERNATIONAL),
        ("1e309", INTERNATIONAL),
        ("9" * 400, INTERNATIONAL),
        (float("nan"), VIETNAMESE),
        (float("inf"), VIETNAMESE),
        (True, VIETNAMESE),
        (datetime(2017, 3, 4), VIETNAMESE),
        (None, VIETNAMESE),
    ],
)
def test_not_numbers(value, convention):
    assert parse_number(value, convention) is None


def test_cells_and_canonical_text():
    assert parse_number(12.0, VIETNAMESE) == Decimal("12.0")
    assert canonical(parse_number(12.0, VIETNAMESE)) == "12"
    assert canonical(Decimal("12.50")) == "12.5"
    assert canonical(Decimal("-0")) == "0"
    assert canonical(Decimal("1E+3")) == "1000"
