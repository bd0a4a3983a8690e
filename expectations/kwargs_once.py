"""GX's kwargs of an expectation, each built from one configuration instead of one per key.

GX 1.x's `Expectation._get_domain_kwargs`, `_get_success_kwargs` and `_get_runtime_kwargs` read
`self.configuration` once per key they return, and that property builds a new
`ExpectationConfiguration` from the model's `.dict()` each time: a validation of our four suites
built ~4,700 of them, a third of a dry run's GX time (docs/benchmarks.md, "GX's kwargs, once per call"). The
methods below do exactly what GX's do, from one configuration per call: the same keys, the same
defaults, the same order of precedence. They replace GX's only when GX's own methods are the ones
they were written from (the SHA-256 of their source, `CHECKED`): another GX version keeps its own
methods, and `tests/expectations/test_kwargs_once.py` fails until they are checked again. The
same test compares both on every expectation of the suites.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
from typing import Any

log = logging.getLogger(__name__)

# GX's methods these replace, by the SHA-256 of their source (great_expectations 1.24.1).
CHECKED = {
    "_get_success_kwarg": "baef37a186b4087123ae215810bc46c0761b276c4db2bb336865fe959e5bffd2",
    "_get_domain_kwargs": "91ad2a0670ff463ad99457f1e5c351b7fbd64cac8f6c200a18a437552f2adfd0",
    "_get_success_kwargs": "fe376905e18bc525a128d251281e7f48309e82f820f23c8e1d93d85e2739b26f",
    "_get_runtime_kwargs": "4196ca2a2cdb5bbfdf5e7540eaa58048d6e6881819ed004041ef56151667d8d0",
}


def _source_digest(function) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()


def gx_methods_are_the_checked_ones(expectation_class) -> bool:
    return all(_source_digest(getattr(expectation_class, name)) == digest for name, digest in CHECKED.items())


def _keyed(expectation, kwargs: dict, keys) -> dict:
    return {key: kwargs.get(key, expectation._get_default_value(key)) for key in keys}


def _success_kwarg(expectation, kwargs: dict, key: str, default: Any = None) -> Any:
    if key in kwargs:
        return kwargs[key]
    field = expectation.__fields__.get(key)
    if field is not None:
        return field.default if not field.required else default
    log.warning(
        f'_get_success_kwarg called with key "{key}", but it is not a known field of {type(expectation).__name__}'
    )
    return default


def _success_kwargs(expectation, kwargs: dict) -> dict:
    success = _keyed(expectation, kwargs, expectation.success_keys)
    success.update(_keyed(expectation, kwargs, expectation.domain_keys))
    return success


def get_success_kwarg(self, key: str, default: Any = None) -> Any:
    return _success_kwarg(self, self.configuration.kwargs, key, default)


def get_domain_kwargs(self) -> dict:
    return _keyed(self, self.configuration.kwargs, self.domain_keys)


def get_success_kwargs(self) -> dict:
    return _success_kwargs(self, self.configuration.kwargs)


def get_runtime_kwargs(self, runtime_configuration: dict | None = None) -> dict:
    from great_expectations.expectations.expectation import parse_result_format  # GX: only where validation runs

    runtime_configuration = runtime_configuration or {}
    kwargs = self.configuration.kwargs
    success = _success_kwargs(self, kwargs)
    runtime = {key: runtime_configuration.get(key, _success_kwarg(self, kwargs, key)) for key in self.runtime_keys}
    runtime.update(success)
    runtime["result_format"] = parse_result_format(runtime["result_format"])
    return runtime


REPLACEMENTS = {
    "_get_success_kwarg": get_success_kwarg,
    "_get_domain_kwargs": get_domain_kwargs,
    "_get_success_kwargs": get_success_kwargs,
    "_get_runtime_kwargs": get_runtime_kwargs,
}


GX_METHODS: dict[str, Any] = {}  # GX's own, once replaced (the test compares them with these)


def install() -> bool:
    """Put these methods in place of GX's when GX's are the checked ones; whether they are in place."""
    from great_expectations.expectations.expectation import Expectation  # GX: only where validation runs

    if GX_METHODS:
        return True
    if not gx_methods_are_the_checked_ones(Expectation):
        log.info("GX's kwargs methods are not the ones kwargs_once was checked against: GX's own are kept")
        return False
    for name, method in REPLACEMENTS.items():
        GX_METHODS[name] = getattr(Expectation, name)
        setattr(Expectation, name, method)
    return True
