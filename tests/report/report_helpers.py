"""What the report's tests share: the names no file should be able to smuggle into the report as markup."""

from __future__ import annotations

HOSTILE_FILE = "<img src=x onerror=alert(1)>.csv"  # a real file name (no slash allowed in one)
HOSTILE_STORED = "<script>alert(1)</script>.csv"  # written into a copy of the warehouse
HOSTILE_WARNING = "</svg><script>alert(2)</script><b>ghi chú</b>"
