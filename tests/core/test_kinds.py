"""Every kind is declared once (core.kinds), and what else names kinds agrees with it: the
vocabulary, the GX suites, the portal's own schema. The warehouse's lookup tables are checked
against it in tests/warehouse/test_kind_tables.py."""

from __future__ import annotations

import json
import sqlite3

import pytest

from builders import PROJECT_ROOT
from core.kinds import (
    ACCOUNT_ROLES,
    COMPLETENESS_STATUSES,
    FAMILIES,
    SEVERITIES,
    WARNING_KINDS,
)
from core.vocabulary import entries

SUITES = sorted((PROJECT_ROOT / "expectations" / "suites").glob("*.json"))


def suite_expectations() -> list[dict]:
    return [e for suite in SUITES for e in json.loads(suite.read_text(encoding="utf-8"))["expectations"]]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda family: family.name)
def test_a_family_names_each_kind_once_and_each_has_its_words(family):
    assert len(set(family.codes)) == len(family.codes) > 0
    if family.words:
        words = {key.split(".", 1)[1] for key in entries() if key.startswith(f"{family.words}.")}
        assert words == set(family.codes)  # no kind without words, no words of a kind not declared


def test_the_warning_kinds_are_the_suites_checks_of_severity_warning():
    warned = {e["meta"]["check"] for e in suite_expectations() if e["severity"] == "warning"}
    assert warned == set(WARNING_KINDS.codes)


def test_the_suites_use_declared_severities_and_only_critical_ones_refuse():
    assert {e["severity"] for e in suite_expectations()} <= set(SEVERITIES.codes)
    assert SEVERITIES.codes_where("rejects") == ("critical",)
    assert SEVERITIES.codes_where("warns") == ("warning",)


def test_completeness_flags_are_consistent():
    assert set(COMPLETENESS_STATUSES.codes_where("done")) <= set(COMPLETENESS_STATUSES.codes_where("due"))
    assert not set(COMPLETENESS_STATUSES.codes_where("done")) & set(COMPLETENESS_STATUSES.codes_where("chased"))


def test_the_portal_accounts_take_exactly_the_declared_roles():
    """The portal's SQLite file keeps its own check (it is not the warehouse): it must agree. A granted
    role (approver) is no account's own role: it goes to `account_grants`."""
    connection = sqlite3.connect(":memory:")
    connection.executescript((PROJECT_ROOT / "portal" / "sql" / "accounts_schema.sql").read_text())
    taken = []
    for number, role in enumerate([*ACCOUNT_ROLES.codes, "clerk"]):
        try:
            connection.execute(
                "insert into accounts (email, unit_code, role, created_at) values (?, 'X', ?, 'now')",
                [f"{number}@example.vn", role],
            )
            taken.append(role)
        except sqlite3.IntegrityError:
            pass
    assert taken == list(ACCOUNT_ROLES.codes_where("own"))


def test_a_family_says_which_kinds_it_has():
    assert "late" in WARNING_KINDS and "approved" not in WARNING_KINDS
    assert WARNING_KINDS["late"].background.startswith("#")
    with pytest.raises(KeyError, match="not a warning kind"):
        WARNING_KINDS["approved"]
    assert str(COMPLETENESS_STATUSES.text("on_time")) == "Đúng hạn / On time"
