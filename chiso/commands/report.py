"""`chiso report`: the offline HTML monitoring report, from the analysts' snapshot."""

from __future__ import annotations

from argparse import Namespace
from time import perf_counter

from chiso.report import OFFICIAL_REPORT_NAME, REPORT_NAME
from chiso.report.build import build_report
from core.settings import load_settings


def run(args: Namespace) -> int:
    settings = load_settings()
    started = perf_counter()
    output = build_report(
        args.warehouse or settings.snapshot,
        args.output or settings.reports / (OFFICIAL_REPORT_NAME if args.official else REPORT_NAME),
        official=args.official,
    )
    print(f"report: {output} ({perf_counter() - started:.1f} s)")
    return 0
