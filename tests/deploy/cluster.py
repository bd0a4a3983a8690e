"""Airflow's components as docker-compose.yml runs them, as local processes: the file is the one source.

Each service's command and the `x-airflow-common` environment are read from the compose file
and run as they are, with only what one host instead of a network of containers needs:

* the addresses: `postgres:5432`, `redis:6379` and `airflow-apiserver:8080` become the test's
  servers on 127.0.0.1 (free ports), `/data` the test's folder, `/opt/chiso/dags` the repo's;
* the secrets `.env` would hold are generated;
* each component's flags for sharing one host: the api-server's address, no log servers on all
  interfaces (`--skip-serve-logs`), each Celery worker's own node name;
* `[core] hostname_callable`: each worker's name recorded on its task instances, so that the
  test can tell which worker ran what.

`airflow-init`'s script runs as written, and every service's healthcheck command is run
against the running components (`Airflow.healthcheck`).
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shlex
import socket
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml
from services import REPO, VENV_BIN, Postgres, Redis, Service, Stack, free_port, wait_for

COMPOSE_FILE = REPO / "docker-compose.yml"
LOADER, WORKER = "airflow-loader", "airflow-worker"
LOADER_QUEUE = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["x-airflow-common"]["environment"][
    "CHISO_LOADER_QUEUE"
]
COMPONENTS = ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer")
HOSTNAME_MODULE = '''"""Airflow [core] hostname_callable for the tests: each worker's name from its environment."""
import os
import socket


def hostname():
    return os.environ.get("CHISO_TEST_HOSTNAME") or socket.getfqdn()
'''
_VARIABLE = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def interpolate(text: str, values: dict[str, str]) -> str:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?message}`, then `$$` as `$`."""

    def value(match: re.Match) -> str:
        name, operator, argument = match.groups()
        if name in values:
            return values[name]
        if operator == "-":
            return argument
        raise KeyError(f"docker-compose.yml needs ${{{name}}} ({argument})")

    escaped = "\0"  # `$$` is a literal `$`, never the start of a variable
    return _VARIABLE.sub(value, text.replace("$$", escaped)).replace(escaped, "$")


def command(service: str, values: dict[str, str]) -> list[str]:
    return [interpolate(str(part), values) for part in compose()["services"][service]["command"]]


@dataclass
class Addresses:
    """Where the compose file's services are on this host."""

    postgres: Postgres
    redis: Redis
    api_port: int
    home: Path

    def apply(self, text: str) -> str:
        return (
            text.replace("@postgres:5432/", f"@127.0.0.1:{self.postgres.port}/")
            .replace("@redis:6379/", f"@127.0.0.1:{self.redis.port}/")
            .replace("airflow-apiserver:8080", f"127.0.0.1:{self.api_port}")
            .replace("/opt/chiso/dags", str(REPO / "dags"))
        )


def secret_values(postgres: Postgres, redis: Redis) -> dict[str, str]:
    """What `.env` holds (.env.example says how to generate each)."""
    return {
        "POSTGRES_PASSWORD": postgres.password,
        "REDIS_PASSWORD": redis.password,
        "AIRFLOW_FERNET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "AIRFLOW_JWT_SECRET": secrets.token_hex(32),
        "AIRFLOW_API_SECRET_KEY": secrets.token_hex(32),
    }


def compose_environment(addresses: Addresses, values: dict[str, str]) -> dict[str, str]:
    """`x-airflow-common`'s environment, interpolated, at this host's addresses."""
    common = compose()["x-airflow-common"]["environment"]
    env = {key: addresses.apply(interpolate(str(value), values)) for key, value in common.items()}
    env["CHISO_HOME"] = str(addresses.home)  # /data, the volumes' mount point
    return {key: value for key, value in env.items() if value != ""}  # empty: chiso's default


@dataclass
class Airflow:
    """Airflow's components as separate processes of one `Stack`, run as docker-compose.yml runs them."""

    stack: Stack
    env: dict[str, str]
    values: dict[str, str]
    paths: dict[str, str]  # the files the compose file keeps on volumes, here under the test's folder
    api_port: int
    postgres: Postgres
    redis: Redis

    def cli(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(VENV_BIN / "airflow"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.stack.root,
            check=True,
        )

    def start(self, service: str, extra_env: dict[str, str] | None = None) -> Service:
        """A compose service's command, with the flags one host needs (and `extra_env`, for a test's fault)."""
        argv = command(service, self.values)
        if service == "airflow-apiserver":
            argv += ["--host", "127.0.0.1", "--port", str(self.api_port)]
        if service in ("airflow-scheduler", "airflow-triggerer", WORKER, LOADER):
            argv.append("--skip-serve-logs")
        common = compose()["x-airflow-common"]["environment"]
        own = {
            key: interpolate(str(value), self.values)
            for key, value in (compose()["services"][service].get("environment") or {}).items()
            if key not in common
        }
        env = {**self.env, **own, **self.paths, **(extra_env or {})}
        if service in (WORKER, LOADER):
            argv += ["--celery-hostname", f"{service}@%h", "--without-gossip", "--without-mingle"]
            env = {**env, "CHISO_TEST_HOSTNAME": service}
        argv[0] = str(VENV_BIN / argv[0])
        return self.stack.start(service, argv, env, cwd=self.stack.root)

    def wait_worker_ready(self, service: Service, timeout: float = 120, since: int = 0) -> None:
        wait_for(
            f"Celery worker {service.name} ready",
            lambda: service.alive() and " ready." in service.log.read_text(errors="replace")[since:],
            timeout,
            log=service.log,
        )

    def health(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}/api/v2/monitor/health", timeout=5) as response:
            return json.load(response)

    def wait_healthy(self, timeout: float = 180) -> dict:
        def all_healthy():
            health = self.health()
            parts = ("metadatabase", "scheduler", "triggerer", "dag_processor")
            return health if all((health.get(p) or {}).get("status") == "healthy" for p in parts) else None

        api = next(s for s in self.stack.services if s.name == "airflow-apiserver")
        return wait_for("Airflow components healthy (/api/v2/monitor/health)", all_healthy, timeout, 1, log=api.log)

    def wait_dag(self, dag_id: str, timeout: float = 180) -> None:
        processor = next(s for s in self.stack.services if s.name == "airflow-dag-processor")
        wait_for(
            f"DAG {dag_id} parsed",
            lambda: self.postgres.query("select 1 from dag where dag_id = %s and not is_stale", (dag_id,)),
            timeout,
            1,
            log=processor.log,
        )

    def healthcheck(self, service: str) -> subprocess.CompletedProcess:
        """The service's compose healthcheck, run against its process on this host."""
        test = compose()["services"][service]["healthcheck"]["test"]
        script = interpolate(test[1] if test[0] == "CMD-SHELL" else shlex.join(test[1:]), {})
        script = (
            script.replace("localhost:8080", f"localhost:{self.api_port}")
            .replace(
                "localhost:8974", f"localhost:{self.env['AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT']}"
            )
            .replace("celery@${HOSTNAME}", f"{service}@{socket.gethostname()}")
        )
        env = {**self.env, "HOSTNAME": socket.getfqdn()}
        return subprocess.run(
            ["sh", "-c", f'PATH="{VENV_BIN}:$PATH"; {script}'],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=self.stack.root,
        )


def start_airflow(
    stack: Stack, postgres: Postgres, redis: Redis, home: Path, test_settings: dict[str, str] | None = None
) -> Airflow:
    """airflow-init's script, then api-server, scheduler, dag-processor and triggerer.

    The Celery workers are started by the test (`Airflow.start`), so that it can kill and restart them.
    """
    (stack.root / "pythonpath").mkdir(parents=True, exist_ok=True)
    (stack.root / "pythonpath" / "chiso_test_hostname.py").write_text(HOSTNAME_MODULE)
    values = secret_values(postgres, redis)
    api_port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "CHISO_"))},
        **compose_environment(Addresses(postgres, redis, api_port, home), values),
        "AIRFLOW_HOME": str(stack.root / "airflow"),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(stack.root / "pythonpath"),
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "chiso_test_hostname.hostname",
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": "127.0.0.1",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(free_port()),
        **(test_settings or {}),
    }
    paths = {"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(stack.root / "airflow" / "passwords.json")}
    airflow = Airflow(stack, env, values, paths, api_port, postgres, redis)
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    init = subprocess.run(
        ["bash", "-c", command("airflow-init", values)[0]],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=stack.root,
    )
    if init.returncode:
        raise RuntimeError(f"airflow-init failed ({init.returncode}):\n{init.stdout}\n{init.stderr[-4000:]}")
    for service in COMPONENTS:
        airflow.start(service)
    return airflow
