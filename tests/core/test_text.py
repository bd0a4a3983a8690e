import unicodedata

from core.text import clean, code, fold, unit_code


def test_clean_normalises_to_nfc_and_strips_controls():
    nfd = unicodedata.normalize("NFD", "Huyện Đồng Văn")
    assert clean(f"  {nfd}\x00\x07 ") == "Huyện Đồng Văn"
    assert clean("   ") is None


def test_fold_ignores_case_diacritics_and_trailing_colon():
    assert fold("Mã đơn vị:") == fold("MA DON VI") == "ma don vi"
    assert fold("Kỳ  báo cáo ") == "ky bao cao"


def test_codes_match_case_insensitively_and_restore_leading_zeros():
    assert code(" skhcn ") == "SKHCN"
    assert unit_code(26.0) == unit_code("26") == unit_code(" 026 ") == "026"
    assert unit_code("SKH\x07CN") == "SKHCN"


def test_a_numeric_unit_code_is_the_catalogs_code_of_that_number():
    # Excel drops leading zeros from every level of code: province 08, district 026, commune 00691.
    by_number = {8: "08", 26: "026", 691: "00691"}
    assert unit_code(8.0, by_number) == unit_code("8", by_number) == "08"
    assert unit_code(26.0, by_number) == unit_code("026", by_number) == "026"
    assert unit_code(691.0, by_number) == unit_code("0691", by_number) == unit_code("00691", by_number) == "00691"
    # a number the catalog does not know is kept as a district's code would be, for the check to quote
    assert unit_code("27", by_number) == "027" and unit_code("12345", by_number) == "12345"
    # digits no int() should see: superscripts, and more than any code has
    assert unit_code("²", by_number) == "²" and unit_code("9" * 5000, by_number) == "9" * 5000
