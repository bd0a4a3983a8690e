"""The portal's accounts, sessions, API tokens and set-password links, in their own SQLite file.

One connection per operation (SQLite in WAL mode serves the server's threads and the CLI at
once). Every token is looked up by its SHA-256; a disabled account's sessions and tokens stop
working at once because every look-up joins `accounts` on `disabled_at is null`.
"""

from __future__ import annotations

import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.errors import HeaderParseError
from email.headerregistry import Address
from pathlib import Path

from core.kinds import ACCOUNT_ROLES
from core.text import unit_code
from portal.security import hash_password, new_token, token_digest, verify_password

SCHEMA = Path(__file__).resolve().parent / "sql" / "accounts_schema.sql"
ROLES = ACCOUNT_ROLES.codes
OWN_ROLES = ACCOUNT_ROLES.codes_where("own")
SESSION_HOURS = 12
LINK_HOURS = 72
TOKEN_ID_CHARS = 12
# An address notices can always carry: a dot-atom local part, a dotted domain name, ASCII only.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")
MAX_EMAIL_CHARS = 254
MAX_NAME_CHARS = 200
_ACCOUNT_COLUMNS = "accounts.account_id, email, unit_code, role, name"


class AccountError(ValueError):
    """An account cannot be made or changed as asked; the message says why."""


class AccountExists(AccountError):
    """`add` of an e-mail that has an account already."""


def address_problem(email: str) -> str | None:
    """Why `email` cannot be an account's address (None: it can).

    Only a plain `local@domain.tld` (RFC 5322 dot-atom, ASCII; an international domain in its
    `xn--` form): no quotes, angle brackets, comments, spaces or control characters — so that
    every accepted address goes into a notice's To header as it is, and no account stops a
    unit's notices.
    """
    if len(email) > MAX_EMAIL_CHARS:
        return f"an e-mail address has at most {MAX_EMAIL_CHARS} characters"
    if not _EMAIL.fullmatch(email):
        return (
            f"{email!r} is not a plain e-mail address"
            " (name@domain.example: no quotes, <>, spaces nor control characters)"
        )
    try:
        parsed = Address(addr_spec=email)
    except (ValueError, IndexError, HeaderParseError):
        return f"{email!r} is not an e-mail address"
    if parsed.addr_spec != email:
        return f"{email!r} is not an e-mail address"
    return None


def name_problem(name: str | None) -> str | None:
    """Why `name` cannot be an account's name (None: it can): no control or format characters, no line breaks."""
    if name is None:
        return None
    if len(name) > MAX_NAME_CHARS:
        return f"a name has at most {MAX_NAME_CHARS} characters"
    if any(unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") for c in name):
        return "a name may not hold control characters (line breaks, tabs, invisible marks)"
    return None


@dataclass(frozen=True)
class Account:
    account_id: int
    email: str
    unit_code: str
    role: str
    name: str | None

    @property
    def is_province(self) -> bool:
        return ACCOUNT_ROLES[self.role].sees_every_unit

    def approves(self, approval_role: str, unit_code: str, granted: set[str]) -> bool:
        """Whether the account, with its `granted` roles, takes an approval action of `approval_role`
        (core.kinds.APPROVAL_ACTIONS) on `unit_code`'s reports: a unit's roles act on that unit only."""
        held = [ACCOUNT_ROLES[role] for role in {self.role, *granted}]
        return any(
            role.approves == approval_role and (role.sees_every_unit or unit_code == self.unit_code) for role in held
        )

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
        name = name.strip() or None if name is not None else None
        problem = address_problem(email) or name_problem(name)
        if problem:
            raise AccountError(problem)
        if role not in OWN_ROLES:
            raise AccountError(f"role must be one of {', '.join(OWN_ROLES)}, not {role!r}")
        with self.connect() as db:
            try:
                cursor = db.execute(
                    "insert into accounts (email, unit_code, role, name, created_at) values (?, ?, ?, ?, ?)",
                    [email, unit_code, role, name, now_text()],
                )
            except sqlite3.IntegrityError:
                raise AccountExists(f"an account for {email} exists already") from None
        assert cursor.lastrowid is not None  # an insert into a rowid table sets it
        return Account(cursor.lastrowid, email, unit_code, role, name)

    def grant(self, email: str, role: str) -> Account:
        """Give an existing account a role on top of its own (a unit's clerk becomes its approver too)."""
        if role not in ROLES or role in OWN_ROLES:
            granted = ", ".join(code for code in ROLES if code not in OWN_ROLES)
            raise AccountError(f"a role granted on top of an account's own is one of {granted}, not {role!r}")
        account = self.existing(email)
        if account.is_province:
            raise AccountError(f"{account.email} is the province's: a unit's role is granted to that unit's account")
        with self.connect() as db:
            db.execute(
                "insert or ignore into account_grants (account_id, role, granted_at) values (?, ?, ?)",
                [account.account_id, role, now_text()],
            )
        return account

    def granted(self, account: Account) -> set[str]:
        """The roles granted to an account on top of its own."""
        with self.connect() as db:
            rows = db.execute("select role from account_grants where account_id = ?", [account.account_id])
            return {role for (role,) in rows.fetchall()}

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

    def enable(self, email: str) -> Account:
        """A disabled account works again (its old sessions stay ended; its API tokens, if not revoked, work)."""
        account = self.existing(email)
        with self.connect() as db:
            db.execute("update accounts set disabled_at = null where account_id = ?", [account.account_id])
        return account

    def move(self, email: str, unit_code: str, *, forced: bool = False) -> tuple[Account, str]:
        """Move an account to another unit (its sessions, tokens and granted roles follow it), recorded in
        `account_moves`; the account as it is now and the unit it left. Whether `unit_code` may be its
        unit (a successor of its old one) is the caller's to check."""
        account = self.existing(email)
        if unit_code == account.unit_code:
            raise AccountError(f"{account.email} is an account of unit {unit_code} already")
        with self.connect() as db:
            db.execute("begin immediate")
            db.execute("update accounts set unit_code = ? where account_id = ?", [unit_code, account.account_id])
            db.execute(
                "insert into account_moves (account_id, from_unit, to_unit, forced, moved_at) values (?, ?, ?, ?, ?)",
                [account.account_id, account.unit_code, unit_code, int(forced), now_text()],
            )
            db.execute("commit")
        return self.existing(email), account.unit_code

    def moves(self, email: str | None = None) -> list[tuple[str, str, str, bool, str]]:
        """(e-mail, from unit, to unit, forced, when) of every move, or of one account's, oldest first."""
        condition, values = ("where email = ?", [normal_email(email)]) if email else ("", [])
        with self.connect() as db:
            rows = db.execute(
                "select email, from_unit, to_unit, forced, moved_at from account_moves join accounts using (account_id)"
                f" {condition} order by move_id",
                values,
            ).fetchall()
        return [(row[0], row[1], row[2], bool(row[3]), row[4]) for row in rows]

    def disabled(self, account: Account) -> bool:
        return self.by_email(account.email) is None

    # ---------------------------------------------------------------- passwords

    def set_password(self, account_id: int, password: str) -> None:
        password_hash = hash_password(password)
        with self.connect() as db:
            db.execute("update accounts set password_hash = ? where account_id = ?", [password_hash, account_id])
            db.execute("delete from sessions where account_id = ?", [account_id])  # a new password ends old sessions

    def change_password(self, email: str, current: str, password: str) -> Account | None:
        """The logged-in owner's new password, once `current` is checked: every session of the account and
        every API token end (the caller starts a new session for the browser that asked)."""
        account = self.authenticate(email, current)
        if account is None:
            return None
        self.set_password(account.account_id, password)
        with self.connect() as db:
            db.execute("delete from api_tokens where account_id = ?", [account.account_id])
        return account

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

    def reset(self, email: str) -> tuple[Account, str]:
        """A new one-time link for an enabled account; its earlier open links stop working."""
        account = self.existing(email)
        if self.disabled(account):
            raise AccountError(f"{account.email} is disabled: `chiso accounts enable --email {account.email}` first")
        with self.connect() as db:
            db.execute(
                "update password_links set used_at = ? where account_id = ? and used_at is null",
                [now_text(), account.account_id],
            )
        return account, self.password_link(account.account_id)

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

    def api_tokens(self, email: str | None = None) -> list[tuple[str, Account, str]]:
        """(token id, account, created at) of every API token, or of one account's; the id is the start of
        the token's SHA-256 (`printf %s "$TOKEN" | sha256sum | cut -c1-12`), nothing of the token itself."""
        condition, values = ("where email = ?", [normal_email(email)]) if email else ("", [])
        with self.connect() as db:
            rows = db.execute(
                f"select substr(token_digest, 1, {TOKEN_ID_CHARS}), {_ACCOUNT_COLUMNS}, api_tokens.created_at"
                f" from api_tokens join accounts using (account_id) {condition} order by email, api_tokens.created_at",
                values,
            ).fetchall()
        return [(row[0], Account(*row[1:-1]), row[-1]) for row in rows]

    def revoke_tokens(self, *, token_id: str | None = None, email: str | None = None) -> int:
        """Revoke one token (by its id, at least 8 characters of it) or every token of an account; how many."""
        if token_id is not None:
            token_id = token_id.strip().lower()
            if not re.fullmatch(r"[0-9a-f]{8,64}", token_id):
                raise AccountError(f"{token_id!r} is not a token id (the first hex characters `token list` shows)")
            with self.connect() as db:
                found = db.execute(
                    "select count(*) from api_tokens where token_digest like ?", [f"{token_id}%"]
                ).fetchone()[0]
                if found > 1:
                    raise AccountError(f"{token_id} names {found} tokens: give more of its characters")
                return db.execute("delete from api_tokens where token_digest like ?", [f"{token_id}%"]).rowcount
        account = self.existing(email or "")
        with self.connect() as db:
            return db.execute("delete from api_tokens where account_id = ?", [account.account_id]).rowcount

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
