"""Helpers of the notices' tests: the portal's accounts file, and reading the messages received."""

from __future__ import annotations

import sqlite3
from pathlib import Path

PORTAL = "https://baocao.hagiang.example"
ACCOUNTS_SCHEMA = """
create table accounts (
    account_id integer primary key, email text not null unique, unit_code text not null,
    role text not null check (role in ('unit', 'province')), name text, password_hash text,
    created_at text not null, disabled_at text
)
"""


def write_accounts(path: Path, accounts: list[tuple]) -> None:
    """The portal's accounts file: (email, unit_code, role, name, disabled_at)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute(ACCOUNTS_SCHEMA)
        db.executemany(
            "insert into accounts (email, unit_code, role, name, created_at, disabled_at)"
            " values (?, ?, ?, ?, '2017-01-01T00:00:00', ?)",
            accounts,
        )


def by_unit(messages) -> dict:
    return {message["X-Chiso-Unit"]: message for message in messages}


def parts(message) -> tuple[str, str]:
    """The plain-text and the HTML part, decoded."""
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
