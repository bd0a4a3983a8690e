"""A password's life in a real browser, on a phone (375 px) and a desktop (1280 px).

An operator runs `chiso accounts reset`; the clerk opens the printed link, the token leaves the address
bar, a too-short password is refused on the page in both languages, the chosen one is saved; the old
password no longer opens the portal, the new one does; the spent link, opened again, says so in both
languages. Then, logged in, the clerk changes the password at /account/password: a wrong current
password is refused on the page, the right one accepted; out and back in with the new one.
At 375 px the forms must be usable: no sideways scroll, every field and the button inside the
window and at least 40 px tall (a finger's tap).
"""

from __future__ import annotations

import re
import subprocess

import pytest
from portal_helpers import CHISO

from portal.accounts import Accounts

OLD = "mat khau cu cua van thu"  # pragma: allowlist secret
NEW = "mat khau moi chon qua lien ket"  # pragma: allowlist secret
CHANGED = "mat khau doi khi dang dang nhap"  # pragma: allowlist secret
SHORT = "ngan qua"  # 8 characters: under the policy's 12
WIDTHS = [375, 1280]
HEIGHT = 740
TAP = 40  # px: the least height of a field or a button a finger can hit


def _clerk(home, name: str) -> str:
    """An account of unit 026 of its own (each test changes its password), with the OLD password."""
    email = f"{name}@dongvan.example.vn"
    accounts = Accounts(home.settings.accounts)
    accounts.set_password(accounts.add(email, "026").account_id, OLD)
    return email


def _reset(home, server, email: str) -> str:
    """The operator's part: `chiso accounts reset`, whose printed link is what the clerk is sent."""
    result = subprocess.run(
        [CHISO, "accounts", "reset", "--email", email],
        env=home.env(CHISO_PORTAL_URL=server.url),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return re.search(rf"{re.escape(server.url)}/set-password/\S+", result.stdout)[0]


def _page(browser, width: int):
    context = browser.new_context(viewport={"width": width, "height": HEIGHT})
    context.set_default_timeout(10_000)  # a page that never comes fails in seconds, not half a minute
    return context.new_page()


def _log_in(page, server, email: str, password: str) -> None:
    page.goto(f"{server.url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")


def _alert(page) -> str:
    return page.inner_text("main p[role=alert]")


def _usable(page) -> None:
    """On a phone: nothing scrolls sideways; each field and the submit button is inside the window and tall enough."""
    width = page.viewport_size["width"]
    if width > 375:
        return
    scroll = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll <= width + 1, f"{page.url} scrolls sideways: {scroll} px wide"
    controls = page.locator("main form input:not([type=hidden]), main form button[type=submit]")
    assert controls.count() >= 3
    for index in range(controls.count()):
        control = controls.nth(index)
        box = control.bounding_box()
        name = control.get_attribute("id") or control.inner_text()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (name, box)
        assert box["height"] >= TAP, (name, box)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_reset_link_sets_a_new_password(browser, server, home, tmp_path, width):
    email = _clerk(home, f"quenmatkhau.{width}")
    link = _reset(home, server, email)
    token = link.rsplit("/", 1)[1]
    page = _page(browser, width)

    opened = page.goto(link)
    assert opened.request.redirected_from.response().status == 303  # the link answers 303, its token in a cookie
    assert page.url == f"{server.url}/set-password" and token not in page.url
    assert email in page.inner_text("main")
    _usable(page)

    page.fill("#password", SHORT)
    page.fill("#password_again", SHORT)
    page.click("button[type=submit]")
    refused = _alert(page)  # the server's refusal, on the page (a browser's own bubble speaks only its language)
    assert "Mật khẩu cần ít nhất 12 ký tự" in refused and "A password needs at least 12 characters" in refused
    assert page.url == f"{server.url}/set-password"
    page.screenshot(path=str(tmp_path / f"set-password-refused-{width}.png"), full_page=True)
    _usable(page)

    page.fill("#password", NEW)
    page.fill("#password_again", NEW)
    page.click("button[type=submit]")
    done = page.inner_text("main p[role=status]")
    assert "Đã đặt mật khẩu" in done and "Your password is set" in done

    page.click("main a[href='/login']")
    page.wait_for_url(f"{server.url}/login")
    _usable(page)
    _log_in(page, server, email, OLD)
    wrong = _alert(page)
    assert "Sai thư điện tử hoặc mật khẩu" in wrong and "Wrong e-mail or password" in wrong
    assert page.url == f"{server.url}/login"
    _log_in(page, server, email, NEW)
    page.wait_for_url(f"{server.url}/")
    assert "Huyện Đồng Văn (026)" in page.inner_text("h1")

    again = page.goto(link)
    spent = _alert(page)
    assert again.status == 404
    assert "đã dùng hoặc đã hết hạn" in spent and "used or expired" in spent
    assert "Đặt mật khẩu" in page.inner_text("h1") and page.locator("main a[href='/login']").count() == 1
    assert page.locator("main form").count() == 0  # nothing left to fill in
    page.screenshot(path=str(tmp_path / f"link-spent-{width}.png"), full_page=True)
    if width == 375:
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width + 1
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_clerk_changes_the_password_while_logged_in(browser, server, home, tmp_path, width):
    email = _clerk(home, f"doimatkhau.{width}")
    page = _page(browser, width)
    _log_in(page, server, email, OLD)
    page.wait_for_url(f"{server.url}/")

    page.click("header a[href='/account/password']")
    page.wait_for_url(f"{server.url}/account/password")
    _usable(page)

    page.fill("#current_password", "khong phai mat khau nay")
    page.fill("#password", CHANGED)
    page.fill("#password_again", CHANGED)
    page.click("main button[type=submit]")
    refused = _alert(page)
    assert "Mật khẩu hiện tại không đúng" in refused and "The current password is wrong" in refused
    page.screenshot(path=str(tmp_path / f"change-refused-{width}.png"), full_page=True)
    _usable(page)

    page.fill("#current_password", OLD)
    page.fill("#password", CHANGED)
    page.fill("#password_again", CHANGED)
    page.click("main button[type=submit]")
    done = page.inner_text("main p[role=status]")
    assert "Đã đổi mật khẩu" in done and "Your password is changed" in done

    # This browser's session goes on: the header says whose (the address is hidden on a phone).
    assert email in page.text_content("header")
    page.click("header form.who button[type=submit]")  # its log-out form carries the new session's token
    page.wait_for_url(f"{server.url}/login")
    _log_in(page, server, email, OLD)
    assert "Wrong e-mail or password" in _alert(page) and page.url == f"{server.url}/login"
    _log_in(page, server, email, CHANGED)
    page.wait_for_url(f"{server.url}/")
    assert "Huyện Đồng Văn (026)" in page.inner_text("h1")
    page.context.close()
