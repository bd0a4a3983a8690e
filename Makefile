# The two commands that matter: `make run` and `make test`. Everything else is set up on demand.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
export CHISO_HOME ?= $(CURDIR)/var
export AIRFLOW_HOME ?= $(CHISO_HOME)/airflow

.PHONY: setup run test lint bench airflow portal clean

setup: $(VENV)/.synced

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

# Bytecode compiled once at install: every later process (CLI, tests, Airflow tasks) imports
# GX and Airflow about twice as fast, even where Python may not write .pyc files.
# The deploy extra (Celery, PostgreSQL and Redis clients) is the Compose image's runtime:
# tests/deploy/test_celery.py runs that deployment's components against local servers.
$(VENV)/.synced: pyproject.toml uv.lock Makefile | $(UV)
	$(UV) sync --frozen --extra deploy --compile-bytecode
	touch $@

run: setup
	$(VENV)/bin/python -m dev.embedded

# Two workers, one test file each at a time (module fixtures built once): most tests wait on
# processes, servers and files, so two cores run the suite in about 60 % of the serial time.
# The lint (~36 s of one core) runs beside the tests, on the cores they leave idle while they wait;
# its output follows theirs, and either failing fails `make test`.
test: setup
	@lint_log=$$(mktemp); $(MAKE) --no-print-directory lint > $$lint_log 2>&1 & lint_pid=$$!; \
	$(VENV)/bin/python -m pytest -q --numprocesses 2 --dist loadfile --no-loadscope-reorder; tests=$$?; \
	wait $$lint_pid; linted=$$?; echo "--- make lint (run beside the tests):"; cat $$lint_log; rm -f $$lint_log; \
	if [ $$linted -ne 0 ]; then echo "make lint failed"; fi; \
	[ $$tests -eq 0 ] && [ $$linted -eq 0 ]

# Style without debate: ruff (lint, format) for Python, sqlfluff (DuckDB dialect) for SQL;
# mypy over the stages, the application, the portal and the dev runner (pyproject.toml's [tool.mypy] says which files).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@! git grep -n "fmt: skip" -- "*.py" || { echo "no fmt: skip: let ruff format the code"; exit 1; }
	$(VENV)/bin/sqlfluff lint --processes 2 warehouse chiso/report/queries chiso/notices/queries chiso/approval/queries chiso/lineage/queries chiso/airflow_glue/queries portal/queries portal/sql benchmarks
	$(VENV)/bin/mypy

# Throughput, overheads, the portal and the analysts' queries (run.py); the SQL desk against `chiso query`
# (desk.py); then one send's latency,
# landing -> verdict in the snapshot, under `airflow standalone` and the Celery deployment
# (with the workers' GX preload, as deployed, and without it: the time before).
bench: setup
	$(VENV)/bin/python benchmarks/run.py
	$(VENV)/bin/python benchmarks/desk.py --out benchmarks/results/desk.json
	$(VENV)/bin/python benchmarks/latency.py --executor standalone --out benchmarks/results/latency-standalone.json
	$(VENV)/bin/python benchmarks/latency.py --executor standalone --sends 12 --approvals 10 --out benchmarks/results/latency-approvals-standalone.json
	$(VENV)/bin/python benchmarks/latency.py --executor celery --out benchmarks/results/latency-celery.json
	$(VENV)/bin/python benchmarks/latency.py --executor celery --cold --out benchmarks/results/latency-celery-cold.json

airflow: setup
	$(VENV)/bin/python -m dev.embedded --standalone

# The reporting units' portal on 127.0.0.1:$(PORT) (8000), on `make run`'s data (made first if missing),
# with a demo account per unit and one for the province (their passwords printed).
PORT ?= 8000
portal: setup
	$(VENV)/bin/python -m dev.portal_demo --port $(PORT)

clean:
	rm -rf var .pytest_cache
