"""Notice kinds are an extension point: a kind registered from outside chiso — its own query and
templates, no module of chiso edited — is planned, claimed, composed, sent through a real SMTP
server and recorded like the built-in ones; and every built-in kind has its words and templates."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from builders import AS_OF, csv_bytes, district_report, write
from chiso.context import RunContext
from chiso.notices import kinds
from chiso.notices.kinds import NoticeKind
from chiso.notices.run import claim_after_ingest, deliver, notify_after_ingest, record
from chiso.pipeline import ingest_paths
from core.vocabulary import entries, say
from letters import by_unit, parts
from portal.directory import PortalAccounts

HERE = Path(__file__).resolve().parent / "acknowledgement"


def accepted(unit_name: str, content: dict) -> dict:
    return {"unit_name": unit_name, "summary": f"{len(content['received'])} × {say('status.accepted').vi}"}


ACKNOWLEDGEMENT = NoticeKind(
    name="acknowledgement",
    items=("received",),
    query=HERE / "owed_acknowledgement.sql",
    when="after_ingest",
    audience="unit",
    subject="notice.subject_ingest",
    subject_fields=accepted,
    templates=HERE,
)


@pytest.fixture
def acknowledgement():
    """The kind registered for one test, as a module of chiso/notices/kinds/ would register it."""
    kinds.register(ACKNOWLEDGEMENT)
    yield ACKNOWLEDGEMENT
    kinds.unregister(ACKNOWLEDGEMENT.name)


def test_a_kind_registered_from_outside_is_planned_composed_sent_and_recorded(
    acknowledgement, told, mail_server, tmp_path
):
    write(tmp_path / "in" / "meo vac.csv", csv_bytes(district_report("027")), received="2017-07-06 10:00")
    # the ledger takes the new kind: no migration, no rebuild
    ingest_paths([tmp_path / "in"], RunContext.of(told, as_of=AS_OF))

    plan = claim_after_ingest(told, dry_run=True, accounts=PortalAccounts(told.accounts))
    [notice] = [n for n in plan["notices"] if n["message_kind"] == "acknowledgement"]
    assert notice["unit_code"] == "027" and [i["kind"] for i in notice["items"]] == ["received"]

    summary = record(
        deliver(
            claim_after_ingest(told, accounts=PortalAccounts(told.accounts)),
            told,
            accounts=PortalAccounts(told.accounts),
        ),
        told,
    )
    assert summary["messages"] == {"acknowledgement": 1} and summary["waiting"] == 0
    message = by_unit(mail_server.messages)["027"]
    assert message["X-Chiso-Notice"] == "acknowledgement"
    assert message["Subject"] == f"Huyện Mèo Vạc: 1 × {say('status.accepted').vi}"
    assert message["Reply-To"] is None  # the kind did not ask for one
    text, page = parts(message)
    assert "Được chấp nhận / Accepted" in text and "meo vac.csv" in text
    assert "Nhận lúc / Received: 06/07/2017 10:00" in text
    assert '<h2 class="ok">Được chấp nhận <span class="en">/ Accepted</span></h2>' in page and "meo vac.csv" in page

    with duckdb.connect(str(told.warehouse), read_only=True) as db:
        assert db.execute(
            "select kind, unit_code, message_kind, sent_at is not null from notices where message_kind = ?",
            ["acknowledgement"],
        ).fetchall() == [("received", "027", "acknowledgement", True)]
    mail_server.mailbox.received.clear()
    assert (
        notify_after_ingest(told, accounts=PortalAccounts(told.accounts))["messages"] == {}
        and mail_server.messages == []
    )  # told once


@pytest.mark.parametrize("kind", kinds.every(), ids=lambda kind: kind.name)
def test_every_built_in_kind_has_its_words_its_query_and_its_templates(kind):
    assert kind.subject in entries()
    if kind.subject_fields is None:  # the default subject counts each item kind with its own words
        assert all(f"notice.count_{item}" in entries() for item in kind.items)
    assert kind.query.is_file()
    assert (kind.templates / f"{kind.name}.txt.j2").is_file() and (kind.templates / f"{kind.name}.html.j2").is_file()
    assert kind.moments and set(kind.moments) <= set(kinds.WHEN)
    assert kind.audiences and all(audience in ("unit", "approvers", "province") for audience in kind.audiences)
