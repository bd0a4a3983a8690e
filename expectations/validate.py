"""Run the expectation suites over a whole batch at once and collect what failed.

GX is imported here and only here: it costs seconds to import, and the CLI's help, the
DAG parser and the readers must not pay for it.
"""

from __future__ import annotations

import logging
from functools import cache

import pandas as pd

from expectations.findings import SUITE_NAMES, Failure, load_suite_json


@cache
def load_suites():
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    # GX takes seconds to import: only a process that validates a batch pays it, once.
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

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
