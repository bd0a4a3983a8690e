"""`chiso query`: SQL on a warehouse, read-only and unable to reach other files; a table printed."""

from __future__ import annotations

from argparse import Namespace

import duckdb

from chiso.commands import UserError
from core.settings import load_settings
from warehouse.db import connect_read_only


def run(args: Namespace) -> int:
    connection = connect_read_only(args.warehouse or load_settings().snapshot, sandboxed=True)
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
