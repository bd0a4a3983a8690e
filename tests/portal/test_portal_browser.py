"""A district clerk in a real browser: log in, download the template, fill it in, check a broken copy
and read its reasons, send the fixed one, see it accepted after the ingest; another unit cannot see it.

Playwright drives Debian's Chromium (its own browser download is not reachable here; .ci/run
installs the package). What the page shows is checked as text and in screenshots (the verdict's
colours painted), not only status codes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from openpyxl import load_workbook
from portal_helpers import CLERK_026, CLERK_027, browser_page, run_inbox

GOOD = {"NV_GIAO": 2, "NV_TRIENKHAI": 1, "NV_CUTHE": 3, "NV_HOANTHANH": 1, "KP_BOTRI": 500, "KP_GIAINGAN": 120.5}
# Rule 9: more task groups deployed than assigned; rule 6: a word where a number belongs.
BROKEN = {**GOOD, "NV_TRIENKHAI": 5, "NV_CUTHE": "ba"}
RED, GREEN = (0xB8, 0x32, 0x27), (0x1F, 0x7A, 0x5A)  # the stylesheet's --bad and --good


def _fill(template: Path, values: dict, target: Path) -> Path:
    """The clerk's part: a value beside each indicator, in the template's value column."""
    workbook = load_workbook(template)
    sheet = workbook.worksheets[0]
    header = next(row for row in sheet.iter_rows() if any(str(c.value or "").startswith("Mã chỉ tiêu") for c in row))
    columns = {str(c.value or "").split(" (")[0]: c.column for c in header}
    for row in sheet.iter_rows(min_row=header[0].row + 1):
        code = row[columns["Mã chỉ tiêu"] - 1].value
        if code in values:
            sheet.cell(row=row[0].row, column=columns["Giá trị"], value=values[code])
    workbook.save(target)
    return target


def _share_of(shot: Path, colour: tuple[int, int, int]) -> float:
    from report.pngread import read_png  # the report tests' PNG reader (no imaging library)

    image = read_png(shot).astype(int)
    return float(np.mean(np.all(np.abs(image - np.array(colour)) < 12, axis=2)))


def test_a_clerk_goes_from_login_to_an_accepted_report(browser, server, home, tmp_path):
    page = browser_page(browser, server, CLERK_026, {"width": 420, "height": 900}, accept_downloads=True)
    assert "Huyện Đồng Văn (026)" in page.inner_text("h1")
    assert "Việc cần làm" in page.inner_text("#owed") and "To do" in page.inner_text("#owed")

    page.click("#owed-more summary")  # the older reports owed, one click away
    with page.expect_download() as download:
        page.click('a[href="/templates/DP-HUYEN/2017Q3"]')
    assert download.value.suggested_filename == "DP-HUYEN_026_2017Q3.xlsx"
    template = tmp_path / "DP-HUYEN_026_2017Q3.xlsx"
    download.value.save_as(template)

    broken = _fill(template, BROKEN, tmp_path / "Bao cao quy 3 - Dong Van.xlsx")
    page.set_input_files("#file", str(broken))
    page.click("button[value=check]")
    verdict = page.inner_text("section.verdict")
    assert "Bị từ chối" in verdict and "Rejected" in verdict
    assert "quy tắc 9" in verdict and "NV_TRIENKHAI" in verdict and "quy tắc 6" in verdict and "«ba»" in verdict
    shot = tmp_path / "rejected.png"
    page.screenshot(path=str(shot), full_page=True)
    assert _share_of(shot, RED) > 0.0005  # the rejected verdict's red is painted

    fixed = _fill(template, GOOD, tmp_path / "Bao cao quy 3 - Dong Van (da sua).xlsx")
    page.set_input_files("#file", str(fixed))
    page.click("button[value=check]")
    assert "Được chấp nhận" in page.inner_text("section.verdict")
    page.set_input_files("#file", str(fixed))
    page.click("button[value=send]")
    assert "Đã nhận tệp" in page.inner_text("main") and "(da sua).xlsx" in page.inner_text("main")
    # The verdict at once, before any load: provisional, being loaded.
    assert "Được chấp nhận" in page.inner_text("main") and "đang nạp vào kho" in page.inner_text("main")

    page.goto(f"{server.url}/")
    assert "đang nạp vào kho" in page.locator("article.file", has_text="(da sua).xlsx").inner_text()
    run_inbox(home)
    page.reload()
    item = page.locator("article.file", has_text="(da sua).xlsx")
    assert "Được chấp nhận" in item.inner_text() and "DP-HUYEN · 026 · 2017Q3" in item.inner_text()
    assert "đã được kho xác nhận" in item.inner_text()
    shot = tmp_path / "accepted.png"
    item.screenshot(path=str(shot))
    assert _share_of(shot, GREEN) > 0.002  # the accepted file's green mark is painted
    page.context.close()


def test_another_unit_cannot_see_it(browser, server):
    page = browser_page(browser, server, CLERK_027, {"width": 420, "height": 900})
    assert "Huyện Mèo Vạc (027)" in page.inner_text("h1")
    assert "Dong Van" not in page.content()
    page.goto(f"{server.url}/units/026")
    assert "Không tìm thấy" in page.inner_text("main")
    answer = page.goto(f"{server.url}/templates/DP-HUYEN/2017Q3?unit=026")
    assert answer.status == 404
    page.context.close()
