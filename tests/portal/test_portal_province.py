"""The province's desk: a period, what is late or missing now and whom to call, counts that open their
lists, downloads, every file received by any channel, and the way to the report and back."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from openpyxl import load_workbook
from portal_helpers import CLERK_026, PROVINCE, logged_in, page_csrf, run_inbox

from builders import csv_bytes, district_report

CONTACT_026 = "vanthu@dongvan.hagiang.example"  # catalog/contacts.csv


@pytest.fixture(scope="module")
def province(server, home):
    clerk = logged_in(server, CLERK_026)
    data = csv_bytes(district_report("026", "2017Q3"))
    sent = clerk.post("/send", data={"csrf_token": page_csrf(clerk)}, files={"file": ("Dong Van Q3.csv", data)})
    assert sent.status_code == 303
    run_inbox(home)
    return logged_in(server, PROVINCE)


def _section(page: str, name: str) -> str:
    start = page.index(f'<section id="{name}"')
    return page[start : page.index("</section>", start)]


def test_the_desk_filters_by_period_and_its_counts_link_to_their_lists(province):
    whole = province.get("/").text
    quarter = province.get("/?period=2017Q1").text
    year = province.get("/?period=2017").text
    assert 'option value="2017Q1" selected' in quarter and 'option value="2017" selected' in year
    # 2017Q1: one report per district expected, 026's on time, 028 (nothing sent) missing, with links to the lists.
    units = _section(quarter, "units")
    assert 'href="/province/list?status=on_time&amp;unit=026&amp;period=2017Q1">1</a>' in units
    assert 'href="/province/list?status=missing&amp;unit=028&amp;period=2017Q1">1</a>' in units
    expected = [
        int(n) for n in re.findall(r"status=all&amp;unit=026&amp;period=[^\"]+\">(\d+)</a>", _section(whole, "units"))
    ]
    assert expected and expected[0] > 20  # the whole plan: many reports
    assert province.get("/?period=1999").status_code == 404


def test_what_is_late_or_missing_now_names_each_units_contacts(province):
    chase = _section(province.get("/?period=2017Q2").text, "chase")
    assert 'href="mailto:vanthu@' in chase  # each unit's contacts, from catalog/contacts.csv
    assert "quá hạn" in chase and "overdue" in chase and "See all (" in chase
    owed_026 = province.get("/province/list?status=owed&unit=026&period=2017Q2").text
    assert f'href="mailto:{CONTACT_026}"' in owed_026 and "Chỉ có tệp bị từ chối" in owed_026  # rejected only
    listed = province.get("/province/list?status=missing&unit=028&period=2017").text
    assert "DP-HUYEN" in listed and "2017Q4" in listed and "vanthu@yenminh.hagiang.example" in listed
    assert "026" not in re.sub(r"<[^>]+>", " ", listed.split("<tbody>")[1])


def test_the_overview_and_each_list_download_as_csv_and_xlsx(province):
    table = province.get("/province/overview.csv?period=2017Q1")
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    assert 'filename="overview_2017Q1.csv"' in table.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    by_unit = {row["unit_code"]: row for row in rows}
    assert by_unit["026"]["on_time"] == "1" and by_unit["028"]["missing"] == "1"
    sheet = load_workbook(io.BytesIO(province.get("/province/list.xlsx?status=owed&period=2017").content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["unit_code", "unit_name", "dataset_code"] and values[0][-1] == "contacts"
    assert any(row[0] == "026" and CONTACT_026 in row[-1] for row in values[1:])
    listed = province.get("/province/list.csv?status=all&unit=026&period=all").content.decode("utf-8-sig")
    assert "on_time" in listed and "rejected_only" in listed
    assert province.get("/province/list.pdf").status_code == 404


def test_every_file_received_shows_who_or_what_brought_it_and_never_none(province):
    page = province.get("/").text
    received = unescape(_section(page, "received"))
    assert "Dong Van Q3.csv" in received and CLERK_026 in received  # through the portal, by whom
    assert "portal-0000001" not in page  # the clerk's name, never the inbox's
    assert "DP-HUYEN_027_2017Q1.csv" in received and "hộp thư đến" in received  # copied into the inbox
    assert "None" not in re.sub(r"<[^>]+>", " ", page).split()


def test_the_report_links_back_to_the_desk(province):
    assert 'href="/report"' in province.get("/").text
    report = province.get("/report")
    assert report.status_code == 200 and '<nav><a href="/">' in report.text


def test_the_lineage_page_traces_a_figure_to_the_files_sent(province):
    """Each figure the province's pages show opens its lineage: the values behind it, each file as the clerk
    named it, when it arrived, who sent it and its rows (issue 21)."""
    figure = province.get("/province/lineage?indicator=NV_GIAO&period=2017Q3&scope=district")
    assert figure.status_code == 200
    assert "Nguồn gốc số liệu" in figure.text and "Where the figures come from" in figure.text
    assert "Dong Van Q3.csv" in figure.text and CLERK_026 in figure.text  # the clerk's name; who sent it
    assert "portal-" not in figure.text  # not the inbox's name for it
    cell = province.get("/province/lineage?dataset=DP-HUYEN&unit=026&period=2017Q3").text
    assert "Dong Van Q3.csv" in cell and CLERK_026 in cell and "2, 3, 4, 5, 6, 7, 8" in cell
    # The desk's reports and the report's figures link to it.
    chase = _section(province.get("/?period=2017Q2").text, "chase")
    assert 'href="/province/lineage?dataset=DP-SN&amp;unit=' in chase
    report = province.get("/report").text
    assert 'href="/province/lineage?indicator=NV_TYLE_TRIENKHAI&amp;period=2017Q3&amp;scope=district"' in report
    assert 'href="/province/lineage?dataset=DP-HUYEN&amp;unit=026&amp;period=2017Q3"' in report
    missing = province.get("/province/lineage?indicator=NV_GIAO&period=2031")
    assert missing.status_code == 404 and "No such figure" in missing.text


def test_a_unit_is_refused_the_lineage_page(server, province):
    clerk = logged_in(server, CLERK_026)
    assert clerk.get("/province/lineage?indicator=NV_GIAO&period=2017Q3&scope=district").status_code == 403


def test_the_publications_are_listed_with_their_kept_reports(province, home):
    from chiso.publications import write_and_keep
    from chiso.report.build import build_report

    settings = home.settings
    _, kept = write_and_keep(settings, lambda: build_report(settings.snapshot, settings.reports / "report.html"))
    number = int(kept.parent.name)
    assert 'href="/province/publications"' in province.get("/").text
    page = province.get("/province/publications").text
    link = f'href="/province/publications/{number}/report.html"'
    assert link in page and "Các lần công bố" in page and "Publications" in page
    assert f"chiso report --publication {number - 1}" in page or number == 1  # an older one: none kept
    report = province.get(f"/province/publications/{number}/report.html")
    assert report.status_code == 200 and "default-src 'none'" in report.headers["content-security-policy"]
    assert '<nav><a href="/province/publications">' in report.text
    assert report.text.count("<svg") == kept.read_text(encoding="utf-8").count("<svg")
    assert province.get(f"/province/publications/{number}/report.lineage.html").status_code == 200  # its links
    assert province.get(f"/province/publications/{number}/other.html").status_code == 404
    assert province.get(f"/province/publications/{number + 1}/report.html").status_code == 404
