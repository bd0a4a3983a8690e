"""`chiso accounts` as an administrator runs it, and the accounts file other features read."""

from __future__ import annotations

import re
import sqlite3
import subprocess

import httpx
import pytest
from portal_helpers import CHISO, Home, Server, csrf_of, logged_in

from core.settings import load_settings

ACCOUNT_COLUMNS = [
    ("account_id", "INTEGER", 0, 1),
    ("email", "TEXT", 1, 0),
    ("unit_code", "TEXT", 1, 0),
    ("role", "TEXT", 1, 0),
    ("name", "TEXT", 0, 0),
    ("password_hash", "TEXT", 0, 0),
    ("created_at", "TEXT", 1, 0),
    ("disabled_at", "TEXT", 0, 0),
]
SEND_COLUMNS = [
    "send_id",
    "account_id",
    "unit_code",
    "client_file_name",
    "inbox_name",
    "sha256",
    "size_bytes",
    "sent_at",
]


def accounts_cli(home: Home, *args: str, stdin: str | None = None, exit_code: int = 0) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [CHISO, "accounts", *args], env=home.env(), input=stdin, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == exit_code, result.stderr
    return result


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """An empty home: no snapshot yet (the portal shows empty pages, not errors)."""
    root = tmp_path_factory.mktemp("accounts")
    return Home(root, load_settings(home=root))


def test_the_accounts_file_has_the_columns_other_features_read(home):
    accounts_cli(home, "add", "--unit", "26", "--email", "Clerk.A@DongVan.example.vn", "--name", "Nguyen Van A")
    with sqlite3.connect(home.settings.accounts) as db:
        columns = [(c[1], c[2], c[3], c[5]) for c in db.execute("pragma table_info(accounts)")]
        sends = [c[1] for c in db.execute("pragma table_info(sends)")]
        row = db.execute("select email, unit_code, role, name, disabled_at from accounts").fetchone()
    assert columns == ACCOUNT_COLUMNS
    assert sends == SEND_COLUMNS
    # The unit's code as the catalog writes it (26 is 026); the e-mail as one address, in lower case.
    assert row == ("clerk.a@dongvan.example.vn", "026", "unit", "Nguyen Van A", None)
    assert oct(home.settings.accounts.stat().st_mode & 0o777) == "0o600"


def test_add_refuses_unknown_units_duplicates_and_short_passwords(home):
    unknown = accounts_cli(home, "add", "--unit", "999", "--email", "x@example.vn", exit_code=2)
    assert "unknown unit '999'" in unknown.stderr
    again = accounts_cli(home, "add", "--unit", "026", "--email", "clerk.a@dongvan.example.vn", exit_code=1)
    assert (
        "exists already" in again.stderr and "chiso accounts reset --email clerk.a@dongvan.example.vn" in again.stderr
    )
    assert "chiso accounts enable" in again.stderr and "Traceback" not in again.stderr
    short = accounts_cli(
        home, "add", "--unit", "027", "--email", "b@example.vn", "--password-stdin", stdin="short\n", exit_code=2
    )
    assert "at least 12 characters" in short.stderr


def test_a_password_is_stored_as_a_memory_hard_hash(home):
    accounts_cli(
        home,
        "add",
        "--unit",
        "02",
        "--role",
        "province",
        "--email",
        "tinh@example.vn",
        "--password-stdin",
        stdin="mot cau mat khau dai\n",
    )
    with sqlite3.connect(home.settings.accounts) as db:
        stored, role = db.execute("select password_hash, role from accounts where email = 'tinh@example.vn'").fetchone()
    assert role == "province"
    assert stored.startswith("scrypt$65536$8$1$") and "mot cau" not in stored


@pytest.fixture(scope="module")
def server(home):
    running = Server(home)
    yield running
    running.stop()


def test_the_one_time_link_sets_the_password_once(home, server):
    added = accounts_cli(home, "add", "--unit", "SKHCN", "--email", "skhcn@example.vn")
    link = re.search(r"http://127\.0\.0\.1:8000(/set-password/\S+)", added.stdout)[1]
    browser = httpx.Client(base_url=server.url, timeout=30)
    opened = browser.get(link)  # the token moves to a cookie; the page's address has none
    assert opened.status_code == 303 and opened.headers["location"] == "/set-password"
    form = browser.get("/set-password")
    assert form.status_code == 200 and "skhcn@example.vn" in form.text
    short = browser.post(
        "/set-password", data={"password": "short", "password_again": "short", "csrf_token": csrf_of(form.text)}
    )
    assert short.status_code == 422 and "12" in short.text
    chosen = "mat khau cua so khcn"
    done = browser.post(
        "/set-password", data={"password": chosen, "password_again": chosen, "csrf_token": csrf_of(form.text)}
    )
    assert done.status_code == 200 and "Đã đặt mật khẩu" in done.text and "Your password is set" in done.text
    assert browser.get(link).status_code == 404  # spent
    logged_in(server, "skhcn@example.vn", chosen).close()


def test_an_api_token_works_until_the_account_is_disabled(home, server):
    token = accounts_cli(home, "token", "--email", "tinh@example.vn").stdout.strip()
    assert token.startswith("chiso_")
    headers = {"authorization": f"Bearer {token}"}
    assert httpx.get(f"{server.url}/api/v1/submissions", headers=headers).status_code == 200
    session = logged_in(server, "tinh@example.vn", "mot cau mat khau dai")
    assert session.get("/").status_code == 200

    accounts_cli(home, "disable", "--email", "tinh@example.vn")
    assert httpx.get(f"{server.url}/api/v1/submissions", headers=headers).status_code == 401
    assert session.get("/").headers["location"] == "/login"  # the session ended with the account
    listed = accounts_cli(home, "list").stdout
    assert "tinh@example.vn" in listed and "disabled" in listed
    refused = accounts_cli(home, "token", "--email", "tinh@example.vn", exit_code=2)
    assert "disabled" in refused.stderr


def test_pages_show_no_data_yet_before_the_first_publish(server):
    page = logged_in(server, "skhcn@example.vn", "mat khau cua so khcn").get("/")
    assert page.status_code == 200 and "Chưa có dữ liệu" in page.text


def test_make_portal_gives_every_unit_and_the_province_a_demo_account(home):
    from dev.portal_demo import demo_accounts

    made = demo_accounts(home.settings)
    # 2 provinces, 21 departments, 11 districts, the provincial city's 3 communes (dev/portal_demo.py)
    assert len(made) == 37 and [m for m in made if m[2] == "province"] == [m for m in made if m[1] in ("02", "08")]
    again = demo_accounts(home.settings)  # a second `make portal`: the same accounts, new passwords
    assert [m[:3] for m in again] == [m[:3] for m in made] and again[0][3] != made[0][3]
