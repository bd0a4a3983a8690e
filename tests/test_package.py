"""chiso installed from its wheel, away from any checkout: defaults, catalog, SQL, suites and texts all ship inside."""

from __future__ import annotations

import ast
import functools
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from importlib.metadata import distribution, packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from builders import PROJECT_ROOT, csv_bytes, department_report, write

UV = shutil.which("uv") or str(PROJECT_ROOT / ".tools" / "bin" / "uv")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel unpacked as site-packages would hold it."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([UV, "build", "--wheel", "--quiet", "-o", str(out)], cwd=PROJECT_ROOT, check=True, timeout=300)
    [wheel] = out.glob("chiso-*.whl")
    site = out / "site"
    zipfile.ZipFile(wheel).extractall(site)
    return site


def chiso(site: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    """`chiso ARGS` from the unpacked wheel: -S skips the checkout's editable-install .pth files."""
    libraries = sysconfig.get_paths()["purelib"]
    code = f"import sys; sys.path[:0] = [{str(site)!r}, {libraries!r}]; from chiso.cli import main; sys.exit(main())"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CHISO_", "AIRFLOW"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"))
    return subprocess.run(
        [sys.executable, "-S", "-c", code, *args], cwd=home, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_wheel_holds_every_file_the_runtime_reads(installed):
    for part in (
        "catalog/units.csv",
        "catalog/unit_successions.csv",
        "catalog/report_charts.csv",
        *(f"core/vocabulary/{path.name}" for path in (PROJECT_ROOT / "core" / "vocabulary").glob("*.toml")),
        "expectations/suites/value_checks.json",
        "warehouse/migrations/001_catalog.sql",
        "warehouse/views/06_completeness.sql",
        "chiso/report/template.html.j2",
        "chiso/report/queries/parts.sql",
        "portal/sql/accounts_schema.sql",
        "portal/desk_seeds.toml",
        "portal/queries/files.sql",
        "portal/templates/base.html.j2",
        "portal/static/portal.css",
    ):
        assert (installed / part).is_file(), part
    for development in ("demo", "tests", "dev", "dags"):
        assert not (installed / development).exists(), development


def test_defaults_point_inside_the_installed_package(installed, tmp_path):
    shown = chiso(installed, tmp_path, "settings")
    assert shown.returncode == 0, shown.stderr
    values = dict(line.split(None, 1) for line in shown.stdout.splitlines() if len(line.split()) == 2)
    assert values["CHISO_CATALOG_DIR"] == str(installed / "catalog")
    assert values["CHISO_HOME"] == str(tmp_path / "data" / "chiso")


def test_an_installed_chiso_ingests_validates_and_reports(installed, tmp_path):
    good = write(tmp_path / "in" / "ok.csv", csv_bytes(department_report()))
    bad = write(tmp_path / "in" / "bad.csv", csv_bytes(department_report("SYT").setting("NV_CUTHE", -1)))
    warehouse = tmp_path / "wh.duckdb"
    ingested = chiso(
        installed,
        tmp_path,
        "ingest",
        str(good),
        str(bad),
        "--warehouse",
        str(warehouse),
        "--as-of",
        "2018-01-01",
        "--quiet",
    )
    assert ingested.returncode == 0, ingested.stderr
    assert "2 files: 1 accepted, 1 rejected" in ingested.stdout
    checked = chiso(installed, tmp_path, "validate", str(bad), "--warehouse", str(warehouse), "--as-of", "2018-01-01")
    assert checked.returncode == 1 and "BỊ TỪ CHỐI / REJECTED" in checked.stdout and "số âm" in checked.stdout
    reported = chiso(installed, tmp_path, "report", "--warehouse", str(warehouse), "--output", str(tmp_path / "r.html"))
    assert reported.returncode == 0, reported.stderr
    assert "Báo cáo giám sát" in (tmp_path / "r.html").read_text(encoding="utf-8")


# The runtime packages, and the development launchers whose libraries come with the dev group.
RUNTIME = ("core", "transforms", "expectations", "warehouse", "chiso", "portal", "dags")


def _declared(*groups: str) -> set[str]:
    """The distributions pyproject.toml declares in the given places; `apache-airflow[x]` declares
    its provider `apache-airflow-providers-x`, and Airflow itself its core and task SDK."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lines = list(project["project"]["dependencies"])
    lines += [line for extra in project["project"]["optional-dependencies"].values() for line in extra]
    for group in groups:
        lines += project["dependency-groups"][group]
    names = set()
    for requirement in map(Requirement, lines):
        names.add(_normal(requirement.name))
        if requirement.name == "apache-airflow":
            names |= {"apache-airflow-core", "apache-airflow-task-sdk"}
            names |= {f"apache-airflow-providers-{extra}" for extra in requirement.extras}
    return names


def _normal(name: str) -> str:
    return name.lower().replace("_", "-")


@functools.cache
def _owner(module: str) -> str | None:
    """The installed distribution whose files hold `module` (None: the standard library or ours).

    Read from the distributions' file lists, importing nothing: `airflow` is one package that
    several distributions fill (its core, its task SDK, each provider)."""
    top = module.split(".")[0]
    if top in sys.stdlib_module_names or (PROJECT_ROOT / top).is_dir() or top not in _distributions():
        return None
    owners = _distributions()[top]
    parts = module.split(".")
    for depth in range(len(parts), 0, -1):
        stem = "/".join(parts[:depth])
        for name in owners:
            if any(str(file) in (f"{stem}.py", f"{stem}/__init__.py") for file in distribution(name).files or []):
                return _normal(name)
    return _normal(owners[0])


@functools.cache
def _distributions() -> dict[str, list[str]]:
    return packages_distributions()


@pytest.mark.parametrize(("packages", "groups"), [(RUNTIME, ()), (("dev",), ("dev",))])
def test_every_library_the_code_imports_is_declared(packages, groups):
    """What a module imports is in pyproject.toml, not only brought by another package (Airflow)."""
    declared = _declared(*groups)
    undeclared = set()
    for package in packages:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    modules = [node.module]
                else:
                    continue
                undeclared |= {(m, o) for m in modules if (o := _owner(m)) is not None and o not in declared}
    assert sorted(undeclared) == []
