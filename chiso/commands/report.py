"""`chiso report`: the offline HTML monitoring report, from the analysts' snapshot; with `--publication N`
or `--as-of TIMESTAMP`, the report as it was at a past publication (chiso.publications)."""

from __future__ import annotations

from argparse import Namespace
from time import perf_counter

from chiso.commands import UserError
from chiso.publications import past_report, publication_of, write_and_keep
from chiso.report import report_name
from chiso.report.build import build_report
from core.settings import load_settings
from warehouse.publications import NoSuchPublication


def run(args: Namespace) -> int:
    settings = load_settings()
    started = perf_counter()
    geography = args.geography.replace("-", "_")
    if args.official and geography != "as_reported":
        raise UserError(
            "--official draws the official figures, which are as reported; a geography's figures are re-expressed,"
            " never official: give one or the other"
        )
    name = report_name(args.official, geography)
    snapshot = args.warehouse or settings.snapshot
    if args.publication is not None or args.as_of is not None:
        try:
            number = publication_of(snapshot, args.publication, args.as_of).number
            publication, output = past_report(
                snapshot,
                args.output or settings.reports / f"publication-{number}" / name,
                number=number,
                official=args.official,
                geography=geography,
            )
        except NoSuchPublication as missing:
            raise UserError(str(missing)) from None
        print(
            f"report of publication {publication.number} ({publication.published_at:%Y-%m-%d %H:%M}): {output}"
            f" ({perf_counter() - started:.1f} s)"
        )
        return 0

    def build():
        return build_report(
            snapshot, args.output or settings.reports / name, official=args.official, geography=geography
        )

    if args.warehouse is None:  # the current publication's report: kept beside the publications
        output, kept = write_and_keep(settings, build, name)
    else:
        output, kept = build(), None
    print(f"report: {output} ({perf_counter() - started:.1f} s)" + (f"; kept as {kept}" if kept else ""))
    return 0
