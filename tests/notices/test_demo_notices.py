"""The demo plan's notices, as `make run` leaves them in the outbox: whoever sent a refused file finds every reason."""

from __future__ import annotations

import email
import email.policy
import shutil
from collections import defaultdict
from datetime import date

from chiso.notices.run import notify
from core.catalog import Catalog
from core.settings import load_settings
from portal.directory import PortalAccounts


def test_every_refused_demo_file_reaches_its_unit_with_every_reason(demo_warehouse, tmp_path):
    _, verdicts, demo = demo_warehouse
    shutil.copy(demo.warehouse, tmp_path / "chiso.duckdb")  # the session's warehouse stays as it was
    settings = load_settings(home=tmp_path / "home", warehouse=tmp_path / "chiso.duckdb")
    done = notify(settings, date(2021, 6, 1), accounts=PortalAccounts(settings.accounts))
    assert done.outcome["waiting"] == []

    letters = defaultdict(list)
    for path in sorted(settings.outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        letters[(message["X-Chiso-Notice"], message["X-Chiso-Unit"])].append(message.get_body(("plain",)).get_content())
    assert all(len(texts) == 1 for texts in letters.values())  # one message per unit and kind
    catalog = Catalog(settings.catalog_dir)
    province = catalog.plan["province_code"]  # the plan in force's: 08, the new Tuyên Quang
    assert len(letters[("digest", province)]) == 1

    units = catalog.units
    for verdict in (v for v in verdicts.values() if v.status == "rejected"):
        # Its unit, or the province when the file names no unit of the catalog.
        addressee = ("ingest", verdict.unit_code) if verdict.unit_code in units else ("unattributed", province)
        [text] = letters[addressee]
        assert verdict.file_name in text
        for reason in verdict.reasons:
            assert reason.vi in text and reason.en in text, (verdict.file_name, reason.check)
