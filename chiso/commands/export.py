"""`chiso export`: one view or table in a format of a declared output (chiso/outputs/): CSV, Excel or
Parquet with formula-like text neutralised, or SDMX-CSV 2.0."""

from __future__ import annotations

from argparse import Namespace

from chiso.commands import UserError
from chiso.export import ExportError
from chiso.outputs import export_formats
from core.settings import load_settings


def run(args: Namespace) -> int:
    output = export_formats()[args.format]
    try:
        written, rows = output.export(args.warehouse or load_settings().snapshot, args.view, args.format, args.output)
    except ExportError as error:
        raise UserError(str(error)) from None
    print(f"wrote {rows} rows of {args.view} to {written}")
    return 0
