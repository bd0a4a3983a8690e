"""expectations/kwargs_once.py: GX's kwargs from one configuration per call, exactly as GX's own give them.

The replacements are in place whenever GX has loaded the suites (the rule cases and every other test
run through them); here they are compared with GX's own methods on every expectation of the suites,
as validation builds them (suite parameters substituted), and with the runtime configurations a
validation passes.
"""

from __future__ import annotations

import pytest

from builders import PROJECT_ROOT
from core.catalog import Catalog
from expectations import kwargs_once
from expectations.batch import suite_parameters
from expectations.findings import SUITE_NAMES
from expectations.validate import load_suites

RUNTIME_CONFIGURATIONS = [
    None,
    {},
    {"result_format": {"result_format": "COMPLETE", "unexpected_index_column_names": ["row_key"]}},
    {"result_format": "SUMMARY", "catch_exceptions": False},
]


def test_gx_methods_are_the_ones_the_replacements_were_checked_against():
    """A new GX fails here: read its four methods, update kwargs_once to match them, then the digests."""
    load_suites()
    assert set(kwargs_once.GX_METHODS) == set(kwargs_once.CHECKED), "the replacements are not in place"
    for name, digest in kwargs_once.CHECKED.items():
        assert kwargs_once._source_digest(kwargs_once.GX_METHODS[name]) == digest, name


@pytest.mark.parametrize("suite_name", SUITE_NAMES)
def test_each_replacement_answers_as_gx_does_on_every_expectation(suite_name):
    _, suites = load_suites()
    parameters = suite_parameters(Catalog(PROJECT_ROOT / "catalog"))
    expectations = []
    for expectation in suites[suite_name].expectations:
        configuration = expectation.configuration
        configuration.process_suite_parameters(parameters)  # as a validation does, before it builds its objects
        expectations.append(configuration.to_domain_obj())
    assert expectations
    gx = kwargs_once.GX_METHODS
    for expectation in expectations:
        assert kwargs_once.get_domain_kwargs(expectation) == gx["_get_domain_kwargs"](expectation)
        assert kwargs_once.get_success_kwargs(expectation) == gx["_get_success_kwargs"](expectation)
        for key in {*expectation.success_keys, *expectation.domain_keys, *expectation.runtime_keys, "no_such_key"}:
            for default in (None, "a default"):
                ours = kwargs_once.get_success_kwarg(expectation, key, default)
                assert ours == gx["_get_success_kwarg"](expectation, key, default), (expectation, key)
        for runtime in RUNTIME_CONFIGURATIONS:
            ours = kwargs_once.get_runtime_kwargs(expectation, runtime)
            assert ours == gx["_get_runtime_kwargs"](expectation, runtime), (expectation, runtime)
