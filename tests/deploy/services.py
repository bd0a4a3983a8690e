"""Real services for the deployment tests: PostgreSQL, Redis and Airflow's components as local processes.

No containers: each service is a child process of the test, in its own session (so its own
process group), bound to 127.0.0.1 on a free port, with its data in a temporary folder.
Every wait has a timeout, and `Stack.close()` stops everything it started (SIGTERM to each
process group, SIGKILL after a grace period), in reverse order, even when a test fails.

The Airflow settings are those of docker-compose.yml's `x-airflow-common` block
(CeleryExecutor, PostgreSQL metadata DB and result backend, Redis broker with a password,
Fernet key, JWT secret, API secret key, Execution API URL, the repo's dags/, the
`chiso_warehouse` pool of 1 slot, CHISO_LOADER_QUEUE=chiso_loader), plus what running
every component on one host needs (distinct Celery node names, no log servers on all
interfaces) and the few timings that make a dead worker's task come back quickly.

This module knows nothing of chiso's internals: it only needs the dags/ folder and the
`CHISO_*` environment variables.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
LOADER_QUEUE = "chiso_loader"
POOL = ("chiso_warehouse", "1", "DuckDB single writer")


# ---------------------------------------------------------------- small helpers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what: str, check: Callable[[], object], timeout: float, interval: float = 0.5, log: Path | None = None):
    """Poll `check` until it returns something truthy; fail with `what` (and a log's tail) after `timeout` s."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as error:
            last_error = error
        time.sleep(interval)
    tail = f"\n--- {log}:\n{tail_of(log)}" if log else ""
    raise TimeoutError(f"{what}: not done after {timeout:.0f} s (last error: {last_error!r}){tail}")


def tail_of(path: Path | None, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except (OSError, AttributeError):
        return "(no log)"


def find_postgres_bin() -> Path | None:
    """The folder of `initdb`/`pg_ctl`: on PATH, or Debian's /usr/lib/postgresql/<version>/bin."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent  # Debian links only some of them into PATH
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]), reverse=True)
    return candidates[0].parent if candidates else None


def require_services() -> tuple[Path, str]:
    """The PostgreSQL bin folder and redis-server; without them: fail under CI, skip elsewhere."""
    missing = []
    pg_bin = find_postgres_bin()
    if pg_bin is None:
        missing.append("PostgreSQL server binaries (initdb, pg_ctl: Debian package postgresql)")
    redis = shutil.which("redis-server")
    if redis is None:
        missing.append("redis-server (Debian package redis-server)")
    try:
        import psycopg2  # noqa: F401
        from airflow.providers.celery.executors import celery_executor  # noqa: F401
    except ImportError as error:
        missing.append(f"the deploy extra ({error}; uv sync --frozen --extra deploy)")
    if missing:
        import pytest

        reason = "missing: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return pg_bin, redis


# ---------------------------------------------------------------- processes


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, grace: float = 20) -> None:
        """SIGTERM to the process group, SIGKILL to what is left after `grace` s."""
        signal_group(self.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=grace)
        kill_tree(self.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


def signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def descendants(pid: int) -> list[int]:
    """Every process whose parent chain leads to `pid` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid: int) -> list[int]:
    """SIGKILL the process group of `pid` and every descendant, wherever its group.

    Airflow's task supervisor puts each task runner in a process group of its own
    (airflow.sdk.execution_time.supervisor, `setpgid`): killing only a worker's group
    would leave its running task process behind, orphaned. A host or container dying
    kills them all, so the tests do the same.
    """
    tree = descendants(pid)
    groups = {pid}
    for child in tree:
        with contextlib.suppress(ProcessLookupError):
            groups.add(os.getpgid(child))
    for group in groups:
        # Never a group this test process belongs to.
        if group != os.getpgrp():
            signal_group(group, signal.SIGKILL)
    for child in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
    return tree


@dataclass
class Stack:
    """What a test started, stopped in reverse order by `close()`."""

    root: Path
    services: list[Service] = field(default_factory=list)
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def start(self, name: str, argv: list[str], env: dict[str, str], **popen) -> Service:
        log = self.root / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            process = subprocess.Popen(
                argv,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                **popen,
            )
        service = Service(name, process, log)
        self.services.append(service)
        return service

    def close(self) -> None:
        for service in reversed(self.services):
            service.stop()
        for cleanup in reversed(self.cleanups):
            try:
                cleanup()
            except Exception as error:
                print(f"teardown: {error!r}", file=sys.stderr)


# ---------------------------------------------------------------- PostgreSQL


@dataclass
class Postgres:
    port: int
    password: str
    data: Path
    user: str = "airflow"
    database: str = "airflow"

    def url(self, driver: str = "postgresql+psycopg2") -> str:
        return f"{driver}://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.database}"

    def connect(self):
        import psycopg2

        return psycopg2.connect(
            host="127.0.0.1",
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=self.database,
            connect_timeout=10,
        )

    def query(self, sql: str, params=()) -> list[tuple]:
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        connection.close()
        return rows


def _server_account() -> dict:
    """`initdb` refuses to run as root: then run PostgreSQL as an unprivileged account."""
    if os.geteuid() != 0:
        return {}
    for name in ("postgres", "nobody"):
        try:
            account = pwd.getpwnam(name)
        except KeyError:
            continue
        return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    raise RuntimeError("running as root and no unprivileged account (postgres, nobody) to run PostgreSQL")


def start_postgres(stack: Stack, pg_bin: Path, timeout: float = 90) -> Postgres:
    account = _server_account()
    # Its own folder under /tmp, not under the test's tmp_path (mode 0700, owned by root).
    home = Path(tempfile.mkdtemp(prefix="chiso-pg-"))
    stack.cleanups.append(lambda: shutil.rmtree(home, ignore_errors=True))
    password = secrets.token_hex(16)
    (home / "pw").write_text(password)
    (home / "sockets").mkdir()
    if account:
        for path in (home, home / "pw", home / "sockets"):
            os.chown(path, account["user"], account["group"])
    data, log, port = home / "data", home / "postgres.log", free_port()

    def run(*argv, t=60):
        return subprocess.run(
            [str(pg_bin / argv[0]), *argv[1:]], cwd=home, capture_output=True, text=True, timeout=t, **account
        )

    init = run(
        "initdb",
        "-D",
        str(data),
        "-U",
        "airflow",
        "--auth=scram-sha-256",
        f"--pwfile={home / 'pw'}",
        "-E",
        "UTF8",
        "--no-locale",
        "--no-sync",
        "--no-instructions",
    )
    if init.returncode:
        raise RuntimeError(f"initdb failed ({init.returncode}):\n{init.stdout}\n{init.stderr}")
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={home / 'sockets'}"
        " -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    started = run(
        "pg_ctl", "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", str(int(timeout)), "start", t=timeout + 10
    )

    def stop() -> None:
        result = run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop", t=40)
        pid_file = data / "postmaster.pid"
        if result.returncode and pid_file.exists():  # pg_ctl could not stop it: do it by hand
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)

    stack.cleanups.append(stop)
    if started.returncode:
        raise RuntimeError(f"pg_ctl start failed ({started.returncode}):\n{started.stderr}\n{tail_of(log)}")
    postgres = Postgres(port, password, data)
    env = {**os.environ, "PGPASSWORD": password}
    create = subprocess.run(
        [str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "airflow", "airflow"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if create.returncode:
        raise RuntimeError(f"createdb failed: {create.stderr}")
    wait_for("PostgreSQL accepts connections", lambda: postgres.query("select 1"), 30, log=log)
    return postgres


# ---------------------------------------------------------------- Redis


@dataclass
class Redis:
    port: int
    password: str

    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        """AUTH then PING, in Redis's wire protocol (no client library needed)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            sock.sendall(f"AUTH {self.password}\r\nPING\r\n".encode())
            reply = b""
            while reply.count(b"\r\n") < 2:
                chunk = sock.recv(256)
                if not chunk:
                    break
                reply += chunk
        return reply == b"+OK\r\n+PONG\r\n"


def start_redis(stack: Stack, redis_server: str, timeout: float = 30) -> Redis:
    home = stack.root / "redis"
    home.mkdir(parents=True)
    port, password = free_port(), secrets.token_hex(16)
    service = stack.start(
        "redis",
        [
            redis_server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--protected-mode",
            "yes",
            "--requirepass",
            password,
            "--dir",
            str(home),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ],
        os.environ.copy(),
    )
    redis = Redis(port, password)
    wait_for("Redis answers PING", lambda: service.alive() and redis.ping(), timeout, log=service.log)
    return redis


# ---------------------------------------------------------------- Airflow

HOSTNAME_MODULE = '''"""Airflow [core] hostname_callable for the tests: each worker's name from its environment."""
import os
import socket


def hostname():
    return os.environ.get("CHISO_TEST_HOSTNAME") or socket.getfqdn()
'''


def airflow_settings(api_port: int, *, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The Airflow settings that matter to get a dead worker's task retried within a minute.

    * [scheduler] task_instance_heartbeat_timeout (default 300 s): a running task whose
      supervisor stopped heartbeating for this long is failed by the scheduler and, with
      retries left, put up for retry. The supervisor heartbeats every
      [workers] min_heartbeat_interval (5 s), so 30 s is safe.
    * [scheduler] task_instance_heartbeat_timeout_detection_interval (default 10 s): how
      often the scheduler looks for such tasks.
    * the DAG's retry_delay (20 s in dags/chiso_ingest.py) then applies.
    * [celery] task_acks_late stays True (the provider's default): a task's message is
      acknowledged only when it ends, so a worker that dies mid-task does not ack it. With
      Redis the unacked message comes back only after the broker's visibility_timeout
      (provider default 86400 s); Airflow's heartbeat timeout retries the task long before,
      as a new try with a new task-instance id, so a late redelivery of the old message is
      refused by the Execution API instead of running the chunk twice.
    """
    base_url = f"http://127.0.0.1:{api_port}"
    return {
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__BASE_URL": base_url,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base_url}/execution/",
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
        **(extra or {}),
    }


@dataclass
class Airflow:
    """Airflow's components as separate processes of one `Stack`, configured as docker-compose.yml."""

    stack: Stack
    env: dict[str, str]
    api_port: int
    postgres: Postgres
    redis: Redis

    @property
    def home(self) -> Path:
        return Path(self.env["AIRFLOW_HOME"])

    def cli(self, *args: str, timeout: float = 180, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(VENV_BIN / "airflow"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.stack.root,
        )
        if check and result.returncode:
            raise RuntimeError(
                f"airflow {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr[-4000:]}"
            )
        return result

    def start(self, name: str, *args: str, env: dict[str, str] | None = None) -> Service:
        return self.stack.start(
            name, [str(VENV_BIN / "airflow"), *args], {**self.env, **(env or {})}, cwd=self.stack.root
        )

    def start_worker(self, name: str, queue: str, concurrency: int) -> Service:
        """A Celery worker; its node name and the hostname it records on task instances are `name`."""
        return self.start(
            f"worker-{name}",
            "celery",
            "worker",
            "--queues",
            queue,
            "--concurrency",
            str(concurrency),
            "--celery-hostname",
            f"{name}@%h",
            "--skip-serve-logs",
            "--without-gossip",
            "--without-mingle",
            env={"CHISO_TEST_HOSTNAME": name},
        )

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

        api = next(s for s in self.stack.services if s.name == "api-server")
        return wait_for("Airflow components healthy (/api/v2/monitor/health)", all_healthy, timeout, 1, log=api.log)

    def wait_dag(self, dag_id: str, timeout: float = 180) -> None:
        processor = next(s for s in self.stack.services if s.name == "dag-processor")
        wait_for(
            f"DAG {dag_id} parsed",
            lambda: self.postgres.query("select 1 from dag where dag_id = %s and not is_stale", (dag_id,)),
            timeout,
            1,
            log=processor.log,
        )


def start_airflow(
    stack: Stack,
    postgres: Postgres,
    redis: Redis,
    chiso_env: dict[str, str],
    extra_settings: dict[str, str] | None = None,
) -> Airflow:
    """`airflow db migrate`, the pool, then api-server, scheduler, dag-processor and triggerer.

    The Celery workers are started by the test (`Airflow.start_worker`), so that it can kill
    and restart them.
    """
    home = stack.root / "airflow"
    (stack.root / "pythonpath").mkdir(parents=True, exist_ok=True)
    (stack.root / "pythonpath" / "chiso_test_hostname.py").write_text(HOSTNAME_MODULE)
    api_port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "CHISO_"))},
        "AIRFLOW_HOME": str(home),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(stack.root / "pythonpath"),
        # docker-compose.yml's x-airflow-common
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": postgres.url(),
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + postgres.url(),
        "AIRFLOW__CELERY__BROKER_URL": redis.url(),
        "AIRFLOW__CORE__FERNET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
        "AIRFLOW__API__SECRET_KEY": secrets.token_hex(32),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "true",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "true",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": "127.0.0.1",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(free_port()),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "simple_auth_manager_passwords.json"),
        # the worker's name on task instances (task_instance.hostname)
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "chiso_test_hostname.hostname",
        "CHISO_LOADER_QUEUE": LOADER_QUEUE,
        **airflow_settings(api_port, extra=extra_settings),
        **chiso_env,
    }
    airflow = Airflow(stack, env, api_port, postgres, redis)
    home.mkdir(parents=True, exist_ok=True)
    airflow.cli("db", "migrate", timeout=600)
    airflow.cli("pools", "set", *POOL)
    airflow.start("api-server", "api-server", "--host", "127.0.0.1", "--port", str(api_port))
    airflow.start("scheduler", "scheduler", "--skip-serve-logs")
    airflow.start("dag-processor", "dag-processor")
    airflow.start("triggerer", "triggerer", "--skip-serve-logs")
    return airflow


def listening_sockets(pids: set[int]) -> list[str]:
    """Local addresses the given processes listen on (TCP), from `ss`; [] when ss is missing."""
    if not shutil.which("ss"):
        return []
    out = subprocess.run(["ss", "-Htlnp"], capture_output=True, text=True, timeout=10).stdout
    found = []
    for line in out.splitlines():
        if any(f"pid={pid}," in line for pid in pids):
            found.append(line.split()[3])
    return found
