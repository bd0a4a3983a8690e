# chiso runtime image: Airflow 3 (CeleryExecutor) + Great Expectations + DuckDB.
# One image serves every Airflow service of docker-compose.yml (see docs/deployment.md).
FROM python:3.11-slim

# Same uv as the developers' machines; the lock file is read with --frozen, so the
# image gets exactly the versions in uv.lock.
ARG UV_VERSION=0.13.9

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11

RUN pip install "uv==${UV_VERSION}"

# Non-root runtime user: uid 50000, gid 0, the convention of the official Airflow image.
# /data/* are the mount points of the compose volumes: a named volume mounted there for
# the first time is seeded from the image, so it starts owned by airflow.
RUN useradd --uid 50000 --gid 0 --home-dir /opt/airflow --create-home --shell /bin/bash airflow \
    && mkdir -p /opt/chiso \
        /opt/airflow/logs /opt/airflow/auth \
        /data/inbox /data/archive /data/quarantine /data/warehouse/snapshot /data/reports \
    && chown -R 50000:0 /opt/airflow /data \
    && chmod -R g+rwX /opt/airflow /data

WORKDIR /opt/chiso

# 1) Dependencies only. This layer is rebuilt only when pyproject.toml or uv.lock change.
#    The `deploy` extra adds what the compose stack needs on top of the base
#    dependencies: the Celery provider (with the Redis client) and the PostgreSQL driver.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --extra deploy --no-install-project

# 2) The project itself (the code is root-owned and read-only for the runtime user).
COPY README.md ./
COPY core/ core/
COPY chiso/ chiso/
COPY portal/ portal/
COPY transforms/ transforms/
COPY expectations/ expectations/
COPY warehouse/ warehouse/
COPY catalog/ catalog/
COPY dags/ dags/
RUN uv sync --frozen --no-dev --extra deploy

ENV PATH=/opt/chiso/.venv/bin:$PATH \
    VIRTUAL_ENV=/opt/chiso/.venv \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/chiso/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=false \
    CHISO_HOME=/data \
    CHISO_CATALOG_DIR=/opt/chiso/catalog

USER airflow

# Each compose service gives its own command (airflow api-server, airflow scheduler, ...).
CMD ["airflow", "version"]
