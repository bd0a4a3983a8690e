"""The Celery workers' configuration: Airflow's default, with the validation libraries loaded up front.

A task on a Celery worker runs in a process forked from the worker. When the worker itself has
imported Great Expectations (about 2 s), pandas and DuckDB, every chunk's task process starts
with them loaded: the largest part of a send's wait for its verdict, after the settle time, is
gone (docs/benchmarks.md, "Latency"). Set by `[celery] celery_config_options` in
docker-compose.yml.
"""

from __future__ import annotations

import sys

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG

if "worker" in sys.argv:  # the worker, not the scheduler or the api-server, which read this too
    import duckdb  # noqa: F401
    import great_expectations  # noqa: F401
    import pandas  # noqa: F401

    from expectations.validate import load_suites

    load_suites()  # the suites' GX context, made once: forked task processes find it made

    from chiso.airflow_glue.lineage import emitting

    if emitting():  # the OpenLineage listener (about 1.8 s of imports) loaded once, not in every task process
        from airflow.sdk.listener import get_listener_manager  # in the worker only, as the libraries above

        get_listener_manager()

CELERY_CONFIG = DEFAULT_CELERY_CONFIG
