"""OpenLineage events of the chiso DAGs, for the data engineers' lineage tools (Marquez, DataHub, …).

Airflow's OpenLineage provider (apache-airflow-providers-openlineage) emits a START and a COMPLETE
(or FAIL) event for every task and DAG run. It learns a task's inputs and outputs from the operator's
extractor; a TaskFlow task (`@task`, every chiso task) has none, and no hook of ours reports to the
hook-lineage collector, so the provider falls back to the task's `inlets` and `outlets`, and passes
OpenLineage datasets found there into the event unchanged, facets and all. The ingest task sets
them when its chunk is done (`chunk_lineage`): its inputs, one dataset per file it judged (namespace
`file`, the file's inbox path) with a data-quality facet — the verdict, then every failed rule; its
outputs, the warehouse tables it wrote (namespace `duckdb://<warehouse file>`). The DAG file declares
nothing: parsing it imports no OpenLineage module.

Where the events go (`default_environment`): with no OpenLineage setting at all, chiso's launchers
(`make run`, `make airflow`, the tests) send them to the file `$AIRFLOW_HOME/openlineage.jsonl`, one
event a line; any setting of the engineers' own (OPENLINEAGE_URL, AIRFLOW__OPENLINEAGE__TRANSPORT,
a config file or connection, or disabling it) is left to decide. docs/deployment.md says how.

Lineage never fails an ingest: when the verdicts cannot be read back (a busy warehouse), the task
succeeds and its events carry no datasets; a warning in its log says why.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.settings import Settings

log = logging.getLogger(__name__)

QUERIES = Path(__file__).resolve().parent / "queries"
# The tables an ingest chunk writes (warehouse.load.load_chunk), the outputs of its task.
CHUNK_TABLES = ("submission_records", "findings", "indicator_facts")
# The severities of chiso's findings as OpenLineage's assertions name them.
SEVERITY = {"critical": "error", "warning": "warn", "info": "info"}
# An OpenLineage setting the engineers made: any of these, set, or any OPENLINEAGE__TRANSPORT__* variable.
OWN_SETTINGS = (
    "OPENLINEAGE_URL",
    "OPENLINEAGE_CONFIG",
    "OPENLINEAGE_DISABLED",
    "AIRFLOW__OPENLINEAGE__TRANSPORT",
    "AIRFLOW__OPENLINEAGE__CONFIG_PATH",
    "AIRFLOW__OPENLINEAGE__CONFIG_CONN_ID",
    "AIRFLOW__OPENLINEAGE__DISABLED",
)
EVENTS_FILE = "openlineage.jsonl"


def default_environment(airflow_home: Path, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The variables that make Airflow's processes write OpenLineage events to `airflow_home`/openlineage.jsonl
    (appended, one event a line), when `environ` configures no OpenLineage transport of its own; and the
    namespace `chiso` and emission in a thread, unless `environ` chooses them. Launchers add these to the
    environment of every Airflow process they start."""
    defaults: dict[str, str] = {}
    own = any(environ.get(name) or environ.get(f"{name}_CMD") or environ.get(f"{name}_SECRET") for name in OWN_SETTINGS)
    if not own and not any(k.startswith("OPENLINEAGE__TRANSPORT") and v for k, v in environ.items()):
        transport = {"type": "file", "log_file_path": str(Path(airflow_home) / EVENTS_FILE), "append": True}
        defaults["AIRFLOW__OPENLINEAGE__TRANSPORT"] = json.dumps(transport)
    if not environ.get("AIRFLOW__OPENLINEAGE__NAMESPACE") and not environ.get("OPENLINEAGE_NAMESPACE"):
        defaults["AIRFLOW__OPENLINEAGE__NAMESPACE"] = "chiso"
    # A thread, not the provider's default fork of the task process (pandas, GX and DuckDB loaded).
    if not environ.get("AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD"):
        defaults["AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD"] = "True"
    return defaults


def emitting() -> bool:
    """Whether this process emits OpenLineage events (the provider is configured and not disabled)."""
    from airflow.providers.openlineage import conf  # asked in a task: the launchers load no Airflow provider

    return not conf.is_disabled()


@contextmanager
def chunk_lineage(settings: Settings) -> Iterator[None]:
    """Around the body of an ingest task: once the body has returned, the files it judged become the
    running task's inlets and the tables it wrote its outlets, for the provider's COMPLETE event."""
    if not emitting():
        yield
        return
    before = _guarded(_last_submission, settings, default=None)
    yield
    if before is None:
        return
    found = _guarded(chunk_datasets, settings, before, default=None)
    if found is None:
        return
    from airflow.sdk import get_current_context  # in the task: the launchers load no Airflow SDK

    task = get_current_context()["task"]
    inputs, outputs = found
    task.inlets = [*task.inlets, *inputs]
    task.outlets = [*task.outlets, *outputs]


def _guarded(function: Any, *arguments: Any, default: Any) -> Any:
    try:
        return function(*arguments)
    except Exception as error:  # lineage never fails the ingest
        log.warning("OpenLineage: the chunk's files and verdicts could not be read (%s); no datasets sent", error)
        return default


def _last_submission(settings: Settings) -> int:
    """The highest submission id in the warehouse (0 before the first)."""
    # in the task: the launchers (dev/embedded.py, the Celery config) load no DuckDB
    from warehouse.db import connect_read_only
    from warehouse.lock import writer_lock

    if not settings.warehouse.exists():
        return 0
    with writer_lock(settings.warehouse, timeout=30), connect_read_only(settings.warehouse) as connection:
        [(last,)] = connection.execute("select coalesce(max(submission_id), 0) from submission_records").fetchall()
    return int(last)


def chunk_datasets(settings: Settings, after: int) -> tuple[list, list]:
    """(inputs, outputs): an OpenLineage input dataset for every submission above `after`, an output
    dataset for every table an ingest chunk writes. Each input's data-quality facet holds the assertion
    `verdict`, whose `actual` is the file's status (failed when rejected), then each of its findings as a
    failed assertion of its check (`negative_value`), named by its rule (`rule 6`), severity `error`
    (refused the file) or `warn`."""
    # in the task: the launchers load no OpenLineage client (0.6 s)
    from openlineage.client.event_v2 import InputDataset, OutputDataset
    from openlineage.client.facet_v2 import data_quality_assertions_dataset as quality

    # in the task: the launchers load no DuckDB
    from warehouse.db import connect_read_only, query_rows
    from warehouse.lock import writer_lock

    with writer_lock(settings.warehouse, timeout=30), connect_read_only(settings.warehouse) as connection:
        submissions = query_rows(connection, QUERIES / "chunk_submissions.sql", after)
    inputs = []
    for submission in submissions:
        verdict = quality.Assertion(
            assertion="verdict",
            name="chiso_verdict",
            success=submission["status"] != "rejected",
            severity="error",
            actual=submission["status"],
            description=f"submission {submission['submission_id']}, {submission['value_rows']} value rows;"
            f" stored at {submission['stored_path']}",
        )
        rules = [
            quality.Assertion(
                assertion=finding["check_name"],
                name=f"rule {finding['rule']}",
                success=False,
                severity=SEVERITY.get(finding["severity"], finding["severity"]),
                actual=finding["offending_values"] or None,
                description=finding["message_en"],
            )
            for finding in submission["findings"]
        ]
        facet = quality.DataQualityAssertionsDatasetFacet(assertions=[verdict, *rules])
        inputs.append(
            InputDataset(
                namespace="file",
                name=submission["source_path"] or submission["file_name"],
                inputFacets={"dataQualityAssertions": facet},
            )
        )
    namespace = warehouse_namespace(settings)
    outputs = [OutputDataset(namespace=namespace, name=f"main.{table}") for table in CHUNK_TABLES]
    return inputs, outputs


def warehouse_namespace(settings: Settings) -> str:
    """The OpenLineage namespace of the warehouse's tables: `duckdb://` and the warehouse file's absolute path."""
    return f"duckdb://{settings.warehouse.resolve()}"
