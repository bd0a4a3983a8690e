"""One vocabulary: every text people read is in core/vocabulary/*.toml (one file per owner, one id
space), in both languages, by a stable id."""

from __future__ import annotations

import json
import re

import pytest

from builders import PROJECT_ROOT
from core.vocabulary import DuplicateText, Text, entries, field_names, fill, load, say, sources

RUNTIME = ("core", "transforms", "expectations", "warehouse", "chiso", "dags")
# Letters only Vietnamese uses (with their tone marks): a Vietnamese text outside the vocabulary.
VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàảãạằắẳẵặầấẩẫậèẻẽẹềếểễệìỉĩịòỏõọồốổỗộờớởỡợùủũụừứửữựỳỷỹỵ]")
KEY_USE = re.compile(r"""\b(?:say|fill)\(\s*f?["']([a-z_]+\.[a-z_0-9]+)["']""")


def runtime_files() -> list:
    kinds = ("*.py", "*.j2", "*.json", "*.sql")
    return sorted(path for package in RUNTIME for kind in kinds for path in (PROJECT_ROOT / package).rglob(kind))


def test_no_text_for_people_is_written_outside_the_vocabulary():
    found = []
    for path in runtime_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if VIETNAMESE.search(line):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()[:80]}")
    assert found == []


def test_the_vocabulary_is_one_file_per_owner():
    assert [path.name for path in sources()] == [
        "notices.toml",
        "portal.toml",
        "report.toml",
        "stages.toml",
        "template.toml",
    ]
    assert sum(len(load([path])) for path in sources()) == len(entries())


def test_a_section_belongs_to_one_file():
    owners: dict[str, set[str]] = {}
    for path in sources():
        for key in load([path]):
            owners.setdefault(key.split(".", 1)[0], set()).add(path.name)
    assert {section: files for section, files in owners.items() if len(files) > 1} == {}


def test_an_id_defined_in_two_files_is_refused(tmp_path):
    first = tmp_path / "first.toml"
    second = tmp_path / "second.toml"
    first.write_text('[status]\naccepted = { vi = "Được chấp nhận", en = "Accepted" }\n', encoding="utf-8")
    second.write_text('[status.accepted]\nvi = "Chấp nhận"\nen = "Accepted"\n', encoding="utf-8")
    with pytest.raises(DuplicateText, match=r"'status\.accepted'.*first\.toml.*second\.toml"):
        load([first, second])
    assert set(load([first])) == {"status.accepted"}


@pytest.mark.parametrize("source", sources(), ids=lambda path: path.stem)
def test_every_entry_has_both_languages(source):
    for key, entry in load([source]).items():
        assert set(entry) == {"vi", "en"}, key
        if not key.startswith("fix."):  # some findings need no fix
            assert entry["vi"] and entry["en"], key


def test_every_id_the_code_names_exists():
    named = {key for path in runtime_files() for key in KEY_USE.findall(path.read_text(encoding="utf-8"))}
    assert named and sorted(named - set(entries())) == []


@pytest.mark.parametrize(
    "suite", sorted((PROJECT_ROOT / "expectations" / "suites").glob("*.json")), ids=lambda p: p.stem
)
def test_every_expectation_has_its_words_and_its_fields_exist(suite):
    from expectations.validate import SUITE_NAMES

    assert suite.stem in SUITE_NAMES
    for expectation in json.loads(suite.read_text(encoding="utf-8"))["expectations"]:
        check = expectation["meta"]["check"]
        assert f"finding.{check}" in entries() and f"fix.{check}" in entries(), check


def test_a_text_shows_vietnamese_first_then_english():
    text = say("status.rejected")
    assert text == Text("Bị từ chối", "Rejected") and str(text) == "Bị từ chối / Rejected"


def test_a_missing_field_is_an_error_unless_the_text_is_filled_from_a_row():
    with pytest.raises(KeyError):
        say("finding.negative_value")
    assert fill("finding.negative_value", {"source_row": 4}).en == "row 4: value  of  is negative"
    assert field_names("finding.negative_value") == {"source_row", "value_raw", "indicator_code"}
