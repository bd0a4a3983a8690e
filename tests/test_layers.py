"""Imports run one way (docs/architecture.md): core <- transforms <- expectations <- warehouse <- chiso
(the application) <- the interfaces: the CLI (chiso.cli, chiso.commands), the Airflow glue
(chiso.airflow_glue) and the DAGs, the portal; the development launchers (dev/) on top.

Read from the source with `ast`, so a test fails the moment an import runs against the layers,
wherever it sits (module top or function body), and a function-local import must say why. A
module belongs to the layer of the longest dotted name of LAYERS that it starts with.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from builders import PROJECT_ROOT

STAGES = {"core", "transforms", "expectations", "warehouse"}
# Each layer and the layers it may import.
LAYERS = {
    "core": set(),
    "transforms": {"core"},
    "expectations": {"core", "transforms"},
    "warehouse": {"core", "transforms", "expectations"},
    "demo": {"core", "transforms"},
    "chiso": STAGES | {"demo"},
    "portal": STAGES | {"chiso"},
    # The CLI: its arguments, its commands, its words for a failed run. Its `serve` and `accounts`
    # commands and the notices' account book are the portal's.
    "chiso.cli": STAGES | {"chiso", "chiso.commands", "chiso.failures"},
    "chiso.commands": STAGES | {"chiso", "demo", "portal"},
    "chiso.failures": STAGES | {"chiso.commands"},
    "chiso.airflow_glue": STAGES | {"chiso", "portal"},
    "dags": {"core", "chiso", "chiso.airflow_glue"},
    "dev": STAGES | {"demo", "chiso", "chiso.commands", "chiso.airflow_glue", "portal"},
}
# Only the interfaces that run inside Airflow's processes import Airflow: the stages, the
# application and the portal run without it.
IMPORT_AIRFLOW = {"chiso.airflow_glue", "dags", "dev"}
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
    "fractions",
    "__future__",
}


def layer_of(module: str) -> str | None:
    """The layer of a dotted module name (None: not one of the project's)."""
    owners = [layer for layer in LAYERS if module == layer or module.startswith(layer + ".")]
    return max(owners, key=len, default=None)


def modules(layer: str) -> list[Path]:
    """The source files of a layer (a sub-layer's files are its own, not its package's)."""
    base = PROJECT_ROOT / layer.replace(".", "/")
    paths = sorted(base.rglob("*.py")) if base.is_dir() else []
    paths += [base.with_suffix(".py")] if base.with_suffix(".py").is_file() else []
    return [path for path in paths if layer_of(_module_name(path)) == layer]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST) -> list[tuple[int, str, bool]]:
    """(line, module, inside a function) of every absolute import."""
    found = []
    functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    local = {id(node) for function in functions for node in ast.walk(function)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, id(node) in local) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found += [(node.lineno, f"{node.module}.{alias.name}", id(node) in local) for alias in node.names]
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_only_the_layers_below_it(layer):
    wrong = []
    for path in modules(layer):
        for line, name, _ in imported(ast.parse(path.read_text(encoding="utf-8"))):
            target = layer_of(name)
            if target is not None and target != layer and target not in LAYERS[layer]:
                wrong.append(f"{path.relative_to(PROJECT_ROOT)}:{line} imports {name} ({target})")
    assert wrong == []


@pytest.mark.parametrize("layer", LAYERS)
def test_only_the_airflow_interfaces_import_airflow(layer):
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{line}"
        for path in modules(layer)
        for line, name, _ in imported(ast.parse(path.read_text(encoding="utf-8")))
        if name.split(".")[0] == "airflow"
    ]
    assert found == [] or layer in IMPORT_AIRFLOW


def test_every_module_of_the_layers_is_in_one_layer():
    """A new top-level package or sub-layer is placed in LAYERS, not left outside the test."""
    project = {"core", "transforms", "expectations", "warehouse", "demo", "chiso", "portal", "dags", "dev"}
    found = {path for package in project for path in (PROJECT_ROOT / package).rglob("*.py")}
    placed = {path for layer in LAYERS for path in modules(layer)}
    assert sorted(map(str, found - placed)) == []
    top_level = {p.name for p in PROJECT_ROOT.iterdir() if (p / "__init__.py").is_file()}
    assert top_level <= project


def test_the_bottom_layer_needs_nothing_but_the_standard_library():
    wrong = []
    for path in modules("core"):
        for line, module, _ in imported(ast.parse(path.read_text(encoding="utf-8"))):
            name = module.split(".")[0]
            if name != "core" and name not in CORE_MAY_IMPORT:
                wrong.append(f"{path.relative_to(PROJECT_ROOT)}:{line} imports {name}")
    assert wrong == []


@pytest.mark.parametrize("layer", LAYERS)
def test_a_function_local_import_says_why(layer):
    """Only where it keeps a heavy library out of DAG parsing, `chiso --help` or a light command: said beside it."""
    silent = []
    for path in modules(layer):
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
