"""What the renderers write reads back, like the spec says, as what the demo intends: rejected
files break exactly their rules, other files none, and accepted files hold demo_values()."""

from __future__ import annotations

import unicodedata

import pytest
from spec_reader import validate

from demo import demo_values
from demo.render_csv import encode_cp1258

SEED = 2017


def test_files_say_what_the_list_says(inbox, catalog) -> None:
    """Read every file back like the spec says: rejected files break exactly their
    rules, other files break none, and accepted files hold demo_values()."""
    folder, files = inbox
    expected_values = demo_values(SEED)
    for f in files:
        if f.expected_status == "duplicate":
            continue
        broken, slot, values = validate(folder / f.file_name, catalog)
        if f.expected_status == "rejected":
            assert broken == set(f.expected_rules), (f.file_name, f.scenario)
            continue
        assert not broken, (f.file_name, broken)
        assert slot == (f.dataset_code, f.unit_code, f.period), f.file_name
        assert values.pop("__formula__") == ("formula" in f.expected_warnings), f.file_name
        if f.expected_status == "accepted":
            want = expected_values[slot]
            assert values.keys() == want.keys(), f.file_name
            for k, v in want.items():
                assert values[k] == pytest.approx(v, abs=1e-9), (f.file_name, k)
    accepted = {(f.dataset_code, f.unit_code, f.period) for f in files if f.expected_status == "accepted"}
    assert accepted == set(expected_values)


def test_cp1258_text_round_trips(catalog) -> None:
    words = [row["unit_name"] for row in catalog.units.values()]
    words += [row["indicator_name"] for row in catalog.indicators.values()] + ["Quý III/2017", "Năm 2017"]
    for w in words:
        assert unicodedata.normalize("NFC", encode_cp1258(w).decode("cp1258")) == w


def test_workbook_layout_is_one_function(inbox, catalog) -> None:
    """The workbook's content is chosen apart from its layout, which a template can replace."""
    from demo.inbox import scripted_inbox
    from demo.render_xlsx import choose_sheet_content, lay_out_workbook

    files, _ = scripted_inbox(SEED, catalog)
    scripted = next(f for f in files if f.kind == "xlsx" and f.status == "accepted")
    content = choose_sheet_content(scripted, catalog)
    sheet = lay_out_workbook(content).worksheets[0]
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert catalog.units[scripted.slot[1]]["unit_name"] in cells
    assert [row["indicator_code"] for row in content.rows] == [row.indicator for row in scripted.report.rows]
