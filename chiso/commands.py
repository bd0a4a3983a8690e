"""What each `chiso` command does; argument parsing lives in chiso.cli."""

from __future__ import annotations

import sys
from argparse import Namespace

from core.settings import load_settings


class UserError(RuntimeError):
    """A mistake the user can fix; printed without a traceback."""


def _progress(enabled: bool):
    """A progress bar over files read, on a terminal (stderr) only."""
    if not enabled or not sys.stderr.isatty():
        return (lambda n: None), (lambda: None), (lambda: None)
    from tqdm import tqdm

    bar = tqdm(total=0, unit="file", desc="reading", file=sys.stderr)

    def found(total: int) -> None:
        bar.total = total
        bar.refresh()

    return found, (lambda: bar.update(1)), bar.close


def _print_run(run) -> None:
    for verdict in run.verdicts:
        first = (verdict.reasons or verdict.warnings or [None])[0]
        detail = f"[{first.rule}] {first.en}" if first else ""
        print(f"{verdict.status:<10}  {verdict.file_name}  {detail}".rstrip())
    counts = run.counts()
    print(f"{len(run.verdicts)} files: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    seconds = run.seconds
    gx = f" (GX start-up {seconds.get('gx_startup', 0):.2f} s, GX runs {seconds.get('validate.gx', 0):.2f} s)"
    stages = ", ".join(
        f"{stage} {value:.2f} s" + (gx if stage == "validate" else "")
        for stage, value in seconds.items()
        if stage not in ("gx_startup", "validate.gx")
    )
    print(f"{run.rows} values loaded; time by stage: {stages}", file=sys.stderr)


def ingest(args: Namespace) -> int:
    from chiso.pipeline import inbox_destinations, ingest_paths

    if args.publish and args.warehouse and not args.snapshot:
        raise UserError(
            "--publish with --warehouse also needs --snapshot FILE: the default snapshot is the analysts' copy of "
            "CHISO_WAREHOUSE, which another warehouse must not replace"
        )
    settings = load_settings(warehouse=args.warehouse, snapshot=args.snapshot)
    destinations = inbox_destinations(settings) if args.move else None
    found, step, close = _progress(not args.quiet)
    try:
        run = ingest_paths(args.paths, settings, args.as_of, destinations, args.publish, step, found)
    finally:
        close()
    _print_run(run)
    return 0


def inbox(args: Namespace) -> int:
    from chiso.pipeline import inbox_destinations, inbox_files, ingest_paths

    from chiso.ingest import discover

    settings = load_settings()
    files = inbox_files(settings)
    found, step, close = _progress(not args.quiet)
    try:
        run = ingest_paths(files, settings, args.as_of, inbox_destinations(settings), True, step, found)
    finally:
        close()
    _print_run(run)
    arriving = len(discover([settings.inbox]))
    if arriving:
        print(f"{arriving} files changed in the last {settings.settle_seconds} s are still arriving: left for the next run")
    print(f"snapshot for analysts: {settings.snapshot}")
    return 0


def validate(args: Namespace) -> int:
    from chiso.checker import check_file
    from chiso.verdict_text import verdict_text

    settings = load_settings()
    verdict = check_file(args.file, settings, args.as_of, args.warehouse)
    print(verdict_text(verdict.file_name, verdict.status, verdict.reasons, verdict.warnings), end="")
    return 1 if verdict.status == "rejected" else 0


def query(args: Namespace) -> int:
    import duckdb

    from warehouse.db import connect_read_only

    settings = load_settings()
    connection = connect_read_only(args.warehouse or settings.snapshot, sandboxed=True)
    try:
        relation = connection.sql(args.sql)
        if relation is not None:
            relation.show(max_rows=args.max_rows, max_width=200)
    except duckdb.Error as error:
        if "read-only" in str(error) or "disabled by configuration" in str(error):
            raise UserError(
                f"the analysts' warehouse is read-only and cannot reach other files; this statement would ({error})"
            ) from None
        raise UserError(str(error)) from None
    return 0


def demo_generator():
    """`demo.generate_demo_inbox`: the demo ships with the source checkout, not with the wheel."""
    try:
        from demo import generate_demo_inbox
    except ModuleNotFoundError as error:
        if error.name != "demo":
            raise
        raise UserError(
            "the demo data generator (the `demo` package) is not installed: it ships with the source checkout, "
            "not with the chiso package; run this command from a checkout (`make setup`, then `.venv/bin/chiso`)"
        ) from None
    return generate_demo_inbox


def demo_data(args: Namespace) -> int:
    generate_demo_inbox = demo_generator()
    files = generate_demo_inbox(args.directory, seed=args.seed)
    print(f"wrote {len(files)} demo files to {args.directory}")
    return 0


def report(args: Namespace) -> int:
    from time import perf_counter

    from chiso.report.build import build_report

    settings = load_settings()
    started = perf_counter()
    output = build_report(args.warehouse or settings.snapshot, args.output or settings.reports / "report.html")
    print(f"report: {output} ({perf_counter() - started:.1f} s)")
    return 0


def export(args: Namespace) -> int:
    from chiso.export import ExportError, export_view

    settings = load_settings()
    try:
        output, rows = export_view(args.warehouse or settings.snapshot, args.view, args.format, args.output)
    except ExportError as error:
        raise UserError(str(error)) from None
    print(f"wrote {rows} rows of {args.view} to {output}")
    return 0


def settings(args: Namespace) -> int:
    from core.settings import declared, markdown_table

    if args.markdown:
        print(markdown_table())
        return 0
    values = load_settings()
    for name, _, meta, _ in declared():
        print(f"{meta['env']:<22} {getattr(values, name)}")
    return 0
