"""Checks of the scale-out deployment: docker-compose.yml, .env.example and Dockerfile.

No Docker engine runs on the development machines or in CI, so the stack is checked
without starting it:

* against the official Compose JSON Schema (tests/deploy/data/compose-spec.json);
* by a real Compose implementation (`docker-compose ... settings`), which parses,
  merges and interpolates the file as `docker compose up` would;
* by structural assertions on what the DuckDB single-writer rule and the secret
  handling depend on (docs/deployment.md explains them).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml
from needs import program

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "compose-spec.json"

AIRFLOW_SERVICES = {
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "airflow-loader",
}
LONG_RUNNING = AIRFLOW_SERVICES - {"airflow-init"}
SECRETS = {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|(^|_)KEY($|_)|AUTH")
DATA_MOUNTS = {"inbox", "archive", "quarantine", "warehouse", "reports"}

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}, ...
BRACED = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")
UNBRACED = re.compile(r"\$(?P<name>[A-Za-z_][A-Za-z0-9_]*)")


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def compose_text() -> str:
    return COMPOSE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose(compose_text: str) -> dict:
    return yaml.safe_load(compose_text)


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def read_env_example() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep, f".env.example: not NAME=value: {line!r}"
        assert name not in values, f".env.example lists {name} twice"
        values[name] = value
    return values


def strings(node: object) -> list[str]:
    """Every string (keys included) of a parsed YAML document: what Compose interpolates."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in strings(k) + strings(v)]
    if isinstance(node, list):
        return [s for item in node for s in strings(item)]
    return [node] if isinstance(node, str) else []


def interpolations(compose: dict) -> list[re.Match]:
    """Every ${...} of a Compose file, `$$` (a literal `$`) excepted; comments are not read."""
    return [m for text in strings(compose) for m in BRACED.finditer(text.replace("$$", ""))]


def command_args(service: dict) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


def option(args: list[str], *names: str) -> str | None:
    for i, arg in enumerate(args):
        for name in names:
            if arg == name and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def mounts(service: dict) -> dict[str, tuple[str, str]]:
    """target -> (source, mode) of a service's short-syntax volumes."""
    result = {}
    for volume in service.get("volumes", []):
        assert isinstance(volume, str), f"long-syntax volume not handled by these tests: {volume!r}"
        parts = volume.split(":")
        # The source may itself be ${VAR:-default}: rejoin it.
        if parts[0].startswith("${"):
            while not parts[0].endswith("}"):
                parts[0:2] = [parts[0] + ":" + parts[1]]
        source, target, *rest = parts
        result[target] = (source, rest[0] if rest else "rw")
    return result


# ---------------------------------------------------------------- (a) schema


def test_compose_file_validates_against_the_compose_spec_schema(compose: dict) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    # The schema declares "https://json-schema.org/draft-07/schema", a spelling of the
    # draft-07 URI that jsonschema does not map by itself.
    assert "draft-07" in schema["$schema"], schema["$schema"]
    validator_class = jsonschema.Draft7Validator
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_schema_validation_catches_a_broken_file(compose: dict) -> None:
    """The schema check above is not vacuous: a typo in a service key fails it."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    broken = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    broken["services"]["airflow-loader"]["depend_on"] = broken["services"]["airflow-loader"].pop("depends_on")
    assert not jsonschema.Draft7Validator(schema).is_valid(broken)


# ---------------------------------------------------------------- (b) variables and secrets


def test_every_variable_of_the_compose_file_is_in_env_example(compose: dict) -> None:
    used = {m["name"] for m in interpolations(compose)}
    bare = {m["name"] for text in strings(compose) for m in UNBRACED.finditer(text.replace("$$", ""))}
    assert not bare, f"use the ${{VAR}} form, not $VAR: {sorted(bare)}"
    listed = set(read_env_example())
    assert used - listed == set(), f"missing from .env.example: {sorted(used - listed)}"
    stale = {name for name in listed - used if not name.startswith("COMPOSE_")}
    assert not stale, f".env.example lists variables the compose file does not use: {sorted(stale)}"


def test_secrets_are_required_and_never_have_a_default(compose_text: str, compose: dict) -> None:
    # Comments included here: not even an example in a comment may show a default.
    for m in BRACED.finditer(compose_text.replace("$$", "")):
        if m["name"] in SECRETS:
            assert m["op"] == ":?", m[0]
    by_name: dict[str, list[re.Match]] = {}
    for m in interpolations(compose):
        by_name.setdefault(m["name"], []).append(m)
    looks_secret = {name for name in by_name if SECRET_NAME.search(name)}
    assert looks_secret <= SECRETS, f"secret-like variables not declared as secrets here: {looks_secret - SECRETS}"
    assert set(by_name) >= SECRETS, f"secrets the compose file does not use: {SECRETS - set(by_name)}"
    for name in SECRETS:
        for m in by_name[name]:
            assert m["op"] == ":?", f"{m[0]}: a secret must use ${{{name}:?message}} (required, no default)"
            assert m["arg"].strip(), f"{m[0]}: give the message that says how to set it"


def test_no_literal_secret_in_the_compose_file(services: dict) -> None:
    for service_name, service in services.items():
        environment = service.get("environment", {})
        assert isinstance(environment, dict), f"{service_name}: use the mapping form of environment"
        for key, value in environment.items():
            value = str(value)
            if SECRET_NAME.search(key) and not key.startswith("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER"):
                assert re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]+\}", value), f"{service_name}.{key} = {value!r}"
            # Credentials inside URLs come from a required variable too.
            for password in re.findall(r"://[^:/@\s]*:([^@\s]*)@", value):
                assert re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]+\}", password), f"{service_name}.{key}: literal password"


def test_env_example_secrets_are_placeholders_with_how_to_generate() -> None:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    values = read_env_example()
    for name in SECRETS:
        assert "REPLACE_ME" in values[name], f"{name} in .env.example must be a REPLACE_ME placeholder"
        index = next(i for i, line in enumerate(lines) if line.startswith(name + "="))
        comment = []
        for line in reversed(lines[:index]):
            if not line.startswith("#"):
                break
            comment.append(line)
        assert any("openssl rand" in c or "os.urandom" in c for c in comment), f"{name}: say how to generate it"


def test_init_refuses_placeholder_secrets(services: dict, tmp_path: Path) -> None:
    """airflow-init's own script, run with a placeholder left in the environment: it stops first."""
    script = command_args(services["airflow-init"])[0]
    env = {"PATH": os.environ["PATH"], "AIRFLOW__CORE__FERNET_KEY": "REPLACE_ME_fernet_key"}
    refused = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert refused.returncode == 1 and "REPLACE_ME" in refused.stderr
    assert not (tmp_path / "airflow.db").exists()  # nothing migrated


# ---------------------------------------------------------------- (c) what the services do

# tests/deploy/test_celery.py runs every service's command and healthcheck from this file; here,
# what holds without starting them.


def test_every_service_command_is_one_the_installed_airflow_knows(services: dict) -> None:
    for name in LONG_RUNNING:
        args = command_args(services[name])
        helped = subprocess.run(
            [str(Path(sys.executable).parent / args[0]), *args[1:], "--help"],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "AIRFLOW__CORE__LOAD_EXAMPLES": "false"},
        )
        assert helped.returncode == 0, (name, helped.stderr[-1500:])


def test_every_long_running_service_has_a_healthcheck_and_restarts(services: dict) -> None:
    for name in LONG_RUNNING:
        assert services[name]["healthcheck"]["test"], name
        assert services[name]["restart"] == "always", name
    # a service waited for as healthy has a healthcheck to wait on
    for name, service in services.items():
        for target, dependency in service.get("depends_on", {}).items():
            if dependency["condition"] == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target} to be healthy"


def test_the_loader_is_the_single_consumer_of_its_queue_one_task_at_a_time(services: dict) -> None:
    queue = services["airflow-loader"]["environment"]["CHISO_LOADER_QUEUE"]
    consumers = {
        name: option(command_args(service), "--concurrency", "-c")
        for name, service in services.items()
        if queue in (option(command_args(service), "--queues", "-q") or "").split(",")
    }
    assert consumers == {"airflow-loader": "1"}
    assert services["airflow-loader"].get("deploy", {}).get("replicas", 1) == 1  # never scaled


def test_dags_get_the_loader_queue_and_known_settings(services: dict) -> None:
    from core.settings import declared

    queue = option(command_args(services["airflow-loader"]), "--queues", "-q")
    known = {meta["env"] for _, _, meta, _ in declared()}
    for name in AIRFLOW_SERVICES:
        env = services[name]["environment"]
        # The DAG reads CHISO_LOADER_QUEUE when it is parsed (dag-processor) and run (workers).
        assert env["CHISO_LOADER_QUEUE"] == queue, name
        unknown = {key for key in env if key.startswith("CHISO_")} - known
        assert not unknown, f"{name}: not settings of core/settings.py: {sorted(unknown)}"


def test_dag_writers_are_pooled_and_routed_to_the_loader(services: dict, tmp_path: Path) -> None:
    """Parse dags/ with the compose environment: the tasks in the warehouse pool are exactly the
    tasks on the loader's queue, so every DuckDB writer runs on airflow-loader."""
    from core.settings import WAREHOUSE_POOL

    env = services["airflow-dag-processor"]["environment"]
    script = (
        "import json\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        "bag = DagBag(dag_folder='dags')\n"
        "print(json.dumps({'errors': {str(k): str(v) for k, v in bag.import_errors.items()},\n"
        "  'tasks': [[d.dag_id, t.task_id, t.queue, t.pool] for d in bag.dags.values() for t in d.tasks]}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
            "AIRFLOW_HOME": str(tmp_path / "airflow"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
            "CHISO_HOME": str(tmp_path / "data"),
            "CHISO_LOADER_QUEUE": env["CHISO_LOADER_QUEUE"],
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    parsed = json.loads(result.stdout.strip().splitlines()[-1])
    assert not parsed["errors"], parsed["errors"]
    pooled = {(dag, task) for dag, task, _queue, pool in parsed["tasks"] if pool == WAREHOUSE_POOL}
    routed = {(dag, task) for dag, task, queue, _pool in parsed["tasks"] if queue == env["CHISO_LOADER_QUEUE"]}
    assert pooled, "no task of dags/ uses the warehouse pool"
    assert pooled == routed, (
        f"pooled, not routed: {sorted(pooled - routed)}; routed, not pooled: {sorted(routed - pooled)}"
    )


def test_only_the_loader_writes_the_warehouse(services: dict) -> None:
    writers = []
    for name, service in services.items():
        for target, (_source, mode) in mounts(service).items():
            if target == "/data/warehouse" and "ro" not in mode.split(","):
                writers.append(name)
    assert writers == ["airflow-loader"]


def test_the_services_that_move_files_can_write_the_data_folders(services: dict) -> None:
    for name in ("airflow-worker", "airflow-loader"):
        targets = mounts(services[name])
        for folder in ("inbox", "archive", "quarantine"):
            assert targets[f"/data/{folder}"][1] == "rw", f"{name} moves files in /data/{folder}"
    # The monitoring DAG (default queue) writes its outputs on the general worker.
    assert mounts(services["airflow-worker"])["/data/reports"][1] == "rw"
    # The inbox watcher runs in the triggerer: it lists the inbox, never writes it.
    assert mounts(services["airflow-triggerer"])["/data/inbox"][1] == "ro"


def test_only_the_api_server_is_published_and_on_loopback(services: dict) -> None:
    published = {name: service["ports"] for name, service in services.items() if "ports" in service}
    assert list(published) == ["airflow-apiserver"]
    assert all(port.startswith("127.0.0.1:") for port in published["airflow-apiserver"])


def test_the_image_holds_every_package_the_wheel_ships(services: dict) -> None:
    """The Dockerfile copies each runtime package (pyproject's wheel packages), the catalog and the DAGs."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    copied = {part.rstrip("/") for line in text.splitlines() if line.startswith("COPY") for part in line.split()[1:-1]}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = set(project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
    assert packages | {"catalog", "dags"} <= copied, sorted(packages | {"catalog", "dags"} - copied)
    assert all((ROOT / source).exists() for source in copied), copied
    syncs = [line for line in text.splitlines() if line.startswith("RUN uv sync")]
    assert syncs and all("--frozen" in line and "--no-dev" in line for line in syncs)
    ignored = DOCKERIGNORE.read_text(encoding="utf-8").split()
    assert {".venv", "var", ".git", ".env"} <= set(ignored)


# ---------------------------------------------------------------- (d) a real Compose implementation


def _compose_bin() -> str:
    return program("docker-compose", install="apt-get install --no-install-recommends docker-compose")


def run_compose(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    # Only the given variables (nothing leaks from the caller's environment), and an
    # explicit --env-file so that a developer's own .env beside the compose file is not read.
    env_file = tmp_path / "compose.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()), encoding="utf-8")
    return subprocess.run(
        [_compose_bin(), "--env-file", str(env_file), "-f", str(COMPOSE_FILE), *args],
        cwd=ROOT,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_compose_implementation_accepts_the_file(tmp_path: Path) -> None:
    result = run_compose(tmp_path, read_env_example(), "config", "-q")
    assert result.returncode == 0, result.stderr + result.stdout


def test_compose_implementation_resolves_the_stack(tmp_path: Path) -> None:
    env = read_env_example() | {"CHISO_WAREHOUSE_DIR": "/srv/chiso/warehouse"}
    result = run_compose(tmp_path, env, "config")
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)["services"]
    assert set(resolved) >= AIRFLOW_SERVICES | {"postgres", "redis"}
    loader = resolved["airflow-loader"]
    assert [str(a) for a in loader["command"]] == [
        "airflow",
        "celery",
        "worker",
        "--queues",
        "chiso_loader",
        "--concurrency",
        "1",
    ]
    conn = loader["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert conn == f"postgresql+psycopg2://airflow:{env['POSTGRES_PASSWORD']}@postgres:5432/airflow"
    # A host path in CHISO_WAREHOUSE_DIR becomes a bind mount, read-write for the loader only.
    for name, service in resolved.items():
        for volume in service.get("volumes", []):
            if not isinstance(volume, str):  # long syntax (Compose v2 prints this form)
                volume = f"{volume.get('source')}:{volume.get('target')}:{'ro' if volume.get('read_only') else 'rw'}"
            text = volume
            if ":/data/warehouse" in text:
                assert text.startswith("/srv/chiso/warehouse:/data/warehouse"), text
                assert text.endswith(":rw") == (name == "airflow-loader"), f"{name}: {text}"


@pytest.mark.parametrize("secret", sorted(SECRETS))
def test_compose_implementation_refuses_a_missing_secret(tmp_path: Path, secret: str) -> None:
    env = {k: v for k, v in read_env_example().items() if k != secret}
    result = run_compose(tmp_path, env, "config", "-q")
    assert result.returncode != 0
    assert f"set {secret} in .env" in result.stderr + result.stdout
