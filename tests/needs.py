"""What a test needs from the machine. In CI a missing piece fails the test; elsewhere it skips, saying why."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def missing(reason: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"{reason} (CI is set: the test must run)")
    pytest.skip(reason)


def program(*names: str, install: str) -> str:
    """The path of the first of `names` on PATH, or `missing`, saying how to install it."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    missing(f"{names[0]} is not installed: {install} (.ci/run installs it)")
