"""The report on a phone (375 × 812, touch, no hover) and on a desktop (1280 px), in Chromium.

At 375 px the page must not be wider than the screen, the completeness grid's text must render at
11 px or more, every cell of the targets must be on the screen or in a container that scrolls to it,
the targets' Vietnamese and English must be apart, and what a mark's tooltip says must be reachable
by a tap. At 1280 px the layout is the desktop one: the SVG grid, the targets as a table.
The report is conftest.py's `report_html`: the demo's, built once for the module.
"""

from __future__ import annotations

import re

import pytest

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
LEGIBLE = 11  # px: the smallest text a phone's reader is asked to read

# A scrollable ancestor of `e` that is itself inside the window, and scrolls far enough to show `e`.
SCROLLER = """e => {
  for (let a = e.parentElement; a; a = a.parentElement) {
    const o = getComputedStyle(a).overflowX, box = a.getBoundingClientRect();
    if ((o === 'auto' || o === 'scroll') && box.left >= -1 && box.right <= innerWidth + 1)
      return e.getBoundingClientRect().right - box.left + a.scrollLeft <= a.scrollWidth + 1;
  }
  return false;
}"""


def _open(browser, report, viewport):
    context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE, has_touch=viewport is PHONE)
    page = context.new_page()
    page.goto(report.as_uri())
    return page


@pytest.fixture(scope="module")
def phone(browser, report_html):
    """The report as a phone first shows it; the tests that tap or restyle it open their own."""
    page = _open(browser, report_html, PHONE)
    yield page
    page.context.close()


def test_the_page_is_no_wider_than_a_phone(phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    cut = phone.evaluate(
        f"""() => {{ const reachable = {SCROLLER};
        return [...document.querySelectorAll('body *')]
          .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > innerWidth + 1 && !reachable(e))
          .map(e => e.tagName + '.' + e.getAttribute('class') + ' ' + Math.round(e.getBoundingClientRect().right))
          .slice(0, 20); }}"""
    )
    assert cut == []  # nothing runs off the page (.page hides it) unless a container scrolls to it


def test_the_completeness_grid_is_legible_on_a_phone(phone):
    sizes = phone.evaluate(
        """() => {
        const sizes = [];
        for (const e of document.querySelectorAll('#completeness *')) {
          if (!e.getClientRects().length) continue;  // not rendered (display: none, a closed <details>)
          const own = [...e.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
          if (!own || e.closest('title')) continue;
          let size = parseFloat(getComputedStyle(e).fontSize);
          const svg = e.ownerSVGElement;
          if (svg) size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;  // the SVG's scale
          sizes.push([size, e.textContent.trim().slice(0, 40)]);
        }
        return sizes; }"""
    )
    assert len(sizes) > 30  # the units of three data sets, the years: text was found
    small = [(round(size, 1), text) for size, text in sizes if size < LEGIBLE]
    assert small == [], f"{len(small)} texts below {LEGIBLE} px, e.g. {small[:5]}"
    shown = phone.inner_text("#completeness")
    assert "SKHCN" in shown and "Sở Khoa học và Công nghệ" in shown and "Huyện Đồng Văn" in shown


def test_every_cell_of_the_targets_is_reachable_on_a_phone(phone):
    cells = phone.evaluate(
        f"""() => {{ const reachable = {SCROLLER};
        return [...document.querySelectorAll('#targets td')].map(td => {{
          const box = td.getBoundingClientRect(), inside = box.right <= innerWidth + 1 || reachable(td);
          return {{right: box.right, shown: box.width > 0 && inside}}; }}); }}"""
    )
    assert len(cells) >= 6 * 7 and all(cell["shown"] for cell in cells), [c["right"] for c in cells][:12]


def test_the_targets_keep_vietnamese_and_english_apart(phone):
    run_together = phone.evaluate(
        """() => [...document.querySelectorAll('#targets td .en')].filter(en => {
          if (!en.textContent.trim() || en.textContent.trim().startsWith('/')) return false;  // "vi / en"
          const before = document.createRange();
          before.setStart(en.closest('td'), 0);
          before.setEndBefore(en);
          const rects = [...before.getClientRects()].filter(r => r.width > 0);
          const first = en.getClientRects()[0];
          return rects.length && first.top < rects[rects.length - 1].bottom - 1;  // on the line of the Vietnamese
        }).map(en => en.closest('td').innerText.slice(0, 80))"""
    )
    assert run_together == []
    text = phone.inner_text("#targets")
    assert "Tỷ lệ cơ sở ứng dụng CNTT trong quản lý\nShare of establishments" in text  # was "quản lýShare"
    assert "(không lấy trung bình các tỷ lệ).\nEach unit's" in text


def test_what_a_tooltip_says_is_reachable_by_a_tap(browser, report_html):
    phone = _open(browser, report_html, PHONE)
    assert phone.locator("details").count() > 30  # each unit of each grid, each chart's figures
    tapped = [figure.locator("details").first for figure in phone.locator("figure:has(details)").all()]
    for details in tapped:  # the first of each figure is tapped, the others opened alike
        details.locator("summary").tap()
        assert details.get_attribute("open") is not None
    phone.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    tips = phone.evaluate(
        """() => [...document.querySelectorAll('svg.chart .mark > title')].map(t => ({
          chart: t.closest('svg').id, text: t.textContent}))"""
    )
    checks = phone.evaluate("[...document.querySelectorAll('[title]')].map(e => e.getAttribute('title'))")
    phone.add_style_tag(content="svg { display: none !important; }")  # only what is shown as text counts
    shown = phone.inner_text("body")
    per_unit = {}
    for summary in phone.locator("#completeness details").all():
        text = summary.inner_text()
        per_unit.setdefault(text.split()[0], []).append(text)
    missing = []
    for tip in tips:
        if tip["chart"].startswith("completeness-"):  # "SKHCN · 2017Q1: …; hạn 2017-04-10 / due …": its facts
            unit, period = re.match(r"(\S+) · (\S+):", tip["text"]).groups()
            facts = [period, *re.findall(r"\d{4}-\d{2}-\d{2}", tip["text"])]
            if not any(all(fact in text for fact in facts) for text in per_unit.get(unit, [])):
                missing.append(tip["text"])
        elif tip["text"] not in shown:
            missing.append(tip["text"])
    missing += [check for check in checks if check and check not in shown]
    phone.context.close()
    assert len(tips) > 500 and missing == [], f"{len(missing)} tooltips only on hover, e.g. {missing[:3]}"


def test_the_desktop_keeps_its_layout(browser, report_html):
    page = _open(browser, report_html, DESKTOP)
    layout = page.evaluate(
        """() => {
        const shown = s => [...document.querySelectorAll(s)].filter(e => e.getClientRects().length).length;
        const page = document.querySelector('.page').getBoundingClientRect();
        return {
          width: document.documentElement.scrollWidth,
          grids: shown('#completeness svg.chart'), lists: shown('.heat-list'), details: shown('details'),
          head: getComputedStyle(document.querySelector('#targets thead')).display,
          row: getComputedStyle(document.querySelector('#targets tbody tr')).display,
          cut: [...document.querySelectorAll('#targets td')].filter(td => td.getBoundingClientRect().right > page.right)
            .length,
        }; }"""
    )
    page.context.close()
    assert layout == {
        "width": DESKTOP["width"],
        "grids": 6,  # the legend and the five data sets' grids (the communes' two too), drawn as SVG
        "lists": 0,
        "details": 0,
        "head": "table-header-group",
        "row": "table-row",
        "cut": 0,
    }
