from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from portal_helpers import Server, make_home


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return make_home(tmp_path_factory.mktemp("portal"))


@pytest.fixture(scope="module")
def server(home):
    """One real server per test module: the modules' sends and logins do not meet."""
    running = Server(home)
    yield running
    running.stop()
