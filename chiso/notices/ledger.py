"""The ledger of notices, the warehouse's table `notices`: claimed before delivery, recorded once delivered.

One row per item (unit × data set × period × kind, and the ingest run for post-ingest notices).
A notifier claims the items owed under the writer lock, delivers without it, then records
under it again what the SMTP server accepted and gives back the claims of what it could not
deliver, which wait for the next run. A claim is what keeps two notifiers from delivering the same
item; a claim left by a notifier that died between delivery and record is given up after the lease
(CHISO_NOTICE_LEASE_MINUTES), and its items go once more: at most one repeat, nothing lost.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import make_msgid

from chiso.notices import kinds
from chiso.notices.owed import LEDGER_KEY, QUERIES, Claim
from warehouse.db import read_sql, transaction
from warehouse.kinds import upsert_rows


def give_up_stale_claims(connection, now: datetime, lease_minutes: int) -> int:
    """Claims older than the lease belong to a notifier that died: their items are owed again."""
    stale = connection.execute(
        "delete from notices where sent_at is null and claimed_at <= ? returning message_id",
        [now - timedelta(minutes=lease_minutes)],
    ).fetchall()
    return len({row[0] for row in stale})


def claim(connection, claim: Claim, now: datetime, domain: str) -> None:
    """Give each notice its Message-ID and claim its items under it."""
    admit_kinds(connection)
    rows = []
    for notice in claim.notices:
        notice.message_id = make_msgid(idstring=notice.message_kind, domain=domain)
        rows += [
            [*(item[key] for key in LEDGER_KEY), item["submission_ids"], notice.message_kind, notice.message_id, now]
            for item in notice.items
        ]
    if rows:
        connection.executemany(
            "insert into notices (kind, unit_code, dataset_code, period, run_id, submission_ids, message_kind,"
            " message_id, claimed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def admit_kinds(connection) -> None:
    """The ledger's lookup tables take the registered kinds: a kind registered since is one more
    row in each, no migration (the ledger's columns reference them by foreign keys)."""
    registered = kinds.every()
    upsert_rows(
        connection,
        "message_kinds",
        "message_kind",
        [{"message_kind": kind.name, "position": n} for n, kind in enumerate(registered, 1)],
    )
    items = [(item, kind.name) for kind in registered for item in kind.items]
    upsert_rows(
        connection,
        "notice_kinds",
        "kind",
        [{"kind": item, "position": n, "message_kind": name} for n, (item, name) in enumerate(items, 1)],
    )


def record(connection, delivered: list[dict], waiting: list[dict]) -> None:
    """Record what was delivered (the ledger's `sent_at`) and give back the claims of what waits, in one transaction."""
    upsert = read_sql(QUERIES / "record_delivered.sql")
    rows = [
        [
            *(item[key] for key in LEDGER_KEY),
            item["submission_ids"],
            message["message_kind"],
            message["message_id"],
            datetime.fromisoformat(message["sent_at"]),
            datetime.fromisoformat(message["sent_at"]),
            message["channel"],
            message["recipients"],
            message["subject"],
        ]
        for message in delivered
        for item in message["items"]
    ]
    with transaction(connection):
        if rows:
            connection.executemany(upsert, rows)
        for message in waiting:
            connection.execute("delete from notices where message_id = ? and sent_at is null", [message["message_id"]])
