"""The demo package keeps the layering rule and reads well: it imports `core` (and openpyxl),
never the application, and no function in it is over 80 lines."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "demo"
LONGEST_FUNCTION = 80


def test_the_demo_imports_no_application_layer(tmp_path):
    code = (
        "import pkgutil, importlib, sys, demo\n"
        "for module in pkgutil.walk_packages(demo.__path__, 'demo.'):\n"
        "    importlib.import_module(module.name)\n"
        f"demo.generate_demo_inbox({str(tmp_path / 'inbox')!r}, 1)\n"
        "layers = ('chiso', 'warehouse', 'expectations', 'dags', 'airflow', 'great_expectations', 'duckdb', 'pandas')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(layers)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_no_function_is_over_80_lines():
    long = []
    for path in sorted(DEMO.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > LONGEST_FUNCTION:
                    long.append((path.name, node.name, length))
    assert long == []
