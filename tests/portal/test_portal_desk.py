"""The analysts' SQL desk (the province's): SQL on the snapshot through the page and `POST /api/v1/query`, in
the sandbox of `chiso query` and held to its limits, the answer paged and downloaded (CSV, XLSX formula-safe;
Parquet verbatim), saved queries shared across the province (seeded with the analyst guide's questions), the
snapshot file for DuckDB 1.5; a unit's account sees none of it.

The limits are checked in-process (FastAPI's TestClient on the module's home, tight limits): a long query, a
huge result, a hungry one, and the desk's slots all taken. The rest asks the module's real server."""

from __future__ import annotations

import csv
import io
import re
import shutil
import struct
import subprocess
import sys
import tomllib
from html import unescape
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from portal_helpers import CLERK_026, PASSWORD, PROVINCE, api, browser_page, logged_in, page_csrf

from builders import PROJECT_ROOT
from chiso.sandboxed_query import Answer
from core.settings import load_settings
from portal.accounts import Accounts
from portal.app import create_app
from portal.desk import SEEDS, Desk, download
from portal.errors import PortalError

OTHER_ANALYST = "phantich@tinh.example.vn"  # a second province account: saved queries are shared
FORMULA = '=HYPERLINK("http://evil.example","x")'
DOWNLOADED = (
    f"select '{FORMULA.replace(chr(39), chr(39) * 2)}' as f, 42 as n, 1.5 as x, date '2017-03-31' as d, null as z"
)


def _guide_questions() -> dict[str, str]:
    guide = (PROJECT_ROOT / "docs" / "analyst-guide.md").read_text(encoding="utf-8")
    section = guide.split("## The steering committee's questions", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"```sql\n-- (\w+)\n(.*?)```", section, flags=re.S))


def test_the_seeds_are_the_analyst_guides_questions_word_for_word():
    seeds = tomllib.loads(SEEDS.read_text(encoding="utf-8"))
    assert {name: seed["sql"] for name, seed in seeds.items()} == _guide_questions()
    assert all(seed["vi"] and seed["en"] and seed["vi"] != seed["en"] for seed in seeds.values())


def test_a_workbook_past_what_a_sheet_holds_is_refused():
    table = duckdb.sql("select range as n from range(1048576)").to_arrow_table()
    with pytest.raises(PortalError) as refused:
        download(Answer(table, False), "xlsx")
    assert refused.value.status_code == 400 and "at most 1,048,575 rows" in refused.value.text.en


@pytest.fixture(scope="module")
def province(server, home):
    accounts = Accounts(home.settings.accounts)
    other = accounts.add(OTHER_ANALYST, "02", "province")
    accounts.set_password(other.account_id, PASSWORD)
    return logged_in(server, PROVINCE)


def _run(client, sql: str, **extra: str):
    return client.post("/province/sql", data={"csrf_token": page_csrf(client), "sql": sql, **extra})


def _cells(html: str) -> list[str]:
    table = html[html.index('<table class="answer">') : html.index("</table>", html.index('<table class="answer">'))]
    return [unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", table, flags=re.S)]


def test_a_unit_sees_nothing_of_the_desk(server, province):
    clerk = logged_in(server, CLERK_026)
    assert 'href="/province/sql"' not in clerk.get("/").text
    assert 'href="/province/sql"' in province.get("/").text  # the province's header links it
    for answer in (
        clerk.get("/province/sql"),
        clerk.get("/province/snapshot.duckdb"),
        clerk.post("/province/sql", data={"csrf_token": page_csrf(clerk), "sql": "select 1"}),
        api(server, CLERK_026).post("/api/v1/query", json={"sql": "select * from submissions"}),
    ):
        assert answer.status_code == 403, answer.text
        assert "select" not in answer.text.lower() and "submissions" not in answer.text


def test_the_page_runs_sql_pages_the_answer_and_needs_the_csrf_token(province):
    first = _run(province, "select range as n from range(250) order by n")
    assert first.status_code == 200
    assert _cells(first.text)[:3] == ["0", "1", "2"] and len(_cells(first.text)) == 100
    assert "Dòng 1–100 trong 250 dòng" in first.text and "Rows 1–100 of 250" in first.text
    second = _run(province, "select range as n from range(250) order by n", page="3")
    assert _cells(second.text) == [str(n) for n in range(200, 250)] and "Trang 3/3" in second.text
    error = _run(province, "select * from no_such_view")
    assert error.status_code == 400 and "no_such_view" in error.text
    assert "DuckDB không chạy được câu lệnh này" in error.text and "DuckDB cannot run this statement" in error.text
    forged = province.post("/province/sql", data={"csrf_token": "forged", "sql": "select 1"})
    assert forged.status_code == 403


def test_the_api_answers_a_page_with_its_columns_and_says_when_cut(server, home, province):
    client = api(server, PROVINCE)
    answer = client.post(
        "/api/v1/query",
        json={"sql": "select unit_code, status from submissions order by submission_id", "page_size": 2},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["columns"] == ["unit_code", "status"] and len(body["rows"]) == 2
    assert body["truncated"] is False and body["rows_kept"] == 4 and body["pages"] == 2
    with duckdb.connect(str(home.settings.snapshot), read_only=True) as db:
        expected = db.execute("select unit_code, status from submissions order by submission_id").fetchall()
    second = client.post(
        "/api/v1/query",
        json={"sql": "select unit_code, status from submissions order by submission_id", "page": 2, "page_size": 2},
    ).json()
    assert [tuple(row) for row in body["rows"] + second["rows"]] == expected
    typed = client.post("/api/v1/query", json={"sql": DOWNLOADED}).json()
    assert typed["rows"] == [[FORMULA, 42, 1.5, "2017-03-31", None]]  # JSON keeps values verbatim
    bad = client.post("/api/v1/query", json={"sql": "selec 1"})
    assert bad.status_code == 400 and {"vi", "en", "detail"} <= set(bad.json())
    assert client.post("/api/v1/query", json={"sql": ""}).status_code == 422


@pytest.mark.parametrize(
    "sql",
    [
        "select * from read_csv('/etc/passwd')",
        "select * from read_text('/etc/passwd')",
        "select * from read_blob('/etc/hostname')",
        "select * from glob('/etc/*')",
        "select * from '/etc/passwd'",
        "select * from read_parquet('/tmp/any.parquet')",
        "attach '/tmp/chiso-desk-attached.duckdb' as other",
        "install httpfs",
        "load httpfs",
        "copy (select * from submissions) to '/tmp/chiso-desk-copied.csv'",
        "export database '/tmp/chiso-desk-exported'",
        "set memory_limit = '100GB'",
        "set threads = 64",
        "set enable_external_access = true",
        "pragma memory_limit = '100GB'",
        "reset memory_limit",
        "create table mine as select 1 as a",
        "delete from submissions",
        "select * from sqlite_scan('/tmp/any.db', 'accounts')",
    ],
)
def test_hostile_sql_is_refused_in_both_languages_and_touches_no_file(server, home, province, sql):
    answer = api(server, PROVINCE).post("/api/v1/query", json={"sql": sql})
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["vi"] and body["en"] and "root:" not in answer.text and "/bin/" not in answer.text
    for made in ("chiso-desk-attached.duckdb", "chiso-desk-copied.csv", "chiso-desk-exported"):
        assert not (Path("/tmp") / made).exists()
    with duckdb.connect(str(home.settings.snapshot), read_only=True) as db:
        assert db.execute("select count(*) from submissions").fetchone() == (4,)


def test_downloads_read_back_equal_and_formula_safe(province, tmp_path):
    csv_file = _run(province, DOWNLOADED, format="csv")
    assert csv_file.status_code == 200 and csv_file.headers["content-type"].startswith("text/csv")
    assert 'filename="query.csv"' in csv_file.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert rows == [["f", "n", "x", "d", "z"], ["'" + FORMULA, "42", "1.5", "2017-03-31", ""]]
    xlsx = _run(province, DOWNLOADED, format="xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["f", "n", "x", "d", "z"]
    assert values[1][:3] == ["'" + FORMULA, 42, 1.5] and values[1][4] is None
    assert values[1][3].date().isoformat() == "2017-03-31"
    assert sheet["A2"].data_type == "s"  # text, never a formula
    parquet = _run(province, DOWNLOADED, format="parquet")
    (tmp_path / "query.parquet").write_bytes(parquet.content)
    with duckdb.connect() as db:
        db.execute("create table p as select * from read_parquet(?)", [str(tmp_path / "query.parquet")])
        assert db.execute("select * from p").fetchall() == db.execute(DOWNLOADED).fetchall()  # verbatim
    assert _run(province, "select 1", format="xls").status_code == 404


def test_saved_queries_are_shared_across_the_province_and_start_with_the_guides(server, home, province):
    seeds = tomllib.loads(SEEDS.read_text(encoding="utf-8"))
    desk = province.get("/province/sql").text
    assert all(unescape(desk).count(seed["vi"]) == 1 for seed in seeds.values())
    other = logged_in(server, OTHER_ANALYST)
    sql = "select status, count(*) as files from submissions group by status order by status"
    saved = province.post(
        "/province/sql/saved", data={"csrf_token": page_csrf(province), "title": "Tệp theo trạng thái", "sql": sql}
    )
    assert saved.status_code == 303
    query_id = int(saved.headers["location"].rsplit("=", 1)[1])
    forged = {"csrf_token": "forged", "title": "x", "sql": "select 1"}
    assert province.post("/province/sql/saved", data=forged).status_code == 403
    assert province.post(f"/province/sql/saved/{query_id}/delete", data=forged).status_code == 403
    opened = other.get(f"/province/sql?saved={query_id}").text  # another analyst of the province sees it
    assert "Tệp theo trạng thái" in opened and f"lưu bởi {PROVINCE}" in opened
    assert unescape(opened.split('id="sql"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]) == sql
    ran = _run(other, sql)
    assert _cells(ran.text) == ["accepted", "3", "rejected", "1"]
    deleted = other.post(f"/province/sql/saved/{query_id}/delete", data={"csrf_token": page_csrf(other)})
    assert deleted.status_code == 303
    assert "Tệp theo trạng thái" not in province.get("/province/sql").text
    assert province.get(f"/province/sql?saved={query_id}").status_code == 404
    # A seed the province deleted stays deleted, even for a portal that seeds afresh.
    seeded = Desk(home.settings, Accounts(home.settings.accounts)).saved()[0]
    assert seeded.seed == "deployment"
    other.post(f"/province/sql/saved/{seeded.query_id}/delete", data={"csrf_token": page_csrf(other)})
    assert "deployment" not in [s.seed for s in Desk(home.settings, Accounts(home.settings.accounts)).saved()]
    assert (
        province.post("/province/sql/saved/999999/delete", data={"csrf_token": page_csrf(province)}).status_code == 404
    )


def test_every_seed_runs_on_the_snapshot(server, province):
    client = api(server, PROVINCE)
    for name, seed in tomllib.loads(SEEDS.read_text(encoding="utf-8")).items():
        answer = client.post("/api/v1/query", json={"sql": seed["sql"]})
        assert answer.status_code == 200, (name, answer.text)


def test_the_snapshot_downloads_whole_for_duckdb_1_5(home, province, tmp_path):
    answer = province.get("/province/snapshot.duckdb")
    assert answer.status_code == 200
    assert 'filename="chiso-snapshot.duckdb"' in answer.headers["content-disposition"]
    assert answer.content == home.settings.snapshot.read_bytes()
    downloaded = tmp_path / "chiso-snapshot.duckdb"
    downloaded.write_bytes(answer.content)
    reference = tmp_path / "reference-1.5.duckdb"
    with duckdb.connect(str(reference), config={"storage_compatibility_version": "v1.5.0"}) as db:
        db.execute("create table t as select 1 as a")
    # The header's storage version number (bytes 12-19 of the file) is the one DuckDB writes for 1.5 files.
    (version,) = struct.unpack_from("<Q", answer.content, 12)
    (expected,) = struct.unpack_from("<Q", reference.read_bytes(), 12)
    assert version == expected < 999  # 999: a file only DuckDB 2.0 opens
    with duckdb.connect(str(downloaded), read_only=True) as db:
        (tags,) = db.execute("select tags from duckdb_databases() where database_name = current_database()").fetchone()
        assert tags["storage_version"] == "v1.5.0+"
        assert db.execute("select count(*) from submissions").fetchone() == (4,)
    cli = shutil.which("duckdb", path=str(Path(sys.executable).parent))  # the lock's DuckDB CLI: 1.5
    assert cli is not None
    opened = subprocess.run(
        [cli, "-readonly", "-csv", str(downloaded), "-c", "select version(), count(*) from submissions"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert opened.returncode == 0, opened.stderr
    version_text, count = opened.stdout.splitlines()[1].split(",")
    assert version_text.startswith("v1.5.") and count == "4"


# --- the limits, in-process: a long query, a huge result, a hungry one, the slots taken -------------------------


@pytest.fixture(scope="module")
def tight(home):
    settings = load_settings(home=home.root, desk_seconds=2, desk_rows=50, desk_queries_at_once=1, query_memory="200MB")
    app = create_app(settings)
    with TestClient(app) as client:
        client.headers["authorization"] = f"Bearer {home.tokens[PROVINCE]}"
        yield app, client


def test_a_long_query_is_stopped_by_the_time_limit(tight):
    _, client = tight
    answer = client.post("/api/v1/query", json={"sql": "select count(*) from range(1000000000000)"})
    assert answer.status_code == 400
    assert "chạy quá 2 giây nên đã bị dừng" in answer.json()["vi"] and "ran past 2 s" in answer.json()["en"]


def test_a_huge_result_is_cut_at_the_row_limit(tight):
    _, client = tight
    body = client.post("/api/v1/query", json={"sql": "select * from range(1000000000)", "page": 9}).json()
    assert body["truncated"] is True and body["rows_kept"] == 50 and body["pages"] == 1
    assert body["page"] == 1 and [row[0] for row in body["rows"]] == list(range(50))  # a page past the last: the last
    whole = client.post("/api/v1/query", json={"sql": "select * from range(50)"}).json()
    assert whole["truncated"] is False and whole["rows_kept"] == 50


def test_a_query_that_asks_for_huge_memory_is_stopped(tight):
    _, client = tight
    hungry = "select max(len(l)) from (select list(range) as l from range(500000000))"
    answer = client.post("/api/v1/query", json={"sql": hungry})
    assert answer.status_code == 400 and "more memory than 200MB" in answer.json()["en"]


def test_an_answer_of_huge_cells_is_refused_before_it_is_written(tight):
    _, client = tight
    answer = client.post("/api/v1/query", json={"sql": "select repeat('x', 2000000) as s from range(40)"})
    assert answer.status_code == 400 and "more than 64 MB" in answer.json()["en"] and "64 MB" in answer.json()["vi"]


def test_past_the_desks_slots_a_query_waits_then_gets_503_in_both_languages(tight):
    app, client = tight
    desk = app.state.desk
    with desk.slot():  # the one slot taken, as by a long query
        answer = client.post("/api/v1/query", json={"sql": "select 1"})
    assert answer.status_code == 503 and answer.headers["retry-after"] == "1"
    assert "Bàn phân tích đang chạy nhiều truy vấn khác" in answer.json()["vi"]
    assert "try again in 1 s" in answer.json()["en"]
    assert client.post("/api/v1/query", json={"sql": "select 1 as one"}).json()["rows"] == [[1]]


def test_on_a_phone_the_desk_runs_a_wide_query_and_nothing_scrolls_sideways(browser, server, province):
    page = browser_page(browser, server, PROVINCE)
    page.click('header a[href="/province/sql"]')
    page.fill("#sql", "select * from submissions order by submission_id")
    page.click("form.desk button.primary")
    assert page.locator("table.answer tbody tr").count() == 4  # every column, the table scrolls in its box
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375 + 1
    for selector in ("#sql", "form.desk button.primary", "p.downloads button"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375 + 1, selector
