"""`chiso ingest`: read, validate and load files or folders; one line per file and the totals."""

from __future__ import annotations

import sys
from argparse import Namespace

from chiso.commands import UserError
from chiso.context import RunContext
from chiso.ingest import IngestRun
from chiso.notices.run import notify_after_ingest
from chiso.pipeline import inbox_destinations, ingest_paths
from core.settings import Settings, load_settings
from portal.directory import PortalAccounts
from warehouse.lock import WarehouseBusy


def run(args: Namespace) -> int:
    if args.publish and args.warehouse and not args.snapshot:
        raise UserError(
            "--publish with --warehouse also needs --snapshot FILE: the default snapshot is the analysts' copy of "
            "CHISO_WAREHOUSE, which another warehouse must not replace"
        )
    settings = load_settings(warehouse=args.warehouse, snapshot=args.snapshot)
    destinations = inbox_destinations(settings) if args.move else None
    found, step, close = progress(not args.quiet)
    try:
        ingested = ingest_paths(
            args.paths,
            RunContext.of(settings, as_of=args.as_of),
            destinations=destinations,
            publish_snapshot=args.publish,
            on_file_read=step,
            on_files_found=found,
        )
    finally:
        close()
    print_run(ingested)
    if args.notify:
        print_notices(settings)
    return 0


def print_notices(settings: Settings) -> None:
    """The post-ingest notices; a mail server that is down or a busy warehouse leaves them waiting."""
    try:
        done = notify_after_ingest(settings, accounts=PortalAccounts(settings.accounts))
    except WarehouseBusy as error:
        print(f"notices wait for the next run: {error}")
        return
    sent = ", ".join(f"{n} {kind}" for kind, n in sorted(done["messages"].items())) or "none"
    print(
        f"notices sent: {sent}; {done['waiting']} wait for the next run" + "".join(f"\n  {e}" for e in done["errors"])
    )


def progress(enabled: bool):
    """A progress bar over files read, on a terminal (stderr) only: (found(total), step(), close())."""
    if not enabled or not sys.stderr.isatty():
        return (lambda n: None), (lambda: None), (lambda: None)
    from tqdm import tqdm  # only on a terminal

    bar = tqdm(total=0, unit="file", desc="reading", file=sys.stderr)

    def found(total: int) -> None:
        bar.total = total
        bar.refresh()

    return found, (lambda: bar.update(1)), bar.close


def print_run(ingested: IngestRun) -> None:
    for verdict in ingested.verdicts:
        found = verdict.reasons or verdict.warnings
        detail = f"[{found[0].rule}] {found[0].en}" if found else ""
        print(f"{verdict.status:<10}  {verdict.file_name}  {detail}".rstrip())
    counts = ingested.counts()
    print(f"{len(ingested.verdicts)} files: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    seconds = ingested.seconds
    gx = f" (GX start-up {seconds.get('gx_startup', 0):.2f} s, GX runs {seconds.get('validate.gx', 0):.2f} s)"
    stages = ", ".join(
        f"{stage} {value:.2f} s" + (gx if stage == "validate" else "")
        for stage, value in seconds.items()
        if stage not in ("gx_startup", "validate.gx")
    )
    print(f"{ingested.rows} values loaded; time by stage: {stages}", file=sys.stderr)
