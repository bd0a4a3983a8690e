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
