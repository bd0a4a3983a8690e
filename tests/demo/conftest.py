"""The demo inbox of the default seed, written once for the demo's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo import DemoFile, generate_demo_inbox

SEED = 2017


@pytest.fixture(scope="session")
def inbox(tmp_path_factory) -> tuple[Path, list[DemoFile]]:
    out = tmp_path_factory.mktemp("demo") / "inbox"
    return out, generate_demo_inbox(out, SEED)
