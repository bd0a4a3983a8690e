"""Least privilege: the analysts' path cannot change anything; no secret lives in the repository."""

from __future__ import annotations

import hashlib
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from builders import PROJECT_ROOT
from chiso.context import RunContext
from core.settings import load_settings


@pytest.fixture(scope="module")
def published(tmp_path_factory, rel):
    """A loaded warehouse and its published snapshot (the seed files)."""
    from chiso.pipeline import inbox_destinations, ingest_paths

    home = tmp_path_factory.mktemp("privilege") / "home"
    rel.write_seed(home / "inbox")
    settings = load_settings(home=home)
    ingest_paths(
        [settings.inbox],
        RunContext.of(settings, as_of=date.fromisoformat(rel.AS_OF)),
        destinations=inbox_destinations(settings),
        publish_snapshot=True,
    )
    return home, settings


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "statement",
    [
        "insert into submission_records select * from submission_records",
        "delete from indicator_facts",
        "update submission_records set status = 'rejected'",
        "drop table submissions",
        "create table notes (note varchar)",
        "attach '{warehouse}' as loader; delete from loader.indicator_facts",
    ],
    ids=["insert", "delete", "update", "drop", "create", "attach-the-loader-warehouse"],
)
def test_chiso_query_refuses_to_change_the_snapshot(statement, published, rel):
    home, settings = published
    before = (_digest(settings.snapshot), _digest(settings.warehouse))
    result = rel.chiso(home, "query", statement.format(warehouse=settings.warehouse), timeout=60)
    assert result.returncode == 2
    if statement.startswith("attach"):  # refused as read-only, or (file access off) not even opened
        assert result.stderr.startswith("chiso: error:") and re.search("read-only|disabled", result.stderr)
    else:
        assert result.stderr.startswith("chiso: error: the analysts' warehouse is read-only")
    assert "Traceback" not in result.stderr
    assert (_digest(settings.snapshot), _digest(settings.warehouse)) == before
    assert rel.chiso(home, "query", "select count(*) from indicator_values", timeout=60).returncode == 0


def test_chiso_query_cannot_write_files(published, rel, tmp_path):
    home, _ = published
    target = tmp_path / "written-by-an-analyst-query.csv"
    result = rel.chiso(home, "query", f"copy (select * from submissions) to '{target}'", timeout=60)
    assert result.returncode == 2 and not target.exists()


def test_the_snapshot_file_is_read_only(published):
    _home, settings = published
    assert settings.snapshot.stat().st_mode & 0o777 == 0o444
    from chiso.pipeline import publish_snapshot

    publish_snapshot(settings)  # republished: still 0444
    assert settings.snapshot.stat().st_mode & 0o777 == 0o444


# --------------------------------------------------------------------------- secrets

SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "AWS secret key": re.compile(r"(?i)aws_secret_access_key\W{0,4}[=:]\s*['\"]?[A-Za-z0-9/+]{40}"),
    # 32 random bytes in URL-safe base64, as `Fernet.generate_key()` writes them
    "Fernet key": re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}=(?![A-Za-z0-9_=-])"),
    "quoted secret": re.compile(
        r"(?i)\b(?P<name>\w*(?:password|passwd|secret|token|api_key|fernet_key)\w*)['\"]?\s*[:=]\s*['\"](?P<value>[^'\"\s]{8,})['\"]"
    ),
    "assigned secret": re.compile(
        r"(?im)^\s*(?:export\s+)?(?P<name>\w*(?:PASSWORD|SECRET|TOKEN|FERNET_KEY)\w*)\s*[=:]\s*(?P<value>[^\s#'\"()\[\],]{4,})\s*$"
    ),
    "credentials in a URL": re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:(?P<value>[^@\s/'\"]+)@"),
}


# A deliberate test credential says so on its line, as detect-secrets spells it.
ALLOWLISTED = "pragma: allowlist secret"


def _placeholder(match: re.Match) -> bool:
    """Values that name a secret without being one: REPLACE_ME…, ${VAR…}, <…>, a *_FILE path, a number
    (a limit such as MAX_PASSWORD_CHARS = 1024), an allowlisted line."""
    line_end = match.string.find("\n", match.end())
    if ALLOWLISTED in match.string[match.start() : line_end if line_end >= 0 else None]:
        return True
    groups = match.groupdict()
    value = groups.get("value")
    if value is None:
        return False
    if groups.get("name", "").upper().endswith(("_FILE", "_PATH", "_DIR")):
        return True
    if value.replace("_", "").isdigit():
        return True
    return value.startswith(("REPLACE_ME", "${", "$", "<", "{{")) or value.strip("*x.") == ""


def find_secrets(text: str) -> list[str]:
    return [
        f"{kind}: {match.group(0).strip()[:60]}"
        for kind, pattern in SECRET_PATTERNS.items()
        for match in pattern.finditer(text)
        if not _placeholder(match)
    ]


def _repository_files() -> list[Path]:
    """Committed files and the ones about to be (untracked, not ignored)."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [PROJECT_ROOT / name for name in out.split("\0") if name and (PROJECT_ROOT / name).is_file()]


def test_the_secret_scanner_sees_planted_secrets():
    # Built at run time, so this file holds none of them literally.
    fernet = "Zm9vYmFyYmF6cXV4" * 2 + "Zm9vYmFyYmF6q" + "="
    samples = [
        "-----BEGIN " + "RSA PRIVATE KEY-----",
        "aws_access_key_id = " + "AKIA" + "IOSFODNN7EXAMPLE",
        "aws_secret_access_key = " + "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AIRFLOW__CORE__FERNET_KEY: " + fernet,
        "connect(password=" + "'hunter2hunter2')",
        "POSTGRES_PASSWORD=" + "s3cr3tvalue",
        "REDIS_PASSWORD=" + "12345678a",
        "postgresql://airflow:" + "s3cr3t@postgres/airflow",
    ]
    for sample in samples:
        assert find_secrets(sample), sample
    for harmless in [
        "POSTGRES_PASSWORD=REPLACE_ME_postgres_password",
        "password: ${POSTGRES_PASSWORD:?set it}",
        "PASSWORDS_FILE: /opt/airflow/auth/passwords.json",
        "redis://:${REDIS_PASSWORD:?x}@redis:6379/0",
        "token = new_token()",  # code, not a value
        "password=self.password,",
        'data = {"password": "short"}',  # too short to be a real secret
        "MAX_PASSWORD_CHARS = 1024",  # a limit, not a value
        'PASSWORD = "' + 'test-only-words"  # ' + ALLOWLISTED,
    ]:
        assert find_secrets(harmless) == [], harmless


def test_no_secret_in_the_repository():
    found = []
    files = _repository_files()
    assert len(files) > 50
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary: workbooks, images
        found += [f"{path.relative_to(PROJECT_ROOT)}: {hit}" for hit in find_secrets(text)]
    assert found == []


def test_env_file_is_ignored_and_not_committed():
    assert subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=PROJECT_ROOT).returncode == 0
    tracked = subprocess.run(["git", "ls-files", ".env", "*.env"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert tracked.stdout == ""


def test_compose_takes_every_secret_from_the_environment():
    compose = (PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    secrets = [
        "POSTGRES_PASSWORD",
        "REDIS_PASSWORD",
        "AIRFLOW_FERNET_KEY",
        "AIRFLOW_JWT_SECRET",
        "AIRFLOW_API_SECRET_KEY",
    ]
    for name in secrets:
        uses = re.findall(r"\$\{" + name + r"([^}]*)\}", compose)
        assert uses, f"{name} is not used"
        assert all(use.startswith(":?") for use in uses), f"{name} must be required (${{{name}:?...}}): {uses}"
    # and any other variable that looks like a secret is required too, never defaulted
    for name, rest in re.findall(r"\$\{(\w*(?:PASSWORD|SECRET|FERNET|TOKEN)\w*)([^}]*)\}", compose):
        assert rest.startswith(":?"), name
