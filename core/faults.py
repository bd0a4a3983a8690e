"""Named fault points, so crash-safety tests can kill or fail the loader at an exact step.

`CHISO_FAULT=<point>[:<n>]:<kill|raise|sleep<seconds>>` acts on the n-th time (default first)
the process passes that point; `sleep` holds the process there, so a test can kill it from
outside at a known step however fast the step is. Unset, a fault point costs one dictionary look-up.
"""

from __future__ import annotations

import os
import signal
import time

from core.settings import Settings

ENV = Settings.__dataclass_fields__["fault"].metadata["env"]
_passes: dict[str, int] = {}


class InjectedFault(RuntimeError):
    pass


def fault_point(name: str) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    point, *rest = spec.split(":")
    if point != name:
        return
    action = rest[-1] if rest else "raise"
    nth = int(rest[0]) if len(rest) == 2 else 1
    _passes[name] = _passes.get(name, 0) + 1
    if _passes[name] != nth:
        return
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if action.startswith("sleep"):
        time.sleep(float(action.removeprefix("sleep")))
        return
    raise InjectedFault(f"fault injected at {name}")
