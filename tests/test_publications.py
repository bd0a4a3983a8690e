"""Publications (issue 21): each publish numbered and kept with what entered and left and a digest of
the tables; a past publication's report written again, identical but for its generation stamp; the
reports kept beside the publications.

On a copy of the session's demo warehouse (published once: publication 1), then a newer file that
supersedes one of the demo's, a refused file and an approval, each published in turn.
"""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta

import duckdb
import pytest

from builders import csv_bytes, department_report, district_report, write
from chiso.approval import Slot, act
from chiso.cli import main
from chiso.context import RunContext
from chiso.pipeline import ingest_paths, publish_snapshot
from chiso.publications import kept_reports, past_report, write_and_keep
from chiso.report import REPORT_NAME
from chiso.report.build import build_report, lineage_path
from core.settings import load_settings
from warehouse.publications import NoSuchPublication, find, publications

SLOT = Slot("DP-HUYEN", "026", "2017Q3")
NEWER, REFUSED = "DP-HUYEN_026_2017Q3_sua.csv", "DP-SN_SYT_2017Q2_loi.csv"
# The one line that may differ: "Lập lúc / Generated <time>".
STAMP = re.compile(r"(Generated</dt><dd>)[^<]*")


def masked(html: str) -> str:
    assert len(STAMP.findall(html)) == 1
    return STAMP.sub(r"\1…", html)


def rows(settings, sql: str, *parameters) -> list[tuple]:
    with duckdb.connect(str(settings.snapshot), read_only=True) as connection:
        return connection.execute(sql, list(parameters)).fetchall()


def current_report(settings):
    """The report of the current publication, as `chiso report` writes it (and keeps it)."""
    return write_and_keep(settings, lambda: build_report(settings.snapshot, settings.reports / REPORT_NAME))


@pytest.fixture(scope="module")
def story(demo_warehouse, tmp_path_factory):
    _, _, demo = demo_warehouse
    root = tmp_path_factory.mktemp("publications")
    settings = load_settings(home=root / "home")
    shutil.copytree(demo.warehouse.parent, settings.warehouse.parent)
    reports = {1: current_report(settings)}
    repeated = publish_snapshot(settings)  # nothing changed: not numbered again

    inbox = root / "in"
    write(inbox / NEWER, csv_bytes(district_report("026", "2017Q3").setting("NV_GIAO", 777)), "2021-05-20 09:00")
    write(inbox / REFUSED, csv_bytes(department_report("SYT", "2017Q2").setting("NV_CUTHE", -1)), "2021-05-20 09:05")
    run = ingest_paths([inbox], RunContext.of(settings, as_of=date(2021, 6, 1)), publish_snapshot=True)
    assert {v.file_name: v.status for v in run.verdicts} == {NEWER: "accepted", REFUSED: "rejected"}
    reports[2] = current_report(settings)

    act(settings, SLOT, "approve", by="lanhdao@dongvan.example.vn", request_id="publication-test-approve")
    publish_snapshot(settings, cause="approval", run_id="publication-test-approve")
    reports[3] = current_report(settings)
    return settings, reports, repeated, run.run_id


def test_each_publish_is_numbered_with_its_cause_and_run(story):
    settings, _, repeated, run_id = story
    assert repeated == str(settings.snapshot)
    with duckdb.connect(str(settings.snapshot), read_only=True) as connection:
        held = publications(connection)
    assert [(p.number, p.cause, p.run_id) for p in held] == [
        (3, "approval", "publication-test-approve"),
        (2, "ingest", run_id),
        (1, "ingest", held[-1].run_id),  # the demo's own ingest, published once though published twice
    ]
    assert held[0].published_at >= held[1].published_at >= held[2].published_at
    assert held[0].last_action_id is not None and held[1].last_action_id is None


def test_a_publication_names_the_submissions_that_entered_and_left(story):
    settings, *_ = story
    changes = rows(
        settings,
        "select change, file_name, status from publication_changes join submission_records using (submission_id)"
        " where publication_no = 2 order by change, file_name",
    )
    superseded = rows(
        settings,
        "select file_name from submission_records where dataset_code = ? and unit_code = ? and period = ?"
        " and status = 'superseded' order by received_at desc limit 1",
        SLOT.dataset_code,
        SLOT.unit_code,
        SLOT.period,
    )[0][0]
    assert changes == [
        ("entered", NEWER, "accepted"),
        ("left", superseded, "superseded"),
        ("received", REFUSED, "rejected"),
    ]
    assert rows(settings, "select count(*) from publication_changes where publication_no = 3") == [(0,)]
    first = rows(settings, "select change, count(*) from publication_changes where publication_no = 1 group by all")
    assert (
        dict(first)["entered"]
        == rows(settings, "select submissions_in_force from publications where publication_no = 1")[0][0]
    )


def test_the_digests_change_with_the_tables_and_only_them(story):
    settings, *_ = story
    changed = rows(
        settings,
        "select now.table_name from publication_tables as now join publication_tables as before using (table_name)"
        " where now.publication_no = ? and before.publication_no = ? and now.digest <> before.digest order by 1",
        3,
        2,
    )
    assert changed == [("approval_log",)]
    before_after = rows(
        settings,
        "select publication_no, row_count from publication_tables where table_name = 'submission_records' order by 1",
    )
    assert [count for _, count in before_after][1] == before_after[0][1] + 2


@pytest.mark.parametrize("number", [1, 2])
def test_a_past_publications_report_is_written_again_identical(story, number, tmp_path):
    settings, reports, *_ = story
    _, kept = reports[number]
    publication, again = past_report(settings.snapshot, tmp_path / REPORT_NAME, number=number)
    assert publication.number == number
    assert masked(again.read_text(encoding="utf-8")) == masked(kept.read_text(encoding="utf-8"))
    companion = lineage_path(again).read_text(encoding="utf-8")  # the figures' lineage as it was too
    assert companion == lineage_path(kept).read_text(encoding="utf-8")  # it carries no generation stamp
    # and the data did change since: the current report is another
    current = (settings.reports / REPORT_NAME).read_text(encoding="utf-8")
    assert masked(current) != masked(kept.read_text(encoding="utf-8"))


def test_the_reports_are_kept_beside_their_publication(story):
    settings, reports, *_ = story
    assert [kept for _, kept in reports.values()] == [
        settings.home / "publications" / str(n) / REPORT_NAME for n in (1, 2, 3)
    ]
    listed = kept_reports(settings, settings.snapshot)
    assert [(k.publication.number, [f.name for f in k.files]) for k in listed] == [
        (n, [REPORT_NAME]) for n in (3, 2, 1)
    ]
    # Each kept report keeps its companion, which its figures' links open (the lineage).
    for _, kept in reports.values():
        assert 'href="report.lineage.html#' in kept.read_text(encoding="utf-8")
        assert lineage_path(kept).is_file()


def test_as_of_finds_the_publication_in_force_then(story):
    settings, *_ = story
    with duckdb.connect(str(settings.snapshot), read_only=True) as connection:
        second = find(connection, 2)
        assert find(connection, as_of=second.published_at).number == 2
        assert find(connection, as_of=second.published_at - timedelta(microseconds=1)).number == 1
        with pytest.raises(NoSuchPublication, match="publications 1 to 3"):
            find(connection, as_of=second.published_at.replace(year=2000))
        with pytest.raises(NoSuchPublication, match="no publication 9"):
            find(connection, 9)


def test_chiso_report_publication_and_as_of(story, monkeypatch, capsys):
    settings, reports, *_ = story
    monkeypatch.setenv("CHISO_HOME", str(settings.home))
    assert main(["report", "--publication", "1"]) == 0
    written = settings.reports / "publication-1" / REPORT_NAME
    assert "report of publication 1 " in capsys.readouterr().out
    assert masked(written.read_text(encoding="utf-8")) == masked(reports[1][1].read_text(encoding="utf-8"))
    assert main(["report", "--as-of", "2000-01-01"]) == 2
    assert "nothing was published by 2000-01-01 23:59" in capsys.readouterr().err
    assert main(["report", "--as-of", "9999-12-31", "--official", "--output", str(settings.home / "o.html")]) == 0
    assert "report of publication 3 " in capsys.readouterr().out
    # the current publication's official report, written elsewhere, is kept under its usual name
    assert main(["report", "--official", "--output", str(settings.home / "elsewhere.html")]) == 0
    kept = settings.home / "publications" / "3" / "report-official.html"
    assert f"kept as {kept}" in capsys.readouterr().out
    assert kept.read_bytes() == (settings.home / "elsewhere.html").read_bytes()


def test_a_past_warehouse_keeps_the_supersession_as_it_was(story, tmp_path):
    """The rebuilt warehouse of publication 1: the demo's file in force for the slot, as then."""
    from warehouse.publications import rebuild_past

    settings, *_ = story
    with duckdb.connect(str(settings.snapshot), read_only=True) as connection:
        first = find(connection, 1)
    past = rebuild_past(settings.snapshot, tmp_path / "past.duckdb", first)
    with duckdb.connect(str(past), read_only=True) as connection:
        in_force = connection.execute(
            "select file_name, superseded_by from submission_records where dataset_code = ? and unit_code = ?"
            " and period = ? and status = 'accepted'",
            [SLOT.dataset_code, SLOT.unit_code, SLOT.period],
        ).fetchall()
        assert connection.execute("select max(publication_no) from publications").fetchone() == (1,)
        assert connection.execute("select count(*) from approval_log").fetchone() == (0,)
    assert len(in_force) == 1 and in_force[0][0] != NEWER and in_force[0][1] is None
