from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from needs import program

from builders import AS_OF, PROJECT_ROOT
from chiso.context import RunContext
from core.catalog import Catalog
from core.settings import WAREHOUSE_POOL_DECLARED, load_settings
from mailserver import MailServer


@pytest.fixture(scope="session")
def airflow_env(tmp_path_factory) -> Path:
    """Airflow configured for tests: the first import of `airflow` in a process reads this
    environment once, so every test that imports Airflow in-process asks for it first."""
    if "airflow" in sys.modules:
        raise RuntimeError(
            "Airflow was imported in this test process before the airflow_env fixture configured it (it reads its"
            " configuration once): the test that imported it must ask for airflow_env first, or not import Airflow"
        )
    home = tmp_path_factory.mktemp("airflow")
    os.environ.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__UNIT_TEST_MODE="True",
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(PROJECT_ROOT / "dags"),
    )
    from chiso.airflow_glue.lineage import default_environment

    os.environ.update(default_environment(home))  # OpenLineage events to the file, as `make run` sends them
    return home


@pytest.fixture(scope="session")
def airflow_db(airflow_env) -> Path:
    """A migrated metadata DB (SQLite under the test AIRFLOW_HOME) with chiso's pool, for dag.test()."""
    from airflow.models.pool import Pool
    from airflow.utils import db

    db.resetdb()
    Pool.create_or_update_pool(*WAREHOUSE_POOL_DECLARED, include_deferred=False)
    return airflow_env


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog(PROJECT_ROOT / "catalog")


@pytest.fixture
def settings(tmp_path):
    return load_settings(home=tmp_path / "home")


@pytest.fixture
def ingest(settings):
    """Ingest paths into the test warehouse; verdicts by file name."""
    from chiso.pipeline import ingest_paths

    def run(*paths, as_of=AS_OF, **options):
        report = ingest_paths(list(paths), RunContext.of(settings, as_of=as_of), **options)
        return {v.file_name: v for v in report.verdicts}

    return run


@pytest.fixture
def query(settings):
    """Rows of a read-only query on the test warehouse."""
    import duckdb

    def run(sql, params=None):
        with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
            return connection.execute(sql, params or []).fetchall()

    return run


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory):
    """The demo inbox ingested once per test session: (demo files, verdicts by name, settings)."""
    from chiso.pipeline import ingest_paths
    from demo import generate_demo_inbox
    from demo.story import DEMO_TODAY

    root = tmp_path_factory.mktemp("demo")
    files = generate_demo_inbox(root / "inbox")
    demo_settings = load_settings(home=root / "home")
    report = ingest_paths([root / "inbox"], RunContext.of(demo_settings, as_of=DEMO_TODAY), publish_snapshot=True)
    return files, {v.file_name: v for v in report.verdicts}, demo_settings


@pytest.fixture
def mail_server():
    """A real SMTP server on 127.0.0.1 that keeps what it accepts (tests/mailserver.py)."""
    server = MailServer().start()
    yield server
    server.stop()


# The longest files, run first: on two pytest-xdist workers (`--dist loadfile
# --no-loadscope-reorder`: xdist would otherwise order the files by their number of tests) the
# short files then fill in beside them, instead of one worker running the Celery test alone at
# the end. Longest first; every other file keeps its place.
LONGEST_FIRST = (
    "deploy/test_celery.py",
    "test_bench_smoke.py",
    "reliability/test_crash.py",
    "dags/test_dags.py",
    "deploy/test_standalone.py",
    "test_demo_pipeline.py",
    "portal/test_portal_fuzz.py",
    "portal/test_portal_provisional.py",
)


def pytest_collection_modifyitems(items):
    tests = Path(__file__).resolve().parent
    renamed = [path for path in LONGEST_FIRST if not (tests / path).is_file()]
    if renamed:
        raise pytest.UsageError(f"tests/conftest.py LONGEST_FIRST names files that are gone: {renamed}")

    def rank(item) -> int:
        path = item.path.relative_to(tests).as_posix()
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)


# Debian's Chromium under Playwright (Playwright's own browser download is not reachable here).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module, for the pages and the report in a real browser."""
    executable = program("chromium", install="apt-get install chromium")
    from playwright.sync_api import sync_playwright  # the dev dependency, only where a browser runs

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
