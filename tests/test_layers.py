"""Imports run one way: core <- transforms <- expectations <- warehouse <- chiso <- dags (docs/architecture.md).

Read from the source with `ast`, so a test fails the moment an import runs against the layers,
wherever it sits (module top or function body), and a function-local import must say why.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from builders import PROJECT_ROOT

# Each package and the packages it may import.
LAYERS = {
    "core": set(),
    "transforms": {"core"},
    "expectations": {"core", "transforms"},
    "warehouse": {"core", "transforms", "expectations"},
    "demo": {"core", "transforms"},
    "chiso": {"core", "transforms", "expectations", "warehouse", "demo"},
    "dags": {"core", "chiso"},
}
# The bottom layer is the model every stage shares: the standard library only.
CORE_MAY_IMPORT = {
    "time",
    "tomllib",
    "csv",
    "dataclasses",
    "datetime",
    "functools",
    "pathlib",
    "zoneinfo",
    "os",
    "re",
    "signal",
    "typing",
    "unicodedata",
    "collections",
    "string",
    "hashlib",
    "__future__",
}


def modules(package: str) -> list[Path]:
    return sorted((PROJECT_ROOT / package).rglob("*.py"))


def imported(tree: ast.AST) -> list[tuple[int, str, bool]]:
    """(line, top-level package, inside a function) of every import."""
    found = []
    functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    local = {id(node) for function in functions for node in ast.walk(function)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0], id(node) in local) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module.split(".")[0], id(node) in local))
    return found


@pytest.mark.parametrize("package", LAYERS)
def test_a_package_imports_only_the_layers_below_it(package):
    wrong = []
    for path in modules(package):
        for line, name, _ in imported(ast.parse(path.read_text(encoding="utf-8"))):
            if name in LAYERS and name != package and name not in LAYERS[package]:
                wrong.append(f"{path.relative_to(PROJECT_ROOT)}:{line} imports {name}")
    assert wrong == []


def test_the_bottom_layer_needs_nothing_but_the_standard_library():
    wrong = []
    for path in modules("core"):
        for line, name, _ in imported(ast.parse(path.read_text(encoding="utf-8"))):
            if name != "core" and name not in CORE_MAY_IMPORT:
                wrong.append(f"{path.relative_to(PROJECT_ROOT)}:{line} imports {name}")
    assert wrong == []


@pytest.mark.parametrize("package", LAYERS)
def test_a_function_local_import_says_why(package):
    """Only where it keeps a heavy library out of DAG parsing, `chiso --help` or a light command: said beside it."""
    silent = []
    for path in modules(package):
        lines = path.read_text(encoding="utf-8").splitlines()
        for line, name, local in imported(ast.parse("\n".join(lines))):
            if local and not _said(lines, line - 1):
                silent.append(f"{path.relative_to(PROJECT_ROOT)}:{line} ({name})")
    assert silent == []


def _said(lines: list[str], index: int) -> bool:
    """A comment on the import's line, or on the line above its group of imports."""
    while "#" not in lines[index] and lines[index - 1].strip().startswith(("import ", "from ")):
        index -= 1
    return "#" in lines[index] or lines[index - 1].strip().startswith("#")


def test_the_layers_form_no_cycle():
    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})) for nxt in LAYERS[start])

    assert [package for package in LAYERS if reaches(package, package, set())] == []
