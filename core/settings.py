"""Every setting of chiso, declared once: its variable, type, default and help.

`Settings` is the one declaration. Its fields' types are real types (read with
`typing.get_type_hints`), the CLI's `--help` and `docs/configuration.md` are generated
from the same fields (`chiso settings --markdown`; a test fails when the page drifts),
and a value that cannot be parsed stops with the variable's name and what it accepts.
"""

from __future__ import annotations

import os
import re
import typing
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path

# The checkout or site-packages folder that holds the packages and the catalog/ beside them.
INSTALL_ROOT = Path(__file__).resolve().parent.parent
# The Airflow Asset the ingest DAG updates and the monitoring DAG is scheduled on.
WAREHOUSE_ASSET = {"name": "chiso_warehouse", "uri": "chiso://warehouse/snapshot"}
# The one-slot Airflow pool every task that writes DuckDB takes, as `airflow pools set` takes it
# (name, slots, description): airflow-init, `make run` and the tests' metadata DB make it from this.
WAREHOUSE_POOL_DECLARED = ("chiso_warehouse", 1, "DuckDB single writer: every task that writes the warehouse")
WAREHOUSE_POOL = WAREHOUSE_POOL_DECLARED[0]


def _default_home() -> str:
    """`var/` of a source checkout; the user's data folder for an installed package."""
    if (INSTALL_ROOT / "pyproject.toml").exists():
        return str(INSTALL_ROOT / "var")
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(data_home) / "chiso")


class SettingError(ValueError):
    """A setting's value cannot be used; the message names the variable and what it accepts."""


def setting(
    env: str,
    default: object,
    help: str,
    minimum: int | None = None,
    shown: str | None = None,
    pattern: str | None = None,
    accepts: str | None = None,
):
    """A field of `Settings`: read from `env`, `default` when unset or empty.

    `{home}` in a path stands for CHISO_HOME; `shown` is how the docs print a default
    that depends on the machine; a text setting with a `pattern` (a regular expression the
    whole value must match) says what it `accepts` when it does not.
    """
    metadata = {"env": env, "help": help, "minimum": minimum, "shown": shown, "pattern": pattern, "accepts": accepts}
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Settings:
    home: Path = setting(
        "CHISO_HOME",
        _default_home(),
        "Root folder of the inbox, archive, quarantine, warehouse and outputs when they are not set one by one.",
        shown="`var/` of the checkout; `$XDG_DATA_HOME/chiso` when installed",
    )
    inbox: Path = setting(
        "CHISO_INBOX",
        "{home}/inbox",
        "Folder where reporting units' files arrive (searched recursively; names starting with `.` are ignored).",
    )
    archive: Path = setting(
        "CHISO_ARCHIVE",
        "{home}/archive",
        "Where processed files that were not rejected are moved: `<received month>/<submission id>_<file name>`.",
    )
    quarantine: Path = setting(
        "CHISO_QUARANTINE",
        "{home}/quarantine",
        "Where rejected files are moved, each with its bilingual `.reasons.txt` beside it.",
    )
    warehouse: Path = setting(
        "CHISO_WAREHOUSE",
        "{home}/warehouse/chiso.duckdb",
        "The loader's DuckDB file (one writer at a time, guarded by `chiso.duckdb.lock`).",
    )
    snapshot: Path = setting(
        "CHISO_SNAPSHOT",
        "{home}/warehouse/snapshot/chiso.duckdb",
        "The read-only copy analysts query; replaced atomically after each load.",
    )
    catalog_dir: Path = setting(
        "CHISO_CATALOG_DIR",
        str(INSTALL_ROOT / "catalog"),
        "Folder of the catalog CSV files: the plan's units, data sets, indicators, disaggregations, targets.",
        shown="the `catalog/` shipped with chiso",
    )
    reports: Path = setting(
        "CHISO_REPORTS",
        "{home}/reports",
        "Where the monitoring outputs (completeness CSVs, the HTML report) are written.",
    )
    max_file_bytes: int = setting(
        "CHISO_MAX_FILE_BYTES",
        20 * 1024 * 1024,
        "Files larger than this are rejected unread (a submission is a few dozen rows).",
        minimum=1,
    )
    reader_memory_mb: int = setting(
        "CHISO_READER_MEMORY_MB",
        128,
        "Memory cap (address space, MB) of each process that reads a received file: a file whose reading needs"
        " more is refused under rule 1, and the portal or loader goes on (a report at the template's bounds,"
        " 4,900 rows with 1,000-character notes, reads within 96 MB).",
        minimum=64,
    )
    reader_seconds: int = setting(
        "CHISO_READER_SECONDS",
        20,
        "Time limit for reading one received file (a real report takes well under a second): a file that takes"
        " longer is refused under rule 1 and its reader process replaced.",
        minimum=1,
    )
    reader_processes: int = setting(
        "CHISO_READER_PROCESSES",
        2,
        "Reader processes per server, loader or command: at most this many files are read at once (the portal"
        " queues the others, first come first served), so reading takes at most this times CHISO_READER_MEMORY_MB.",
        minimum=1,
    )
    portal_uploads_at_once: int = setting(
        "CHISO_PORTAL_UPLOADS_AT_ONCE",
        32,
        "Uploads (checks and sends) the portal takes in at once; beyond, it answers 503 with Retry-After instead"
        " of queueing (reading is CHISO_READER_PROCESSES at a time, first come first served).",
        minimum=1,
    )
    portal_uploads_per_account: int = setting(
        "CHISO_PORTAL_UPLOADS_PER_ACCOUNT",
        2,
        "Of those, how many one account may have in progress (a clerk checks, then sends): one unit's script"
        " cannot fill the slots every other clerk waits for.",
        minimum=1,
    )
    chunk_size: int = setting(
        "CHISO_CHUNK_SIZE",
        2000,
        "Files per chunk: one validation run (GX) and one load transaction each; one mapped Airflow task each."
        " A GX run costs about 0.2 s a suite whatever its size, so bigger chunks are cheaper per file;"
        " a failed chunk is retried whole.",
        minimum=1,
    )
    settle_seconds: int = setting(
        "CHISO_SETTLE_SECONDS",
        10,
        "A file copied into the inbox is judged once unchanged for this long: one still being copied in is never"
        " judged half-written. A file the portal sends is complete when it appears and is judged at once.",
        minimum=0,
    )
    schedule: str = setting("CHISO_SCHEDULE", "*/15 * * * *", "Cron schedule of the `chiso_ingest` DAG.")
    loader_queue: str = setting(
        "CHISO_LOADER_QUEUE",
        "default",
        "Airflow queue of the tasks that write DuckDB"
        " (with CeleryExecutor: the single-concurrency loader worker's queue, `chiso_loader`).",
    )
    accounts: Path = setting(
        "CHISO_ACCOUNTS",
        "{home}/portal/accounts.sqlite3",
        "The portal's accounts (SQLite): reporting units' and the province's users, hashed passwords, API tokens.",
    )
    portal_url: str = setting(
        "CHISO_PORTAL_URL",
        "",
        "The portal's address as the units reach it (e.g. `https://baocao.example.gov.vn`): notices link each file"
        " and report to its page there; empty: they say to e-mail the file to the province's contacts"
        " (`catalog/contacts.csv`). `make portal` sets it to its own address.",
    )
    portal_hashes: int = setting(
        "CHISO_PORTAL_HASHES",
        2,
        "Password hashes the portal computes at once (logins, new passwords): scrypt takes 64 MiB and ~0.2 s"
        " each, so this bounds the memory a burst of logins can take.",
        minimum=1,
    )
    portal_hash_wait: int = setting(
        "CHISO_PORTAL_HASH_WAIT",
        5,
        "Seconds a login waits for a free password-hash slot before the portal answers 503 with `Retry-After`.",
        minimum=0,
    )
    portal_action_wait: int = setting(
        "CHISO_PORTAL_ACTION_WAIT",
        10,
        "Seconds an approval action on the portal (approve, accept, return …) waits for the writer to record it"
        " before the page says it is being recorded and the API answers 202 with where to ask again; the writer"
        " (the `chiso_ingest` DAG, started by the inbox watcher) takes it within seconds.",
        minimum=0,
    )
    smtp_url: str = setting(
        "CHISO_SMTP_URL",
        "",
        "Where notices are sent: `smtp://host:port` (STARTTLS when offered), `smtps://host:port` (TLS), with"
        " `user:password@` for a login (over TLS only, or to a loopback address), `?timeout=10` (seconds) and"
        " `?cafile=` (a CA bundle); the engineers' alerts use it too; empty: notices are written as .eml files"
        " to CHISO_OUTBOX.",
    )
    smtp_from: str = setting(
        "CHISO_SMTP_FROM",
        "chiso <chiso@localhost>",
        "The sender of notices (`Name <address>`).",
    )
    outbox: Path = setting(
        "CHISO_OUTBOX",
        "{home}/outbox",
        "Where notices are written as .eml files when CHISO_SMTP_URL is empty.",
    )
    reminder_schedule: str = setting(
        "CHISO_REMINDER_SCHEDULE",
        "0 8 * * *",
        "Cron schedule of the `chiso_reminders` DAG, in the province's time (the plan's time zone):"
        " reminders before and after due dates, and the weekly digest on its first run of each week.",
    )
    notice_lease_minutes: int = setting(
        "CHISO_NOTICE_LEASE_MINUTES",
        60,
        "A notifier claims the notices it is about to send; a claim left by a notifier that died before"
        " recording what it sent is given up after this long, and those notices go again (at most once more).",
        minimum=0,
    )
    query_seconds: int = setting(
        "CHISO_QUERY_SECONDS",
        30,
        "`chiso query` stops a query that runs longer than this (seconds), so an analyst's query never holds"
        " the machine the loader shares.",
        minimum=1,
    )
    query_memory: str = setting(
        "CHISO_QUERY_MEMORY",
        "2GB",
        "The memory one `chiso query` may use (DuckDB's `memory_limit`, e.g. `500MB`, `2GB`); a query that needs"
        " more stops with a message, and nothing spills to disk.",
        pattern=r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)",
        accepts="a size such as 500MB or 2GB",
    )
    query_threads: int = setting(
        "CHISO_QUERY_THREADS",
        1,
        "Threads one `chiso query` may use (DuckDB's `threads`): the other cores stay the loader's.",
        minimum=1,
    )
    desk_seconds: int = setting(
        "CHISO_DESK_SECONDS",
        20,
        "The portal's SQL desk (its page and `POST /api/v1/query`) stops a query that runs longer than this"
        " (seconds); each query is held to CHISO_QUERY_MEMORY and CHISO_QUERY_THREADS, as `chiso query` is.",
        minimum=1,
    )
    desk_rows: int = setting(
        "CHISO_DESK_ROWS",
        10_000,
        "The most rows of one query the portal's SQL desk keeps, shows page by page and lets download (CSV, XLSX,"
        " Parquet); past it the answer says the result was cut.",
        minimum=1,
    )
    desk_queries_at_once: int = setting(
        "CHISO_DESK_QUERIES_AT_ONCE",
        2,
        "Queries the portal's SQL desk runs at once (per portal process); one more waits up to 2 s for its turn,"
        " then is answered 503 with `Retry-After`.",
        minimum=1,
    )
    portal_header_seconds: int = setting(
        "CHISO_PORTAL_HEADER_SECONDS",
        10,
        "The portal closes a connection whose request line and headers have not all arrived this long after it"
        " opened (or after the previous answer).",
        minimum=1,
    )
    portal_body_seconds: int = setting(
        "CHISO_PORTAL_BODY_SECONDS",
        120,
        "The portal answers 408 to a request whose body (a form, an upload) has not all arrived this long after"
        " its headers: at least CHISO_MAX_FILE_BYTES divided by this is the slowest upload taken.",
        minimum=1,
    )
    debug: int = setting(
        "CHISO_DEBUG",
        0,
        "1: the `chiso` command prints the full traceback of a failure it explains in one line (as `--debug`).",
        minimum=0,
    )
    airflow_home: Path = setting(
        "AIRFLOW_HOME",
        "{home}/airflow",
        "Airflow's own folder (metadata DB, logs) for `make run` and `make airflow`.",
    )
    fault: str = setting(
        "CHISO_FAULT",
        "",
        "For crash-safety tests only: `<point>[:<n>]:kill` (or `:raise`, or `:sleep<seconds>`) kills"
        " (or fails, or holds) the process at the n-th pass of a named fault point (`core/faults.py`).",
    )


def declared() -> list[tuple[str, type, dict, object]]:
    """(field name, type, metadata, default) of every setting, in declaration order."""
    types = typing.get_type_hints(Settings)
    return [(f.name, types[f.name], dict(f.metadata), f.default) for f in fields(Settings) if f.default is not MISSING]


def _parse(name: str, kind: type, meta: dict, text: str, home: str) -> object:
    if kind is Path:
        return Path(text.replace("{home}", home)).expanduser()
    if kind is int:
        try:
            number = int(text.replace("_", ""))
        except ValueError:
            raise SettingError(f"{meta['env']} must be a whole number, not {text!r}") from None
        if meta["minimum"] is not None and number < meta["minimum"]:
            raise SettingError(f"{meta['env']} must be at least {meta['minimum']}, not {number}")
        return number
    if meta.get("pattern") and not re.fullmatch(meta["pattern"], text.strip(), re.IGNORECASE):
        raise SettingError(f"{meta['env']} must be {meta['accepts']}, not {text!r}")
    return text.strip() if meta.get("pattern") else text


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with `overrides` (CLI flags, tests) on top; None means not given."""
    raw = {}
    for name, _, meta, default in declared():
        given = overrides.get(name)
        raw[name] = str(given) if given is not None else os.environ.get(meta["env"]) or str(default)
    home = str(_parse("home", Path, {}, raw["home"], ""))
    # Each value is of its setting's declared type (_parse converts by `kind`), which no checker can follow.
    values: dict[str, typing.Any] = {
        name: _parse(name, kind, meta, raw[name], home) for name, kind, meta, _ in declared()
    }
    return Settings(**values)


def markdown_table() -> str:
    """The settings table of docs/configuration.md."""
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for _, _, meta, default in declared():
        shown = meta["shown"] or (f"`{default}`" if default != "" else "(unset)")
        lines.append(f"| `{meta['env']}` | {shown} | {meta['help']} |")
    return "\n".join(lines)
