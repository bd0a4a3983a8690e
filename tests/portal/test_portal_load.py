"""The deadline minute: 200 uploads at once (half dry runs, half sends) against a real server.

Every send lands exactly once in the inbox, byte for byte; no answer is a 5xx; every dry run is
answered with its verdict. One token stands for 200 clerks here (a unit's own share of the upload
slots is tests/portal/test_portal_untrusted.py's); past the portal's slots, clients come back
after Retry-After. The load is
benchmarks/portal_load.py's (the latency it measures is `make bench`'s, never asserted here).
"""

from __future__ import annotations

import importlib.util

from portal_helpers import Server

from builders import PROJECT_ROOT

UPLOADS = 200


def _load_module():
    spec = importlib.util.spec_from_file_location("portal_load", PROJECT_ROOT / "benchmarks" / "portal_load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_two_hundred_uploads_at_once_lose_nothing(home):
    server = Server(home, CHISO_PORTAL_UPLOADS_PER_ACCOUNT=str(UPLOADS), CHISO_PORTAL_UPLOADS_AT_ONCE="64")
    token = home.tokens["vanthu.028@yenminh.example.vn"]
    try:
        counts = _load_module().deadline_minute(server.url, token, "028", home.settings.inbox, UPLOADS)
    finally:
        server.stop()
    assert counts["server_errors_5xx"] == 0 and counts["transport_errors"] == 0, counts
    assert counts["told_busy_503"] > 0  # 64 at once: the others came back after Retry-After
    assert counts["sends"] == counts["sends_accepted_202"] == counts["send_ids_distinct"] == UPLOADS // 2
    assert counts["landed_in_inbox"] == counts["landed_exactly_once"] == UPLOADS // 2
    assert counts["dry_runs"] == counts["dry_runs_answered_200"] == counts["dry_runs_accepted"] == UPLOADS // 2
    assert list((home.settings.inbox / ".portal").iterdir()) == []  # nothing left half-written
    print(f"\ndeadline minute: {counts}")
