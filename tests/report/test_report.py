"""The HTML monitoring report: self-contained, every datum escaped, and its charts really drawn.

The demo warehouse is built once (conftest.py). Headless Chromium renders the report twice: `--dump-dom` after
an injected probe measured each chart (getBBox of its marks, the page's fetched resources), and
`--screenshot`, whose pixels must show each chart's colours inside the chart's box.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from markupsafe import escape
from needs import program
from report_helpers import HOSTILE_FILE, HOSTILE_STORED

DATA_CHARTS = {
    "completeness-DP-SN": ("status_on_time",),
    "completeness-DP-HUYEN": ("status_on_time",),
    "completeness-CNTT-NAM": ("status_on_time",),
    # the communes owe from 2025Q3 (the catalog's 2021-2030 plan); this report's files are of 2016-2017
    "completeness-DP-XA": ("status_missing",),
    "completeness-CNTT-XA": ("status_missing",),
    "task-groups-department": ("planned", "realised"),
    "task-groups-district": ("planned", "realised"),
    "task-groups-province": ("planned", "realised"),
    "funding": ("planned", "realised"),
    "it-share": ("realised", "target"),
}
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]
# Injected into a copy of the report (the report itself has no script): measures every chart.
PROBE = """<script>
(function () {
  var charts = [];
  document.querySelectorAll('svg.chart').forEach(function (svg) {
    var box = svg.getBoundingClientRect(), drawn = 0, area = 0, marks = svg.querySelectorAll('.mark');
    marks.forEach(function (mark) {
      var b = mark.getBBox(), r = mark.getBoundingClientRect(), style = getComputedStyle(mark);
      var sized = mark.tagName === 'line' ? (b.width > 0 || b.height > 0) : (b.width > 0 && b.height > 0);
      if (sized && r.width > 0 && style.visibility === 'visible' && style.display !== 'none') drawn++;
      if (mark.tagName === 'rect') area += r.width * r.height;
    });
    charts.push({id: svg.id, x: box.left + scrollX, y: box.top + scrollY, width: box.width, height: box.height,
                 marks: marks.length, drawn: drawn, area: area});
  });
  document.body.setAttribute('data-charts-drawn', charts.filter(function (c) { return c.drawn > 0; }).length);
  document.body.setAttribute('data-probe', JSON.stringify({
    charts: charts,
    height: document.documentElement.scrollHeight,
    resources: performance.getEntriesByType('resource').map(function (e) { return e.name; }),
    scripts: document.querySelectorAll('script').length,
    images: document.querySelectorAll('img, iframe, object, embed, link').length,
    text: document.body.textContent
  }));
})();
</script>"""


def test_the_report_is_self_contained(report_html):
    text = report_html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    style = "".join(re.findall(r"<style>(.*?)</style>", text, re.S))
    assert style and "url(" not in style and "@import" not in style and "http" not in style
    assert not re.search(r"<(script|link|img|iframe|object|embed|source|video|audio)\b", text, re.I)
    references = re.findall(r"\b(?:src|href|srcset|action|poster|xlink:href)\s*=\s*\"([^\"]*)\"", text, re.I)
    # within the page, or a figure's lineage in the companion file written beside it
    assert references and all(ref.startswith(("#", "report.lineage.html#")) for ref in references), references
    assert not re.search(r"=\s*[\"']?\s*(https?:)?//", text)  # no attribute points anywhere off the page


def test_header_has_plan_as_of_and_generation_time(report_html, hostile_warehouse):
    import duckdb

    with duckdb.connect(str(hostile_warehouse), read_only=True) as db:
        [(as_of,)] = db.execute("select max(received_at) from submissions").fetchall()
    text = report_html.read_text(encoding="utf-8")
    # the plan in force, continuing the breakthrough plan 2016-2020
    assert "Kế hoạch phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số" in text
    assert f"<dt>Số liệu đến / Data as of</dt><dd>{as_of:%Y-%m-%d %H:%M}</dd>" in text  # the latest file received
    assert '<dd>2021-06-01 08:30 <span class="en">(Asia/Ho_Chi_Minh)</span></dd>' in text
    assert "Tỷ lệ ứng dụng CNTT" in text and "IT-application share" in text


def test_data_is_escaped_not_markup(report_html):
    text = report_html.read_text(encoding="utf-8")
    assert HOSTILE_STORED not in text and str(escape(HOSTILE_STORED)) in text
    assert HOSTILE_FILE not in text and str(escape(HOSTILE_FILE)) in text
    assert "<b>ghi chú</b>" not in text and "&lt;/svg&gt;&lt;script&gt;alert(2)" in text
    assert "<b>ba</b>" not in text and "&lt;b&gt;ba&lt;/b&gt;" in text  # the hostile file's value, in its reason


def test_rejections_and_warnings_are_listed_bilingually(report_html, hostile_warehouse):
    import duckdb

    text = report_html.read_text(encoding="utf-8")
    with duckdb.connect(str(hostile_warehouse), read_only=True) as db:
        reasons = db.execute("select message_vi, message_en from rejection_reasons").fetchall()
        warnings = db.execute("select message_vi, message_en from submission_warnings").fetchall()
    assert len(reasons) > 5 and len(warnings) > 5
    for vi, en in [*reasons, *warnings]:
        assert str(escape(vi)) in text and str(escape(en)) in text


def test_monitoring_refresh_writes_the_report_and_keeps_the_csvs(demo):
    from chiso.monitoring import refresh_outputs

    written = refresh_outputs(demo)
    # and the report kept beside the snapshot's publication (chiso.publications)
    assert set(written) == {"completeness", "reporting_rates", "report", "kept_report"}
    assert written["kept_report"].startswith(str(demo.home / "publications"))
    assert "DP-SN,SKHCN," in Path(written["completeness"]).read_text(encoding="utf-8")
    report = Path(written["report"])
    assert report == demo.reports / "report.html" and "svg" in report.read_text(encoding="utf-8")
    assert not list(demo.reports.glob("*.partial"))


def test_cli_writes_the_report(demo, tmp_path):
    output = tmp_path / "r.html"
    env = {**os.environ, "CHISO_HOME": str(demo.home)}
    chiso = str(Path(sys.executable).parent / "chiso")
    done = subprocess.run([chiso, "report", "--output", str(output)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert str(output) in done.stdout and output.read_text(encoding="utf-8").count('<svg class="chart"') == 12
    missing = subprocess.run(
        [chiso, "report", "--warehouse", str(tmp_path / "none.duckdb")], capture_output=True, text=True, env=env
    )
    assert missing.returncode == 2 and "no warehouse" in missing.stderr


# --- in a real browser -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> str:
    """Chromium's path; checked before the demo warehouse is built, so a skip is quick."""
    return program("chromium", "chromium-browser", "google-chrome", install="apt-get install chromium")


def _browser(chromium: str, page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def render_in_browser(chromium: str, report: Path, workdir: Path, sabotage: str = "") -> tuple[dict, object]:
    """The probe's measurements and the screenshot (RGB array) of `report` as Chromium draws it."""
    from pngread import read_png

    page = workdir / "probed.html"
    text = report.read_text(encoding="utf-8")
    if sabotage:
        text = text.replace("</style>", sabotage + "</style>", 1)
    page.write_text(text.replace("</body>", PROBE + "</body>", 1), encoding="utf-8")
    dom = _browser(chromium, page, workdir / "profile", "--window-size=1280,1000", "--dump-dom").stdout
    found = re.search(r'data-probe="([^"]*)"', dom)
    assert found, "the probe did not run: " + dom[:500]
    probe = json.loads(html.unescape(found.group(1)))
    probe["charts_drawn"] = int(re.search(r'data-charts-drawn="(\d+)"', dom).group(1))
    bottom = max(chart["y"] + chart["height"] for chart in probe["charts"])
    shot = workdir / "screenshot.png"
    _browser(chromium, page, workdir / "profile", f"--window-size=1280,{int(bottom) + 40}", f"--screenshot={shot}")
    return probe, read_png(shot)


def chart_problems(probe: dict, image) -> list[str]:
    """What is wrong with each data chart, measured (getBBox) and seen (its colours in the screenshot)."""
    import numpy as np

    from chiso.report.charts import PALETTE

    charts = {chart["id"]: chart for chart in probe["charts"]}
    problems = []
    for chart_id, colours in DATA_CHARTS.items():
        chart = charts.get(chart_id)
        if chart is None:
            problems.append(f"{chart_id}: no such chart")
            continue
        if chart["width"] < 600 or chart["height"] < 60:
            problems.append(f"{chart_id}: laid out at {chart['width']:.0f}×{chart['height']:.0f} px")
        if not chart["marks"] or chart["drawn"] < chart["marks"]:
            problems.append(f"{chart_id}: {chart['drawn']} of {chart['marks']} marks have a visible box")
        x, y = int(chart["x"]), int(chart["y"])
        region = image[y : y + int(chart["height"]), x : x + int(chart["width"])].astype(int)
        painted = 0
        for name in set(PALETTE):
            colour = np.array([int(PALETTE[name][i : i + 2], 16) for i in (1, 3, 5)])
            pixels = int((np.abs(region - colour).max(axis=2) <= 6).sum())
            painted += pixels
            if name in colours and pixels < 300:
                problems.append(f"{chart_id}: only {pixels} pixels of {name} {PALETTE[name]}")
        if painted < 0.5 * chart["area"]:
            problems.append(f"{chart_id}: {painted} data pixels for {chart['area']:.0f} px² of marks")
    return problems


@pytest.fixture(scope="module")
def browser_view(chromium, report_html, tmp_path_factory):
    return render_in_browser(chromium, report_html, tmp_path_factory.mktemp("browser"))


def test_charts_draw_in_a_browser(browser_view):
    probe, image = browser_view
    assert probe["charts_drawn"] == len(DATA_CHARTS)
    assert chart_problems(probe, image) == []


def test_the_browser_fetches_nothing_and_runs_no_data_as_markup(browser_view):
    probe, _ = browser_view
    assert probe["resources"] == []  # no stylesheet, font, image or script requested
    assert probe["scripts"] == 1 and probe["images"] == 0  # only the test's probe
    assert HOSTILE_STORED in probe["text"] and HOSTILE_FILE in probe["text"]  # shown as text


def test_the_check_fails_when_charts_do_not_paint(chromium, report_html, tmp_path):
    """A control: the same report with its charts made invisible must fail the pixel check."""
    probe, image = render_in_browser(chromium, report_html, tmp_path, sabotage="svg.chart { opacity: 0 }")
    problems = chart_problems(probe, image)
    assert {problem.split(":")[0] for problem in problems} == set(DATA_CHARTS)


def test_a_warehouse_with_nothing_received_still_gets_a_report(tmp_path):
    from chiso.report.build import build_report
    from core.catalog import Catalog
    from core.settings import load_settings
    from warehouse.db import connect
    from warehouse.dimensions import load_catalog

    settings = load_settings(home=tmp_path)
    connection = connect(settings.warehouse)
    load_catalog(connection, Catalog(settings.catalog_dir))
    connection.close()
    text = build_report(settings.warehouse, tmp_path / "empty.html").read_text(encoding="utf-8")
    assert "Số liệu đến / Data as of</dt><dd>–</dd>" in text
    assert text.count("Không có số liệu / No data") == 5  # task groups ×4 (3 unit types, the province), funding
    assert "Chưa có số liệu / No data" in text  # the IT chart still marks the 2017 targets
    assert "Không có tệp nào bị từ chối / No file was rejected." in text


def test_each_figure_links_to_its_lineage_in_the_companion_file(report_html, hostile_warehouse):
    """Every figure and completeness cell of the report opens its section of report.lineage.html, written
    beside it (offline, no asset), which lists the files and rows the figure is computed from."""
    import duckdb

    from chiso import lineage

    text = report_html.read_text(encoding="utf-8")
    companion = report_html.with_name("report.lineage.html").read_text(encoding="utf-8")
    links = re.findall(r'href="report\.lineage\.html#([^"]+)"', text)
    anchors = set(re.findall(r'\bid="([^"]+)"', companion))
    assert len(links) > 500 and set(links) <= anchors
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", companion, re.I)
    assert all(ref.startswith(("#", "report.html")) for ref in re.findall(r'href="([^"]*)"', companion))
    assert HOSTILE_STORED not in companion and str(escape(HOSTILE_STORED)) in companion
    # The 2017 IT share of schools: the report's target row links to it; its section names each file.
    figure_id = lineage.anchor("CNTT_TYLE", "2017", "province", "TRUONGHOC")
    assert f'href="report.lineage.html#{figure_id}"' in text
    section = companion.split(f'<section id="{figure_id}">')[1].split("</section>")[0]
    with duckdb.connect(str(hostile_warehouse), read_only=True) as db:
        (figure,) = lineage.figures(db, "CNTT_TYLE", "2017", "province", "TRUONGHOC")
    for file in figure.files():
        assert f'<a href="#s{file["submission_id"]}">{escape(file["file_name"])}</a>' in section
        assert f'id="s{file["submission_id"]}"' in companion
