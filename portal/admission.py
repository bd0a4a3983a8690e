"""How many uploads the portal takes in at once: a bounded number, a fair share per account, then 503.

An upload costs disk while it streams, a reader process while it is read and a GX run while it is
judged. Past `total` uploads in progress, or `per_account` of one account, the portal answers
503 with `Retry-After` at once instead of queueing without end: one unit's script cannot fill the
queue that every other clerk waits in, and nothing swaps. Those admitted are read first come,
first served (`transforms.sandbox`).
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from portal.errors import PortalError


class Admission:
    def __init__(self, total: int, per_account: int):
        self.total, self.per_account = total, per_account
        self._busy: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._seconds = 1.0  # a moving average of an upload's time in the portal, for Retry-After

    @contextmanager
    def slot(self, account_id: int) -> Iterator[None]:
        """Hold one of the upload slots while the body is read and judged; 503 when none is free."""
        with self._lock:
            if sum(self._busy.values()) >= self.total or self._busy[account_id] >= self.per_account:
                seconds = self.retry_after()
                raise PortalError(503, "portal.uploads_busy", headers={"Retry-After": str(seconds)}, seconds=seconds)
            self._busy[account_id] += 1
        started = time.monotonic()
        try:
            yield
        finally:
            with self._lock:
                self._busy[account_id] -= 1
                if not self._busy[account_id]:
                    del self._busy[account_id]
                self._seconds = 0.8 * self._seconds + 0.2 * (time.monotonic() - started)

    def retry_after(self) -> int:
        """Seconds until a slot is likely free: about one upload's time, never 0."""
        return max(1, math.ceil(self._seconds))

    def in_progress(self) -> int:
        with self._lock:
            return sum(self._busy.values())
