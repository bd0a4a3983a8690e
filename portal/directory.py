"""The portal's account book for the notices (`chiso.notices.contacts.AccountBook`).

The notices run in Airflow's tasks and in the `chiso` CLI, which hand them this book; they never
read the portal's SQLite file themselves. The book opens the file read-only, one connection per
question, and a file that cannot be read (being replaced, locked, another schema) costs a warning:
the catalog's addresses still get their notices, and the notices show the inbox's file names.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from contextlib import closing
from pathlib import Path

from chiso.notices.contacts import Contact
from core.kinds import ACCOUNT_ROLES
from portal.accounts import address_problem, name_problem

log = logging.getLogger(__name__)


class PortalAccounts:
    """The enabled accounts and the clerks' file names of the portal whose accounts file is `path`."""

    def __init__(self, path: Path):
        self.path = path

    def contacts(self) -> list[Contact]:
        rows = self._read(
            "select unit_code, email, coalesce(name, ''), role from accounts"
            " where disabled_at is null order by account_id",
            [],
            "their addresses get no notice",
        )
        return self._noticeable(rows)

    def approvers(self, unit_code: str) -> list[Contact]:
        """The unit's enabled accounts holding a role that approves its reports (granted on top, `account_grants`)."""
        roles = json.dumps(ACCOUNT_ROLES.codes_where("approves", "approver"))
        rows = self._read(
            "select unit_code, email, coalesce(name, ''), role from accounts"
            " where disabled_at is null and unit_code = ? and (role in (select value from json_each(?))"
            " or account_id in (select account_id from account_grants where role in (select value from json_each(?))))"
            " order by account_id",
            [unit_code, roles, roles],
            "its approvers get no approval notice",
        )
        return self._noticeable(rows)

    def _noticeable(self, rows: list[tuple]) -> list[Contact]:
        kept = []
        for unit, email, name, role in rows:
            problem = address_problem(email.strip()) or name_problem(name.strip())
            if problem:  # written before the portal checked them: skipped, so the unit's other addresses are told
                log.warning("the portal account %s of unit %s gets no notice: %s", email.strip()[:80], unit, problem)
                continue
            kept.append(Contact(unit, email.strip(), name.strip(), role, login=True))
        return kept

    def client_file_names(self, inbox_names: list[str]) -> dict[str, str]:
        """inbox name -> `sends.client_file_name`, for the portal's sends among `inbox_names`."""
        if not inbox_names:
            return {}
        rows = self._read(
            "select inbox_name, client_file_name from sends where inbox_name in (select value from json_each(?))",
            [json.dumps(sorted(set(inbox_names)))],
            "notices show the inbox's file names",
        )
        return {inbox_name: client_name for inbox_name, client_name in rows if client_name}

    def _read(self, query: str, parameters: list, otherwise: str) -> list[tuple]:
        if not self.path.is_file():
            return []
        try:
            with closing(sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)) as db:
                return db.execute(query, parameters).fetchall()
        except sqlite3.Error as error:
            log.warning("the portal's file %s cannot be read (%s): %s", self.path, error, otherwise)
            return []
