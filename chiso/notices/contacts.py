"""Who is told: the catalog's contacts, and the portal's enabled accounts.

The catalog (`contacts.csv`) names each unit's official addresses, the province's and the data
engineers'. The portal's accounts (an SQLite file built by the portal) add the address of every
enabled account: a unit's users get their unit's notices, the province's users the digest.
Replies go to the catalog's province addresses only (role addresses), never to a login: a
login e-mail printed in every unit's mail would invite wrong-password attempts on it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from chiso.portal.accounts import address_problem, name_problem
from core.catalog import Catalog

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str

    def as_dict(self) -> dict:
        return {"email": self.email, "name": self.name}


@dataclass(frozen=True)
class Contact:
    unit_code: str
    email: str
    name: str
    role: str  # unit | province | engineer
    login: bool = False  # a portal account's login e-mail (not the catalog's)


class Directory:
    """Every address by unit and role, each address once (compared without case)."""

    def __init__(self, contacts: list[Contact], province_code: str, accounts: Path | None = None):
        self.contacts = contacts
        self.province_code = province_code
        self.accounts = accounts

    def sent_as(self, inbox_names: list[str]) -> dict[str, str]:
        """The name each file had on the clerk's computer, for the files sent through the portal."""
        return client_file_names(self.accounts, inbox_names) if self.accounts else {}

    def of_unit(self, unit_code: str) -> list[Recipient]:
        return _unique(c for c in self.contacts if c.role == "unit" and c.unit_code == unit_code)

    def of_role(self, role: str) -> list[Recipient]:
        return _unique(c for c in self.contacts if c.role == role)

    def reply_to(self) -> list[Recipient]:
        """Where a unit's replies go: the catalog's province addresses that are no portal login."""
        logins = {c.email.casefold() for c in self.contacts if c.login}
        return _unique(
            c for c in self.contacts if c.role == "province" and not c.login and c.email.casefold() not in logins
        )


def directory(catalog: Catalog, accounts: Path) -> Directory:
    rows = [Contact(r["unit_code"], r["email"].strip(), r["name"].strip(), r["role"]) for r in catalog.contacts]
    return Directory(rows + portal_accounts(accounts), catalog.plan["province_code"], accounts)


def engineers(catalog: Catalog) -> list[Recipient]:
    """The data engineers' addresses (Airflow's failure alerts), from the catalog alone."""
    return _unique(
        Contact(r["unit_code"], r["email"], r["name"], r["role"]) for r in catalog.contacts if r["role"] == "engineer"
    )


def portal_accounts(path: Path) -> list[Contact]:
    """The enabled accounts of the portal's SQLite file, if there is one.

    Read-only; a file that cannot be read (being replaced, locked, another schema) costs a
    warning and the catalog's addresses still get their notices.
    """
    if not path.is_file():
        return []
    try:
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as db:
            rows = db.execute(
                "select unit_code, email, coalesce(name, ''), role from accounts"
                " where disabled_at is null order by account_id"
            ).fetchall()
    except sqlite3.Error as error:
        log.warning("the portal's accounts in %s cannot be read (%s): their addresses get no notice", path, error)
        return []
    kept = []
    for unit, email, name, role in rows:
        problem = address_problem(email.strip()) or name_problem(name.strip())
        if problem:  # written before the portal checked them: skipped, so the unit's other addresses are told
            log.warning("the portal account %s of unit %s gets no notice: %s", email.strip()[:80], unit, problem)
            continue
        kept.append(Contact(unit, email.strip(), name.strip(), role, login=True))
    return kept


def client_file_names(path: Path, inbox_names: list[str]) -> dict[str, str]:
    """inbox name -> the clerk's own file name (`sends.client_file_name`) of the portal's sends among them.

    Read-only, like the accounts; a file that cannot be read costs a warning and the notices
    show the inbox names.
    """
    if not path.is_file() or not inbox_names:
        return {}
    try:
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as db:
            rows = db.execute(
                "select inbox_name, client_file_name from sends where inbox_name in (select value from json_each(?))",
                [json.dumps(sorted(set(inbox_names)))],
            ).fetchall()
    except sqlite3.Error as error:
        log.warning("the portal's sends in %s cannot be read (%s): notices show the inbox's file names", path, error)
        return {}
    return {inbox_name: client_name for inbox_name, client_name in rows if client_name}


def _unique(contacts) -> list[Recipient]:
    seen: dict[str, Recipient] = {}
    for contact in contacts:
        seen.setdefault(contact.email.casefold(), Recipient(contact.email, contact.name))
    return list(seen.values())
