"""One notify pass: claim under the writer lock, deliver without it, record under it again.

The three steps are separate functions because the DAGs run them as three tasks: the two that
touch the warehouse take its pool slot (and the loader's queue), the one that talks to SMTP
takes neither, so a slow or absent mail server never holds up a load. Their inputs and outputs
are plain JSON (XComs). `notify_after_ingest` and `notify` run the three in one process
(`chiso inbox`, `chiso ingest --notify`, `chiso notify`). The users' accounts come as an
`AccountBook` from the interface that runs the pass (the portal's, `portal.directory`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from email.errors import MessageError
from email.utils import parseaddr

from chiso.notices import delivery, kinds, ledger
from chiso.notices.compose import Letterhead, compose
from chiso.notices.contacts import AccountBook, Directory, directory
from chiso.notices.owed import Claim, Notice, open_ledger, owed_notices, unit_names
from core.catalog import Catalog
from core.settings import SettingError, Settings
from warehouse.db import connect, transaction
from warehouse.lock import writer_lock

log = logging.getLogger(__name__)
Build = Callable[[object, Directory, dict[str, str]], Claim]


def claim_after_ingest(settings: Settings, dry_run: bool = False, *, accounts: AccountBook) -> dict:
    """Claim what the kinds told after ingest owe for every run not told yet (refused, late, warnings…)."""

    def build(connection, people, names) -> Claim:
        return owed_notices(kinds.every("after_ingest"), connection, people, names)

    return _claim(settings, build, dry_run, accounts)


def claim_scheduled(
    settings: Settings, as_of: date | None = None, dry_run: bool = False, *, accounts: AccountBook
) -> dict:
    """Claim what the daily kinds owe on `as_of` (default today, province time): reminders, the week's digest…"""
    day = as_of or Catalog(settings.catalog_dir).today()

    def build(connection, people, names) -> Claim:
        return owed_notices(kinds.every("daily"), connection, people, names, day)

    return _claim(settings, build, dry_run, accounts)


def _claim(settings: Settings, build: Build, dry_run: bool, accounts: AccountBook) -> dict:
    if not settings.warehouse.exists():
        return Claim().as_json()
    catalog = Catalog(settings.catalog_dir)
    people = directory(catalog, accounts)
    now = _now(catalog)
    with (
        writer_lock(settings.warehouse),
        connect(settings.warehouse) as connection,
        transaction(connection, commit=not dry_run),
    ):
        ledger.give_up_stale_claims(connection, now, settings.notice_lease_minutes)
        open_ledger(connection)
        claim = build(connection, people, unit_names(connection))
        ledger.claim(connection, claim, now, _domain(settings.smtp_from))
    return claim.as_json()


def deliver(claimed: dict, settings: Settings, *, accounts: AccountBook) -> dict:
    """Compose and deliver a claim's notices; never raises for a mail server's trouble (they wait)."""
    claim = Claim.from_json(claimed)
    catalog = Catalog(settings.catalog_dir)
    head = Letterhead(settings.smtp_from, directory(catalog, accounts).reply_to(), settings.portal_url)
    outcome: dict = {"sent": [], "waiting": []}
    composed = {}
    for notice in claim.notices:
        try:
            made = kinds.of(notice.message_kind).attached(notice, catalog, settings)
            composed[notice.message_id] = (notice, compose(notice, head, made))
        except (ValueError, MessageError) as error:  # an address the e-mail package refuses
            log.warning("cannot compose the notice to %s (%s): it waits", notice.unit_code, error)
            outcome["waiting"].append(_entry(notice, error=str(error)))
    try:
        handed = delivery.deliver(
            [m for _, m in composed.values()], settings.smtp_url, settings.outbox, _stamp(catalog)
        )
    except SettingError as unusable:
        log.error("%s: every notice waits", unusable)
        outcome["waiting"] += [_entry(notice, error=str(unusable)) for notice, _ in composed.values()]
        return outcome
    sent_at = _now(catalog).isoformat()
    channel = "smtp" if settings.smtp_url else "outbox"
    for message, accepted in handed.sent:
        notice = composed[message["Message-ID"]][0]
        details = {"sent_at": sent_at, "channel": channel, "recipients": accepted, "subject": message["Subject"]}
        outcome["sent"].append(_entry(notice, **details))
    for message, reason in handed.waiting:
        outcome["waiting"].append(_entry(composed[message["Message-ID"]][0], error=reason))
    return outcome


def record(outcome: dict, settings: Settings) -> dict:
    """Record what was sent, give back the claims of what waits; a summary of the pass."""
    if outcome["sent"] or outcome["waiting"]:
        with writer_lock(settings.warehouse), connect(settings.warehouse) as connection:
            ledger.record(connection, outcome["sent"], outcome["waiting"])
            connection.execute("checkpoint")
    return summary(outcome)


def summary(outcome: dict) -> dict:
    return {
        "messages": dict(Counter(m["message_kind"] for m in outcome["sent"])),
        "items": dict(Counter(item["kind"] for m in outcome["sent"] for item in m["items"])),
        "waiting": len(outcome["waiting"]),
        "errors": sorted({m["error"] for m in outcome["waiting"]}),
    }


@dataclass
class Pass:
    """A whole pass as `chiso notify` shows it."""

    claims: list[Claim] = field(default_factory=list)
    outcome: dict = field(default_factory=lambda: {"sent": [], "waiting": []})

    def add(self, claimed: dict, settings: Settings, dry_run: bool, accounts: AccountBook) -> None:
        self.claims.append(Claim.from_json(claimed))
        if not dry_run:
            done = deliver(claimed, settings, accounts=accounts)
            record(done, settings)
            self.outcome["sent"] += done["sent"]
            self.outcome["waiting"] += done["waiting"]


def notify_after_ingest(settings: Settings, *, accounts: AccountBook) -> dict:
    """The post-ingest notices in one process; a mail server that is down leaves them waiting."""
    return record(deliver(claim_after_ingest(settings, accounts=accounts), settings, accounts=accounts), settings)


def notify(settings: Settings, as_of: date | None = None, dry_run: bool = False, *, accounts: AccountBook) -> Pass:
    """Everything owed: post-ingest notices, reminders and the digest (what the DAG tasks do)."""
    done = Pass()
    done.add(claim_after_ingest(settings, dry_run, accounts=accounts), settings, dry_run, accounts)
    done.add(claim_scheduled(settings, as_of, dry_run, accounts=accounts), settings, dry_run, accounts)
    return done


def preview(claim: Claim, settings: Settings, *, accounts: AccountBook) -> list:
    """The messages a claim would deliver, composed but not delivered (`chiso notify --dry-run`)."""
    catalog = Catalog(settings.catalog_dir)
    head = Letterhead(settings.smtp_from, directory(catalog, accounts).reply_to(), settings.portal_url)
    return [compose(notice, head) for notice in claim.notices]


def _entry(notice: Notice, **details) -> dict:
    return {
        "message_id": notice.message_id,
        "message_kind": notice.message_kind,
        "unit_code": notice.unit_code,
        "items": notice.items,
        **details,
    }


def _now(catalog: Catalog) -> datetime:
    """Province time, like every timestamp of the warehouse."""
    return datetime.now(catalog.timezone).replace(tzinfo=None, microsecond=0)


def _stamp(catalog: Catalog) -> str:
    return f"{_now(catalog):%Y%m%d-%H%M%S}"


def _domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"
