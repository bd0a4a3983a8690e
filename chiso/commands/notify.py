"""`chiso notify`: what the DAGs' notice tasks do, by hand: post-ingest notices, reminders, the digest."""

from __future__ import annotations

from argparse import Namespace
from collections import Counter

from chiso.notices.contacts import AccountBook
from chiso.notices.delivery import parse_smtp_url
from chiso.notices.run import Pass, notify, preview
from core.settings import Settings, load_settings
from portal.directory import PortalAccounts


def run(args: Namespace) -> int:
    settings = load_settings()
    accounts = PortalAccounts(settings.accounts)
    done = notify(settings, args.as_of, args.dry_run, accounts=accounts)
    if args.dry_run:
        print_preview(done, settings, accounts)
    else:
        print_pass(done, settings)
    for claim in done.claims:
        for owed in claim.unaddressed:
            print(
                f"no address for {owed['unit_code']}: its {owed['message_kind']} notice ({owed['items']} items) waits;"
                " add the unit's address to contacts.csv (or a portal account)"
            )
    return 0


def print_preview(done: Pass, settings: Settings, accounts: AccountBook) -> None:
    messages = [message for claim in done.claims for message in preview(claim, settings, accounts=accounts)]
    for message in messages:
        print("=" * 78)
        for header in ("To", "Reply-To", "Subject"):
            if message[header]:
                print(f"{header}: {message[header]}")
        print()
        print(message.get_body(("plain",)).get_content().rstrip())
    kinds = Counter(message["X-Chiso-Notice"] for message in messages)
    print("=" * 78)
    print(f"would send {len(messages)} messages" + "".join(f", {n} {kind}" for kind, n in sorted(kinds.items())))
    print("(dry run: nothing sent, nothing recorded)")


def print_pass(done: Pass, settings: Settings) -> None:
    if settings.smtp_url:
        target = parse_smtp_url(settings.smtp_url)
        where = f"through {target.host}:{target.port}"
    else:
        where = f"to {settings.outbox}"
    for message in done.outcome["sent"]:
        print(f"sent   {message['message_kind']:<12} {message['unit_code']:<8} {', '.join(message['recipients'])}")
    for message in done.outcome["waiting"]:
        print(f"waits  {message['message_kind']:<12} {message['unit_code']:<8} {message['error']}")
    kinds = Counter(message["message_kind"] for message in done.outcome["sent"])
    items = Counter(item["kind"] for message in done.outcome["sent"] for item in message["items"])
    print(
        f"{len(done.outcome['sent'])} messages sent {where}"
        + "".join(f", {n} {kind}" for kind, n in sorted(kinds.items()))
        + f"; items told: {dict(sorted(items.items()))}; {len(done.outcome['waiting'])} wait for the next run"
    )
