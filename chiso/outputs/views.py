"""`chiso export VIEW --format csv|xlsx|parquet`: any view or table, by chiso/export.py."""

from __future__ import annotations

from chiso.export import export_view as export

__all__ = ["export"]
