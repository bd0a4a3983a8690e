"""Run the expectation suites over a whole batch at once and collect what failed.

GX is imported here and only here: it costs seconds to import, and the CLI's help, the
DAG parser and the readers must not pay for it.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import logging
import sys
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING

from expectations import kwargs_once
from expectations.findings import SUITE_NAMES, Failure, load_suite_json

if TYPE_CHECKING:
    import pandas as pd

# What GX imports for what the suites never use, deferred until something reads it: `scipy.stats`
# for the distribution expectations (KL divergence, KS tests), `altair` for Data Docs' charts (with
# SQLAlchemy hidden, GX's import here: 2.9 s -> 1.3 s; docs/benchmarks.md). A deferred module loads
# itself, whole, on its first attribute read, so a suite that comes to use one still runs;
# tests/expectations/test_gx_import.py fails if validating loads either.
DEFERRED_MODULES = ("scipy.stats", "altair")
# GX's SQL support, which it imports only when SQLAlchemy is installed (an optional extra of GX's;
# it is here for Airflow): GX is imported as if it were not, unless the process already holds it.
HIDDEN_MODULES = frozenset({"sqlalchemy"})


class DeferredModule(types.ModuleType):
    """Stands in for a module in `sys.modules` until one of its attributes is read."""

    def __getattr__(self, attribute: str):
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        module = importlib.import_module(name)
        self.__dict__.update(module.__dict__)  # later reads through this stand-in cost nothing more
        return getattr(module, attribute)


class _Hidden:
    """A finder that says the hidden modules are not installed."""

    def find_spec(self, fullname: str, path=None, target=None):
        if fullname.partition(".")[0] in HIDDEN_MODULES:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


@contextmanager
def _lean_import() -> Iterator[None]:
    for name in DEFERRED_MODULES:
        if name not in sys.modules:
            stand_in = DeferredModule(name)
            stand_in.__spec__ = importlib.machinery.ModuleSpec(name, None)
            sys.modules[name] = stand_in
    hidden = _Hidden()
    sys.meta_path.insert(0, hidden)
    try:
        yield
    finally:
        sys.meta_path.remove(hidden)


_LOADING = threading.Lock()  # one thread loads; another asking meanwhile waits for it


def preload_suites() -> None:
    """Start loading GX and the suites in the background (a second or so), while the caller does its
    other work (imports, reading in reader processes): `load_suites` then finds them loaded, or waits."""
    threading.Thread(target=load_suites, name="chiso-gx-preload", daemon=True).start()


def load_suites():
    with _LOADING:
        return _load_suites()


@cache
def _load_suites():
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    with _lean_import():
        # GX takes seconds to import: only a process that validates a batch pays it, once.
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

    kwargs_once.install()

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("chiso")
    definitions = {}
    suites = {}
    for name in SUITE_NAMES:
        definitions[name] = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
        suites[name] = gx.ExpectationSuite(**load_suite_json(name))
    return definitions, suites


def run_suites(frames: dict[str, pd.DataFrame], parameters: dict) -> list[Failure]:
    """Validate each frame given with its suite (one GX run per suite per batch)."""
    definitions, suites = load_suites()
    failures = []
    for name in SUITE_NAMES:
        frame = frames.get(name)
        if frame is None or frame.empty:
            continue
        batch = definitions[name].get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(
            suites[name],
            expectation_parameters=parameters,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["row_key"]},
        )
        for outcome in result.results:
            config = outcome.expectation_config
            if outcome.exception_info and outcome.exception_info.get("raised_exception"):
                raise RuntimeError(f"expectation {config.type} on {name} failed to run: {outcome.exception_info}")
            if outcome.success:
                continue
            keys = tuple(int(item["row_key"]) for item in outcome.result.get("unexpected_index_list") or [])
            if not keys:
                # A failure we cannot pin to a file must stop the batch, never pass silently.
                raise RuntimeError(f"expectation {config.type} on {name} failed without failing rows")
            failures.append(Failure(name, config.severity.value, dict(config.meta), dict(config.kwargs), keys))
    return failures
