"""The canonical tables: a commune's code typed as a number is still the commune's."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from builders import Report, csv_bytes, write
from transforms.canonical import canonical_submissions, canonical_values
from transforms.read import read_submission


def test_codes_excel_stripped_of_their_zeros_are_the_catalogs_units(tmp_path, catalog):
    # 691 is ward 00691 (Phường Hà Giang 2), 8 the new province 08, 24 district 024 (Hà Giang city)
    assert {691: "00691", 8: "08", 24: "024"}.items() <= catalog.unit_codes_by_number.items()
    rows = (("NV_GIAO", "", 3, ""), ("NV_NGHIEMTHU", "", 1, ""))
    path = write(tmp_path / "ha-giang-2.csv", csv_bytes(Report("DP-XA", "691", "2025Q3", rows)), "2025-10-05 09:00")
    submission = read_submission(path, 10_000_000, ZoneInfo(catalog.timezone.key))
    submission.submission_id = 1
    assert canonical_submissions([submission], catalog)["unit_code"].tolist() == ["00691"]
    assert set(canonical_values([submission], catalog)["unit_code"]) == {"00691"}
