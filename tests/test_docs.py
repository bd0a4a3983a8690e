"""Every setting, command and view is documented; every view states its grain."""

from __future__ import annotations

import re

import pytest

from builders import PROJECT_ROOT
from chiso.cli import build_parser
from core.catalog import TABLES as CATALOG_TABLES
from core.settings import declared, markdown_table

DOCS = PROJECT_ROOT / "docs"
VIEWS = sorted((PROJECT_ROOT / "warehouse" / "views").glob("*.sql"))


def test_configuration_page_shows_every_setting_as_declared():
    """docs/configuration.md carries the table `chiso settings --markdown` prints from the declaration."""
    page = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert markdown_table() in page, "regenerate the table: .venv/bin/chiso settings --markdown"
    assert len(declared()) == markdown_table().count("\n| `")


def test_every_catalog_table_is_documented():
    page = (DOCS / "configuration.md").read_text(encoding="utf-8")
    for table in CATALOG_TABLES:
        assert f"| `{table}.csv` |" in page, table


def test_chiso_help_lists_every_setting():
    epilog = build_parser().format_help()
    for _, _, meta, _ in declared():
        assert meta["env"] in epilog


def test_every_command_is_in_the_readme_and_has_examples():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    commands = build_parser()._subparsers._group_actions[0].choices
    for name, parser in commands.items():
        assert f"chiso {name}" in readme, name
        assert "examples:" in parser.format_help(), name


@pytest.mark.parametrize("path", VIEWS, ids=[p.stem for p in VIEWS])
def test_view_states_its_grain_and_is_in_the_analyst_guide(path):
    text = path.read_text(encoding="utf-8")
    assert re.match(r"-- One row per .+", text.splitlines()[0])
    view = re.search(r"create or replace view (\w+)", text)[1]
    assert f"| `{view}` |" in (DOCS / "analyst-guide.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_make_lint_checks_every_sql_file():
    """sqlfluff is given folders in the Makefile: a new folder of SQL files is added there too."""
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    linted = next(line for line in makefile.splitlines() if "sqlfluff lint" in line).split()
    folders = [word for word in linted if (PROJECT_ROOT / word).is_dir()]
    outside = [
        str(path.relative_to(PROJECT_ROOT))
        for path in PROJECT_ROOT.rglob("*.sql")
        if not any(part.startswith(".") or part in {"var", "tests"} for part in path.relative_to(PROJECT_ROOT).parts)
        and not any(path.is_relative_to(PROJECT_ROOT / folder) for folder in folders)
    ]
    assert outside == []
