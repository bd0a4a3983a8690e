"""The portal on a phone (375 px wide): every page fits the width, what matters is on the first screens.

The clerk's home, a verdict and the province's desk are opened in Chromium at 375 × 740 (and the desk
at 1280 px); screenshots are written beside the test's files for a person to look at.
"""

from __future__ import annotations

import pytest
from portal_helpers import CLERK_026, PROVINCE, browser_page

from builders import csv_bytes, district_report

PHONE = {"width": 375, "height": 740}
SCREEN = PHONE["height"]


def _top(page, selector: str) -> float:
    return page.evaluate(f"document.querySelector({selector!r}).getBoundingClientRect().top + scrollY")


def _fits(page) -> list[str]:
    """The elements that reach past the window's right edge (a page must never scroll sideways)."""
    return page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1)"
        ".map(e => e.tagName + '.' + e.className)"
    )


def _inside(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 1


def test_the_clerks_home_on_a_phone(browser, server, tmp_path):
    page = browser_page(browser, server, CLERK_026, PHONE)
    page.screenshot(path=str(tmp_path / "clerk-home-375.png"), full_page=True)
    assert _fits(page) == []
    assert _top(page, "#owed li.card") < SCREEN  # what is owed: on the first screen
    assert _inside(page, "#owed li.card .status") and _inside(page, "#owed li.card a[download]")
    assert _top(page, "#files") < 2 * SCREEN  # the latest verdicts: within two screens
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4 * SCREEN, height  # the history is folded away
    page.context.close()


def test_a_verdict_on_a_phone(browser, server, tmp_path):
    page = browser_page(browser, server, CLERK_026, PHONE)
    broken = tmp_path / "Bao cao Q3.csv"
    broken.write_bytes(csv_bytes(district_report("026", "2017Q3").setting("NV_GIAO", "ba")))
    page.set_input_files("#file", str(broken))
    page.click("button[value=check]")
    page.screenshot(path=str(tmp_path / "verdict-375.png"), full_page=True)
    assert _fits(page) == []
    assert _top(page, "section.verdict .result") < SCREEN and _top(page, "ol.findings li") < SCREEN
    assert "quy tắc 6" in page.inner_text("ol.findings")
    page.context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_the_province_desk_on_a_phone_and_a_desktop(browser, server, tmp_path, width):
    page = browser_page(browser, server, PROVINCE, {"width": width, "height": SCREEN})
    page.screenshot(path=str(tmp_path / f"province-{width}.png"), full_page=True)
    assert _fits(page) == []
    assert _top(page, "#chase") < SCREEN  # what to chase: on the first screen
    assert _inside(page, "#chase td a[href^=mailto]") and _inside(page, "#chase .status")
    assert _inside(page, "#units tbody td.missing a")
    page.context.close()


def test_the_lineage_page_on_a_phone(browser, server, tmp_path):
    page = browser_page(browser, server, PROVINCE, PHONE)
    page.goto(f"{server.url}/province/lineage?indicator=NV_TYLE_TRIENKHAI&period=2017Q1&scope=district")
    page.screenshot(path=str(tmp_path / "lineage-375.png"), full_page=True)
    assert _fits(page) == []
    assert "DP-HUYEN_026_2017Q1.csv" in page.inner_text("main")
    page.context.close()
