"""`chiso inbox`: the scheduled job by hand: the portal's approval requests, inbox -> archive or quarantine,
then the snapshot."""

from __future__ import annotations

from argparse import Namespace

from chiso.approval.requests import take_waiting
from chiso.commands.ingest import print_notices, print_run, progress
from chiso.context import RunContext
from chiso.ingest import discover
from chiso.pipeline import inbox_destinations, inbox_files, ingest_paths
from core.settings import load_settings


def run(args: Namespace) -> int:
    settings = load_settings()
    answered = take_waiting(settings)  # published before they are answered
    if any(answered.values()):
        print(f"approval requests from the portal: {answered['done']} done, {answered['refused']} refused")
    files = inbox_files(settings)
    found, step, close = progress(not args.quiet)
    try:
        ingested = ingest_paths(
            files,
            RunContext.of(settings, as_of=args.as_of),
            destinations=inbox_destinations(settings),
            publish_snapshot=True,
            on_file_read=step,
            on_files_found=found,
        )
    finally:
        close()
    print_run(ingested)
    arriving = len(discover([settings.inbox]))
    if arriving:
        print(
            f"{arriving} files changed in the last {settings.settle_seconds} s are still arriving:"
            " left for the next run"
        )
    print(f"snapshot for analysts: {settings.snapshot}")
    if not args.no_notify:
        print_notices(settings)
    return 0
