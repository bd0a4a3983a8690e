"""Real services for the deployment tests: PostgreSQL and Redis as local processes (cluster.py: Airflow).

No containers: each service is a child process of the test, in its own session (so its own
process group), bound to 127.0.0.1 on a free port, with its data in a temporary folder.
Every wait has a timeout, and `Stack.close()` stops everything it started (SIGTERM to each
process group, SIGKILL after a grace period), in reverse order, even when a test fails.

Airflow's components run as docker-compose.yml says (tests/deploy/cluster.py).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


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

        # Asked of the installed packages, not imported: importing Airflow here would configure it, once for the
        # whole process, from this process's environment, before the DAG tests give it their own AIRFLOW_HOME.
        importlib.metadata.distribution("apache-airflow-providers-celery")
    except (ImportError, importlib.metadata.PackageNotFoundError) as error:
        missing.append(f"the deploy extra ({error}; uv sync --frozen --extra deploy)")
    if missing:
        import needs  # tests/needs.py, there under pytest only: the latency bench imports this module too

        needs.missing("missing: " + "; ".join(missing))
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
        stop_together([self], grace)


def stop_together(services: list[Service], grace: float = 20) -> None:
    """SIGTERM to every service's process group at once, SIGKILL to what is left after `grace` s."""
    for service in services:
        signal_group(service.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for service in services:
        with contextlib.suppress(subprocess.TimeoutExpired):
            service.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        kill_tree(service.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            service.process.wait(timeout=10)


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
        # every service at once: one after another, a cluster's graceful shutdowns added 20 s to each test run
        stop_together(list(reversed(self.services)))
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
