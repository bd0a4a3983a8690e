"""`chiso lineage`: where a figure comes from. A roll-up figure (or a target's actual: the figure of its
year and scope) and the unit values it is computed from, each with its submission, its file as the clerk
named it, when it was received, who sent it, and the row of the file; or a completeness cell and the files
received for it. Read from the snapshot with the read-only, sandboxed connection of `chiso query`.
With --geography current or past, the figure of that geography (as `chiso report --geography`) and each value
re-expressed in its unit, beside the unit and value as reported and the weight that re-expressed it.
"""

from __future__ import annotations

from argparse import Namespace

from chiso import lineage
from chiso.commands import UserError
from chiso.commands.query import refuse_the_loaders_file
from core.settings import load_settings
from warehouse.db import connect_read_only


def run(args: Namespace) -> int:
    settings = load_settings()
    path = args.warehouse or settings.snapshot
    refuse_the_loaders_file(path, settings)
    if not path.exists():
        raise UserError(f"no warehouse at {path}: run `chiso inbox` (or `chiso ingest`) first, or give --warehouse")
    connection = connect_read_only(
        path, sandboxed=True, memory_limit=settings.query_memory, threads=settings.query_threads
    )
    try:
        if args.dataset or args.unit:
            if not (args.dataset and args.unit):
                raise UserError("a completeness cell needs --dataset, --unit and --period together")
            print_cell(lineage.cell(connection, args.dataset, args.unit, args.period))
        else:
            if not args.indicator:
                raise UserError(
                    "give --indicator (a figure of the roll-up) or --dataset and --unit (a completeness cell)"
                )
            # chiso.report.build imports Jinja2: only for a figure, never for `chiso --help`
            from chiso.report.build import figures_of

            views = figures_of(geography=args.geography.replace("-", "_"))
            found = lineage.figures(
                connection,
                args.indicator,
                args.period,
                args.scope,
                args.disaggregation,
                rollup=views.rollup,
                rows=views.lineage,
            )
            for figure in found:
                print_figure(figure)
    except lineage.NoSuchFigure as error:
        raise UserError(str(error)) from None
    finally:
        connection.close()
    return 0


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _reported(row: dict) -> list[str]:
    """A re-expressed value's unit and value as reported, and its split's weight (blank when not allocated)."""
    weight = row["weight"]
    shown = "–" if weight is None or weight == 1 else f"{weight:.4f}".rstrip("0")
    return [row["reported_unit_code"], _number(row["reported_value"]), shown]


def _table(columns: list[str], rows: list[list[str]]) -> None:
    widths = [max([len(column), *(len(row[i]) for row in rows)]) for i, column in enumerate(columns)]
    print("  " + "  ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True)).rstrip())
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def print_figure(figure: lineage.Figure) -> None:
    head = f"{figure.indicator_code} {figure.disaggregation or ''} {figure.period} {figure.scope}".replace("  ", " ")
    ratio = f" = {_number(figure.numerator)} / {_number(figure.denominator)}" if figure.denominator is not None else ""
    target = f", target {_number(figure.target)}" if figure.target is not None else ""
    print(f"{head}: {_number(figure.value)}{ratio} ({figure.units_reporting} units reporting{target})")
    reexpressed = any(row["reported_unit_code"] is not None for row in figure.rows)
    columns = ["role", "indicator", "unit", "period", "value"]
    columns += ["reported_unit", "reported_value", "weight"] if reexpressed else []
    columns += ["submission", "status", "file", "received_at", "sent_by", "row"]
    rows = [
        [
            row["role"],
            row["input_indicator_code"],
            row["unit_code"],
            row["reported_period"],
            _number(row["value"]),
            *(_reported(row) if reexpressed else []),
            str(row["submission_id"]),
            row["status"],
            row["file_name"],
            f"{row['received_at']:%Y-%m-%d %H:%M}",
            row["sent_by"] or "(inbox)",
            str(row["source_row"]),
        ]
        for row in figure.rows
    ]
    _table(columns, rows)
    print("  files:")
    for file in figure.files():
        print(f"    {file['submission_id']}: {file['source_path'] or '–'} -> {file['stored_path'] or '–'}")
    print()


def print_cell(rows: list[dict]) -> None:
    first = rows[0]
    print(
        f"{first['dataset_code']} {first['unit_code']} {first['period']}: {first['cell_status']}"
        f" (due {first['due_date']}; files: {first['files']})"
    )
    if first["submission_id"] is None:
        print("  no file received")
        return
    columns = ["role", "submission", "status", "file", "received_at", "sent_by", "values", "rows", "stored_path"]
    table = [
        [
            row["role"],
            str(row["submission_id"]),
            row["status"],
            row["file_name"],
            f"{row['received_at']:%Y-%m-%d %H:%M}",
            row["sent_by"] or "(inbox)",
            str(row["value_rows"] or 0),
            _rows(row["source_rows"]),
            row["stored_path"] or row["source_path"] or "–",
        ]
        for row in rows
    ]
    _table(columns, table)


def _rows(numbers: list[int] | None) -> str:
    """Source rows as ranges: 3-9,12."""
    if not numbers:
        return "–"
    ranges: list[list[int]] = []
    for number in numbers:
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)
