"""`chiso export`: one view or table to CSV, Excel or Parquet, formula-like text neutralised."""

from __future__ import annotations

from argparse import Namespace

from chiso.commands import UserError
from chiso.export import ExportError, export_view
from core.settings import load_settings


def run(args: Namespace) -> int:
    try:
        output, rows = export_view(args.warehouse or load_settings().snapshot, args.view, args.format, args.output)
    except ExportError as error:
        raise UserError(str(error)) from None
    print(f"wrote {rows} rows of {args.view} to {output}")
    return 0
