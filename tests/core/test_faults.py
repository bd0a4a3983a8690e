"""Fault points: unset they do nothing; set, they act on the n-th pass only."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from core import faults


@pytest.fixture(autouse=True)
def fresh_counts(monkeypatch):
    monkeypatch.setattr(faults, "_passes", {})


def test_unset_does_nothing(monkeypatch):
    monkeypatch.delenv(faults.ENV, raising=False)
    faults.fault_point("read.file")


def test_raise_on_the_nth_pass_only(monkeypatch):
    monkeypatch.setenv(faults.ENV, "read.file:3:raise")
    faults.fault_point("validate.done")  # another point: not counted
    faults.fault_point("read.file")
    faults.fault_point("read.file")
    with pytest.raises(faults.InjectedFault, match=r"read\.file"):
        faults.fault_point("read.file")
    faults.fault_point("read.file")


def test_sleep_holds_the_process_then_goes_on(monkeypatch):
    monkeypatch.setenv(faults.ENV, "read.file:2:sleep0.5")
    started = time.monotonic()
    faults.fault_point("read.file")
    assert time.monotonic() - started < 0.5
    faults.fault_point("read.file")
    assert time.monotonic() - started >= 0.5


def test_kill_is_sigkill():
    code = "from core.faults import fault_point; fault_point('load.committed'); print('survived')"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, faults.ENV: "load.committed:kill"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == -9 and "survived" not in result.stdout
