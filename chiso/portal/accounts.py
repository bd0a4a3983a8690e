"""The portal's accounts, sessions, API tokens and set-password links, in their own SQLite file.

One connection per operation (SQLite in WAL mode serves the server's threads and the CLI at
once). Every token is looked up by its SHA-256; a disabled account's sessions and tokens stop
working at once because every look-up joins `accounts` on `disabled_at is null`.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chiso.portal.security import hash_password, new_token, token_digest, verify_password
from core.text import unit_code

SCHEMA = Path(__file__).resolve().parent / "sql" / "accounts_schema.sql"
ROLES = ("unit", "province")
SESSION_HOURS = 12
LINK_HOURS = 72
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_ACCOUNT_COLUMNS = "accounts.account_id, email, unit_code, role, name"


class AccountError(ValueError):
    """An account cannot be made or changed as asked; the message says why."""


@dataclass(frozen=True)
class Account:
    account_id: int
    email: str
    unit_code: str
    role: str
    name: str | None

    @property
    def is_province(self) -> bool:
        return self.role == "province"

    def may_see(self, unit_code: str | None) -> bool:
        return self.is_province or (unit_code is not None and unit_code == self.unit_code)


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _later(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat(timespec="seconds")


def catalog_unit(units: dict, text: str) -> str | None:
    """The catalog's code for a unit as typed: as written (`02`, the province), or as a file's code
    is read (`26` is district `026`); None when the catalog has no such unit."""
    for code in (text.strip().upper(), unit_code(text)):
        if code in units:
            return code
    return None


def normal_email(email: str) -> str:
    return email.strip().lower()


class Accounts:
    """The accounts file at `path` (created with its schema on first use, readable by its owner only)."""

    def __init__(self, path: Path):
        self.path = path
        self._ready = False

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self._create()
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            connection.execute("pragma foreign_keys = on")
            yield connection
        finally:
            connection.close()

    def _create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))  # password hashes: owner only
        with sqlite3.connect(self.path, timeout=30) as connection:
            connection.execute("pragma journal_mode = wal")
            connection.executescript(SCHEMA.read_text(encoding="utf-8"))
        self._ready = True

    # ---------------------------------------------------------------- accounts

    def add(self, email: str, unit_code: str, role: str = "unit", name: str | None = None) -> Account:
        email = normal_email(email)
        if not _EMAIL.fullmatch(email):
            raise AccountError(f"{email!r} is not an e-mail address")
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        with self.connect() as db:
            try:
                cursor = db.execute(
                    "insert into accounts (email, unit_code, role, name, created_at) values (?, ?, ?, ?, ?)",
                    [email, unit_code, role, name, now_text()],
                )
            except sqlite3.IntegrityError:
                raise AccountError(f"an account for {email} exists already") from None
        return Account(cursor.lastrowid, email, unit_code, role, name)

    def by_email(self, email: str, *, enabled_only: bool = True) -> Account | None:
        condition = " and disabled_at is null" if enabled_only else ""
        with self.connect() as db:
            row = db.execute(
                f"select {_ACCOUNT_COLUMNS} from accounts where email = ?{condition}", [normal_email(email)]
            ).fetchone()
        return Account(*row) if row else None

    def listing(self) -> list[tuple[Account, str | None]]:
        """Every account, with the time it was disabled (None: enabled)."""
        with self.connect() as db:
            rows = db.execute(f"select {_ACCOUNT_COLUMNS}, disabled_at from accounts order by unit_code, email")
            return [(Account(*row[:-1]), row[-1]) for row in rows.fetchall()]

    def existing(self, email: str) -> Account:
        account = self.by_email(email, enabled_only=False)
        if account is None:
            raise AccountError(f"no account for {normal_email(email)}")
        return account

    def disable(self, email: str) -> Account:
        account = self.existing(email)
        with self.connect() as db:
            db.execute(
                "update accounts set disabled_at = coalesce(disabled_at, ?) where account_id = ?",
                [now_text(), account.account_id],
            )
            db.execute("delete from sessions where account_id = ?", [account.account_id])
        return account

    # ---------------------------------------------------------------- passwords

    def set_password(self, account_id: int, password: str) -> None:
        password_hash = hash_password(password)
        with self.connect() as db:
            db.execute("update accounts set password_hash = ? where account_id = ?", [password_hash, account_id])
            db.execute("delete from sessions where account_id = ?", [account_id])  # a new password ends old sessions

    def authenticate(self, email: str, password: str) -> Account | None:
        """The enabled account whose password this is; the same work is done for an unknown e-mail."""
        with self.connect() as db:
            row = db.execute(
                f"select {_ACCOUNT_COLUMNS}, password_hash from accounts where email = ? and disabled_at is null",
                [normal_email(email)],
            ).fetchone()
        stored = row[-1] if row else None
        return Account(*row[:-1]) if verify_password(password, stored) and row else None

    def password_link(self, account_id: int) -> str:
        """A one-time token for the set-password page, valid LINK_HOURS."""
        token = new_token()
        with self.connect() as db:
            db.execute(
                "insert into password_links values (?, ?, ?, ?, null)",
                [token_digest(token), account_id, now_text(), _later(LINK_HOURS)],
            )
        return token

    def link_account(self, token: str) -> Account | None:
        with self.connect() as db:
            row = db.execute(
                f"select {_ACCOUNT_COLUMNS} from password_links join accounts using (account_id)"
                " where link_digest = ? and used_at is null and expires_at > ? and disabled_at is null",
                [token_digest(token), now_text()],
            ).fetchone()
        return Account(*row) if row else None

    def redeem_link(self, token: str, password: str) -> Account | None:
        """Set the password through a link, once: a second use finds the link spent."""
        account = self.link_account(token)
        if account is None:
            return None
        with self.connect() as db:
            spent = db.execute(
                "update password_links set used_at = ? where link_digest = ? and used_at is null",
                [now_text(), token_digest(token)],
            ).rowcount
        if not spent:
            return None
        self.set_password(account.account_id, password)
        return account

    # ---------------------------------------------------------------- API tokens and sessions

    def new_api_token(self, account_id: int) -> str:
        token = new_token("chiso_")
        with self.connect() as db:
            db.execute("insert into api_tokens values (?, ?, ?)", [token_digest(token), account_id, now_text()])
        return token

    def by_api_token(self, token: str) -> Account | None:
        with self.connect() as db:
            row = db.execute(
                f"select {_ACCOUNT_COLUMNS} from api_tokens join accounts using (account_id)"
                " where token_digest = ? and disabled_at is null",
                [token_digest(token)],
            ).fetchone()
        return Account(*row) if row else None

    def new_session(self, account_id: int) -> str:
        token = new_token()
        with self.connect() as db:
            db.execute("delete from sessions where expires_at <= ?", [now_text()])
            db.execute(
                "insert into sessions values (?, ?, ?, ?, ?)",
                [token_digest(token), account_id, new_token(), now_text(), _later(SESSION_HOURS)],
            )
        return token

    def session(self, token: str) -> tuple[Account, str] | None:
        """The account of a live session and the session's CSRF token."""
        with self.connect() as db:
            row = db.execute(
                f"select {_ACCOUNT_COLUMNS}, csrf_token from sessions join accounts using (account_id)"
                " where session_digest = ? and expires_at > ? and disabled_at is null",
                [token_digest(token), now_text()],
            ).fetchone()
        return (Account(*row[:-1]), row[-1]) if row else None

    def end_session(self, token: str) -> None:
        with self.connect() as db:
            db.execute("delete from sessions where session_digest = ?", [token_digest(token)])
