"""Who is told: the catalog's contacts, and the accounts of an account book.

The catalog (`contacts.csv`) names each unit's official addresses, the province's and the data
engineers'. An account book — the portal's (`portal.directory`), handed in by the interface that
runs the notices — adds the address of every enabled account: a unit's users get their unit's
notices, the province's users the digest; a unit's approvers (accounts holding the approver role for
it) its approval reminders. The notices know the book only by `AccountBook`, never
by its storage. Replies go to the catalog's province addresses only (role addresses), never to a
login: a login e-mail printed in every unit's mail would invite wrong-password attempts on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.catalog import Catalog


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


class AccountBook(Protocol):
    """What the notices need of the users' accounts; the portal provides it (`portal.directory`)."""

    def contacts(self) -> list[Contact]:
        """Every enabled account, as a contact with `login=True`; those it cannot read are left out."""
        ...

    def client_file_names(self, inbox_names: list[str]) -> dict[str, str]:
        """inbox name -> the name the file had on the clerk's computer, for the files sent through it."""
        ...

    def approvers(self, unit_code: str) -> list[Contact]:
        """The enabled accounts that approve `unit_code`'s reports (role `unit`, `login=True`)."""
        ...


class Directory:
    """Every address by unit and role, each address once (compared without case)."""

    def __init__(self, contacts: list[Contact], province_code: str, accounts: AccountBook):
        self.contacts = contacts
        self.province_code = province_code
        self.accounts = accounts

    def sent_as(self, inbox_names: list[str]) -> dict[str, str]:
        """The name each file had on the clerk's computer, for the files sent through the portal."""
        return self.accounts.client_file_names(inbox_names)

    def of_unit(self, unit_code: str) -> list[Recipient]:
        return _unique(c for c in self.contacts if c.role == "unit" and c.unit_code == unit_code)

    def of_role(self, role: str) -> list[Recipient]:
        return _unique(c for c in self.contacts if c.role == role)

    def approvers(self, unit_code: str) -> list[Recipient]:
        """The unit's approvers: its accounts holding the approver role, then the unit's catalog
        addresses (its office, which reaches its head where the head has no account yet)."""
        official = [c for c in self.contacts if c.role == "unit" and c.unit_code == unit_code and not c.login]
        return _unique([*self.accounts.approvers(unit_code), *official])

    def of_audience(self, audiences: tuple[str, ...], unit_code: str) -> list[Recipient]:
        """Everyone of `audiences` (a kind's: "unit", "approvers", or a role) for what `unit_code` is owed."""
        found: list[Recipient] = []
        for audience in audiences:
            if audience == "unit":
                found += self.of_unit(unit_code)
            elif audience == "approvers":
                found += self.approvers(unit_code)
            else:
                found += self.of_role(audience)
        return _unique(found)

    def name_of(self, email: str) -> str:
        """The name an address goes by (its account's or the catalog's), or "" when none says one."""
        names = [c.name for c in self.contacts if c.email.casefold() == email.strip().casefold() and c.name]
        return names[0] if names else ""

    def reply_to(self) -> list[Recipient]:
        """Where a unit's replies go: the catalog's province addresses that are no portal login."""
        logins = {c.email.casefold() for c in self.contacts if c.login}
        return _unique(
            c for c in self.contacts if c.role == "province" and not c.login and c.email.casefold() not in logins
        )


def directory(catalog: Catalog, accounts: AccountBook) -> Directory:
    rows = [Contact(r["unit_code"], r["email"].strip(), r["name"].strip(), r["role"]) for r in catalog.contacts]
    return Directory(rows + accounts.contacts(), catalog.plan["province_code"], accounts)


def engineers(catalog: Catalog) -> list[Recipient]:
    """The data engineers' addresses (Airflow's failure alerts), from the catalog alone."""
    return _unique(
        Contact(r["unit_code"], r["email"], r["name"], r["role"]) for r in catalog.contacts if r["role"] == "engineer"
    )


def _unique(contacts) -> list[Recipient]:
    """Each address once (contacts or recipients), the first name it came with."""
    seen: dict[str, Recipient] = {}
    for contact in contacts:
        seen.setdefault(contact.email.casefold(), Recipient(contact.email, contact.name))
    return list(seen.values())
