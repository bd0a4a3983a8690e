"""`chiso rebuild --into NEW.duckdb`: a new warehouse from the archive, the quarantine and their receipts."""

from __future__ import annotations

import sys
import time
from argparse import Namespace

from chiso.commands import UserError
from chiso.rebuild import RebuildRefused, rebuild
from core.settings import load_settings


def run(args: Namespace) -> int:
    settings = load_settings()
    started = time.perf_counter()

    def say(line: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - started:7.1f} s] {line}", file=sys.stderr, flush=True)

    try:
        rebuilt = rebuild(settings, args.into, ledgers_from=args.ledgers_from, say=say)
    except RebuildRefused as refused:
        raise UserError(str(refused)) from None
    counts = ", ".join(f"{n} {status}" for status, n in rebuilt.counts.items())
    print(f"{rebuilt.into}: {rebuilt.files} files ({counts}) in {rebuilt.chunks} chunks")
    if args.ledgers_from is None:
        print(
            "no --ledgers-from: the approval log is empty (no slot accepted or locked) and every run counts"
            " as told (no notice is sent again)"
        )
    else:
        print(f"from {args.ledgers_from}: {rebuilt.approvals} approval actions, {rebuilt.notices} notices")
    print(f"rebuilt in {time.perf_counter() - started:.1f} s; the live warehouse is untouched: {settings.warehouse}")
    return 0
