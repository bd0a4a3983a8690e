"""An account's life and its defences: login limits that hold under concurrent requests, a bounded
number of password hashes, no secret in the server's log, the password policy, reset links, API
tokens listed and revoked, re-enabling, changing a password, and replies that never go to a login."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import threading
import time
from collections import Counter

import httpx
import pytest
from portal_helpers import CHISO, Home, Server, csrf_of

from core.settings import load_settings
from portal.accounts import Accounts
from portal.directory import PortalAccounts
from portal.security import LoginLimiter, password_problem

CLERK = "vanthu@dongvan.example.vn"
PASSWORD = "mat khau that dai cua van thu"  # pragma: allowlist secret
TARGET = "bi.tan.cong@dongvan.example.vn"  # the account of the bursts


def cli(home: Home, *args: str, stdin: str | None = None, exit_code: int = 0) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [CHISO, "accounts", *args], env=home.env(), input=stdin, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == exit_code, result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    root = tmp_path_factory.mktemp("lifecycle")
    home = Home(root, load_settings(home=root))
    accounts = Accounts(home.settings.accounts)
    for email in (CLERK, TARGET):
        accounts.set_password(accounts.add(email, "026").account_id, PASSWORD)
    return home


@pytest.fixture(scope="module")
def server(home):
    # Long enough a wait for a hash slot that the bursts below are judged, not turned away busy.
    running = Server(home, CHISO_PORTAL_HASH_WAIT="120")
    yield running
    running.stop()


def browser(server: Server, client_address: str) -> httpx.Client:
    """A browser as seen from `client_address` (uvicorn trusts X-Forwarded-For from 127.0.0.1, as behind the proxy)."""
    return httpx.Client(base_url=server.url, timeout=120, headers={"x-forwarded-for": client_address})


def login(client: httpx.Client, email: str, password: str) -> httpx.Response:
    form = client.get("/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_of(form.text)})


def burst(server: Server, attempts: list[tuple[str, str, str]]) -> list[httpx.Response]:
    """(client address, e-mail, password) attempts, their forms fetched first, then posted all at once."""
    prepared = []
    for address, email, password in attempts:
        client = browser(server, address)
        prepared.append(
            (client, {"email": email, "password": password, "csrf_token": csrf_of(client.get("/login").text)})
        )
    start = threading.Barrier(len(prepared))
    answers: list = [None] * len(prepared)

    def post(index: int) -> None:
        client, data = prepared[index]
        start.wait()
        answers[index] = client.post("/login", data=data)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(prepared))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return answers


# ---------------------------------------------------------------- login limits


def test_fifty_concurrent_logins_on_one_account_hash_no_more_than_its_free_failures(server):
    answers = burst(server, [(f"10.1.0.{i}", TARGET, f"doan sai mat khau {i:03}") for i in range(50)])
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {401: 5, 429: 45}  # 5 wrong-password verdicts (5 hashes), the 45 others refused unheard
    refused = next(a for a in answers if a.status_code == 429)
    assert 1 <= int(refused.headers["retry-after"]) <= 60 and "Quá nhiều lần" in refused.text
    # The owner is slowed down, not locked out: a wait of a second or so (past 5 failures, 1 s), then in.
    owner = login(browser(server, "10.9.9.9"), TARGET, PASSWORD)
    if owner.status_code == 429:
        assert int(owner.headers["retry-after"]) <= 2
        time.sleep(int(owner.headers["retry-after"]))
        owner = login(browser(server, "10.9.9.9"), TARGET, PASSWORD)
    assert owner.status_code == 303


def test_one_client_gets_no_more_attempts_than_its_limit_under_concurrency(server):
    answers = burst(server, [("10.2.0.1", f"nguoi{i:02}@example.vn", f"mat khau sai so {i:02}") for i in range(30)])
    assert Counter(a.status_code for a in answers) == {401: 20, 429: 10}
    # Another client is not held back by that one.
    assert login(browser(server, "10.2.0.2"), CLERK, PASSWORD).status_code == 303


def test_the_limiter_checks_the_client_first_then_delays_the_account_progressively(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("portal.security.time.monotonic", lambda: now[0])
    limiter = LoginLimiter(per_client=3, free_per_account=2, max_delay=8)
    assert [limiter.reserve("a@x.vn", "c1"), limiter.reserve("a@x.vn", "c1"), limiter.reserve("b@x.vn", "c1")] == [
        0
    ] * 3
    assert limiter.reserve("a@x.vn", "c1") == 900  # the client is past its limit: a@x.vn is not charged for it
    waits = []
    for _ in range(6):  # from other clients: the account's free failures are spent, each try waits longer
        wait = limiter.reserve("a@x.vn", f"c{len(waits) + 2}")
        waits.append(wait)
        now[0] += wait
        assert limiter.reserve("a@x.vn", f"c{len(waits) + 2}") == 0
    assert waits == [1, 2, 4, 8, 8, 8]  # doubling, capped: never a 15-minute lock
    limiter.succeeded("a@x.vn", "c9")
    assert limiter.reserve("a@x.vn", "c9") == 0
    assert limiter.reserve("b@x.vn", "c10") == 0
    limiter.reserve("b@x.vn", "c10")
    assert limiter.reserve("b@x.vn", "c10") > 0
    limiter.forget("b@x.vn")  # a set-password link was used
    assert limiter.reserve("b@x.vn", "c10") == 0


def test_hashes_beyond_the_slots_answer_503_with_retry_after(home):
    busy = Server(home, CHISO_PORTAL_HASHES="1", CHISO_PORTAL_HASH_WAIT="0")
    try:
        answers = burst(busy, [(f"10.3.0.{i}", f"x{i}@example.vn", f"mat khau sai so {i:02}") for i in range(8)])
    finally:
        busy.stop()
    statuses = Counter(a.status_code for a in answers)
    assert statuses[503] >= 1 and statuses[401] >= 1 and set(statuses) <= {401, 503}
    refused = next(a for a in answers if a.status_code == 503)
    assert refused.headers["retry-after"] == "5" and "Máy chủ đang bận" in refused.text


# ---------------------------------------------------------------- the password policy


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("a" * 11, "portal.password_short"),
        ("a" * 12, None),
        ("a" * 1024, None),
        ("a" * 1025, "portal.password_long"),
        (" " * 12, "portal.password_blank"),
        ("\u3000\t" * 8, "portal.password_blank"),
        ("Vanthu@DongVan.example.vn", "portal.password_is_email"),
    ],
)
def test_the_password_policy(password, problem):
    assert password_problem(password, CLERK) == problem


def test_login_checks_the_policy_as_setting_does_and_never_truncates(home, server):
    accounts = Accounts(home.settings.accounts)
    longest = "mot hai ba bon " * 68 + "nam"  # 1,023 characters
    longest += "!"
    assert len(longest) == 1024
    accounts.set_password(accounts.by_email(CLERK).account_id, longest)
    client = browser(server, "10.4.0.1")
    assert login(client, CLERK, longest + "x").status_code == 401  # 1,025: not its first 1,024
    assert login(client, CLERK, longest).status_code == 303
    accounts.set_password(accounts.by_email(CLERK).account_id, PASSWORD)


def test_a_link_refuses_passwords_the_policy_refuses(home, server):
    link = re.search(r"(/set-password/\S+)", cli(home, "reset", "--email", CLERK).stdout)[1]
    client = browser(server, "10.4.0.2")
    assert client.get(link).status_code == 303
    token = csrf_of(client.get("/set-password").text)
    for bad, words in (
        ("a" * 11, "at least 12"),
        ("a" * 1025, "at most 1024"),
        (" " * 20, "all blanks"),
        (CLERK, "the e-mail"),
    ):
        answer = client.post("/set-password", data={"password": bad, "password_again": bad, "csrf_token": token})
        assert answer.status_code == 422 and words in answer.text, bad[:20]


# ---------------------------------------------------------------- addresses and names


@pytest.mark.parametrize(
    "email",
    ['"van thu"@dongvan.example.vn', "<vanthu@dongvan.example.vn>", "van thu@dongvan.example.vn", "a@b", "văn@x.vn"],
)
def test_add_refuses_addresses_a_notice_could_not_carry(home, email):
    refused = cli(home, "add", "--unit", "026", "--email", email, exit_code=2)
    assert "not a plain e-mail address" in refused.stderr
    assert email.lower() not in cli(home, "list").stdout


def test_add_refuses_names_with_control_characters(home):
    refused = cli(home, "add", "--unit", "026", "--email", "moi@x.vn", "--name", "Nguyen\r\nBcc: x@y.vn", exit_code=2)
    assert "control characters" in refused.stderr and "moi@x.vn" not in cli(home, "list").stdout


def test_an_account_written_before_these_checks_stops_no_notice(home, tmp_path):
    from chiso.notices.contacts import directory
    from core.catalog import Catalog

    path = tmp_path / "accounts.sqlite3"
    accounts = Accounts(path)
    accounts.add("tot@x.vn", "026", "province", "Người tốt")
    with sqlite3.connect(path) as db:
        db.execute(
            "insert into accounts (email, unit_code, role, name, created_at) values"
            " ('x\"<y@x.vn', '026', 'unit', 'ok', 'now'), ('z@x.vn', '026', 'unit', 'a\r\nb', 'now')"
        )
    people = directory(Catalog(home.settings.catalog_dir), PortalAccounts(path))
    assert 'x"<y@x.vn' not in {r.email for r in people.of_unit("026")}
    assert "z@x.vn" not in {r.email for r in people.of_unit("026")}
    assert "vanthu@dongvan.hagiang.example" in {r.email for r in people.of_unit("026")}


# ---------------------------------------------------------------- replies


def test_unit_notices_reply_to_the_catalogs_role_addresses_never_to_a_login(home, tmp_path, monkeypatch):
    from chiso.notices import run
    from chiso.notices.contacts import directory
    from chiso.notices.owed import Claim, Notice
    from core.catalog import Catalog

    path = tmp_path / "accounts.sqlite3"
    accounts = Accounts(path)
    accounts.add("theodoi@tinh.example.vn", "02", "province", "Người theo dõi")
    accounts.add("giamsat@skhcn.hagiang.example", "02", "province")  # a catalog address used as a login
    people = directory(Catalog(home.settings.catalog_dir), PortalAccounts(path))
    assert [r.email for r in people.of_role("province")] == [
        "bcd.dotpha@ubnd.hagiang.example",
        "giamsat@skhcn.hagiang.example",
        "bcd.khcn@ubnd.tuyenquang.example",  # the new province's (08)
        "giamsat@skhcn.tuyenquang.example",
        "theodoi@tinh.example.vn",
    ]
    # the catalog's province-role addresses, not the one used as a login
    replies = [
        "bcd.dotpha@ubnd.hagiang.example",
        "bcd.khcn@ubnd.tuyenquang.example",
        "giamsat@skhcn.tuyenquang.example",
    ]
    assert [r.email for r in people.reply_to()] == replies
    # What the notices' composer is given, by the preview and by a real send alike.
    heads = []
    monkeypatch.setattr(run, "compose", lambda notice, head, *attached: heads.append(head))
    settings = load_settings(home=home.root, accounts=path)
    notice = Notice("reminder", "026", "Đồng Văn", [{"email": "a@x.vn", "name": "A"}], [], {}, "<1@x.vn>")
    run.preview(Claim([notice]), settings, accounts=PortalAccounts(settings.accounts))
    monkeypatch.setattr(run.delivery, "deliver", lambda *args: type("D", (), {"sent": [], "waiting": []})())
    run.deliver(Claim([notice]).as_json(), settings, accounts=PortalAccounts(settings.accounts))
    assert [[r.email for r in head.reply_to] for head in heads] == [replies] * 2


# ---------------------------------------------------------------- the lifecycle through `chiso accounts`


def test_tokens_are_listed_and_revoked(home, server):
    first = cli(home, "token", "--email", CLERK).stdout.strip()
    second = cli(home, "token", "new", "--email", CLERK).stdout.strip()
    listed = cli(home, "token", "list", "--email", CLERK).stdout
    assert first not in listed and second not in listed and listed.count(CLERK) >= 2
    import hashlib

    first_id = hashlib.sha256(first.encode()).hexdigest()[:12]
    assert first_id in listed
    cli(home, "token", "revoke", "--id", first_id)
    assert (
        httpx.get(f"{server.url}/api/v1/submissions", headers={"authorization": f"Bearer {first}"}).status_code == 401
    )
    assert (
        httpx.get(f"{server.url}/api/v1/submissions", headers={"authorization": f"Bearer {second}"}).status_code == 200
    )
    assert first_id not in cli(home, "token", "list").stdout
    assert "no API token" in cli(home, "token", "revoke", "--id", first_id, exit_code=2).stderr
    cli(home, "token", "revoke", "--email", CLERK)
    assert (
        httpx.get(f"{server.url}/api/v1/submissions", headers={"authorization": f"Bearer {second}"}).status_code == 401
    )


def test_a_disabled_account_is_enabled_again(home, server):
    cli(home, "disable", "--email", CLERK)
    assert login(browser(server, "10.5.0.1"), CLERK, PASSWORD).status_code == 401
    assert "disabled" in cli(home, "reset", "--email", CLERK, exit_code=2).stderr
    cli(home, "enable", "--email", CLERK)
    assert "enabled" in cli(home, "list").stdout.split(CLERK)[1].splitlines()[0]
    assert login(browser(server, "10.5.0.1"), CLERK, PASSWORD).status_code == 303


def test_a_reset_link_lets_the_owner_in_while_its_logins_are_slowed_down(home, server):
    # Wrong passwords from many addresses: the account waits between tries; its owner uses a reset link.
    burst(server, [(f"10.6.1.{i}", TARGET, f"lai doan sai {i:03}") for i in range(8)])
    for attempt in range(3):  # past its 5 free failures: waits of 1, 2, 4 s, then 8 s
        wrong = login(browser(server, f"10.6.2.{attempt}"), TARGET, "van doan sai mat khau")
        if wrong.status_code == 429:
            time.sleep(int(wrong.headers["retry-after"]))
            wrong = login(browser(server, f"10.6.2.{attempt}"), TARGET, "van doan sai mat khau")
        assert wrong.status_code == 401
    owner = browser(server, "10.6.0.1")
    assert login(owner, TARGET, PASSWORD).status_code == 429
    first = re.search(r"(/set-password/\S+)", cli(home, "reset", "--email", TARGET).stdout)[1]
    second = re.search(r"(/set-password/\S+)", cli(home, "reset", "--email", TARGET).stdout)[1]
    assert owner.get(first).status_code == 404  # a new link voids the earlier one
    assert owner.get(second).status_code == 303
    token = csrf_of(owner.get("/set-password").text)
    chosen = "mat khau moi sau khi bi khoa"
    done = owner.post("/set-password", data={"password": chosen, "password_again": chosen, "csrf_token": token})
    assert done.status_code == 200 and "Your password is set" in done.text
    assert login(owner, TARGET, chosen).status_code == 303  # at once: the link ended the delay


def test_changing_a_password_ends_the_other_sessions_and_the_api_tokens(home, server):
    token = cli(home, "token", "--email", CLERK).stdout.strip()
    here, elsewhere = browser(server, "10.7.0.1"), browser(server, "10.7.0.2")
    for client in (here, elsewhere):
        assert login(client, CLERK, PASSWORD).status_code == 303
    page = here.get("/account/password")
    assert page.status_code == 200 and "API" in page.text and "other session" in page.text
    csrf = csrf_of(page.text)
    new = "mat khau moi cua van thu"
    wrong = here.post(
        "/account/password",
        data={"current_password": "khong phai mat khau", "password": new, "password_again": new, "csrf_token": csrf},
    )
    assert wrong.status_code == 422 and "current password is wrong" in wrong.text
    done = here.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": new, "password_again": new, "csrf_token": csrf},
    )
    assert done.status_code == 200 and "other sessions and its API tokens have ended" in done.text
    assert here.get("/").status_code == 200  # this browser goes on
    assert elsewhere.get("/").headers["location"] == "/login"
    assert (
        httpx.get(f"{server.url}/api/v1/submissions", headers={"authorization": f"Bearer {token}"}).status_code == 401
    )
    assert login(browser(server, "10.7.0.3"), CLERK, PASSWORD).status_code == 401
    assert login(browser(server, "10.7.0.3"), CLERK, new).status_code == 303
    Accounts(home.settings.accounts).set_password(Accounts(home.settings.accounts).by_email(CLERK).account_id, PASSWORD)


# ---------------------------------------------------------------- what the log keeps


def test_the_server_log_holds_no_token_no_api_token_no_password(home):
    logged = Server(home)
    secrets = []
    try:
        added = cli(home, "add", "--unit", "027", "--email", "nhatky@meovac.example.vn")
        link = re.search(r"(/set-password/(\S+))", added.stdout)
        secrets.append(link[2])
        client = browser(logged, "10.8.0.1")
        opened = client.get(link[1])
        assert opened.status_code == 303 and opened.headers["location"] == "/set-password"
        form = client.get("/set-password")
        assert form.status_code == 200 and "nhatky@meovac.example.vn" in form.text
        chosen = "mot mat khau chi de tim trong nhat ky"
        secrets.append(chosen)
        done = client.post(
            "/set-password", data={"password": chosen, "password_again": chosen, "csrf_token": csrf_of(form.text)}
        )
        assert done.status_code == 200
        assert login(client, "nhatky@meovac.example.vn", chosen).status_code == 303
        api_token = cli(home, "token", "--email", "nhatky@meovac.example.vn").stdout.strip()
        secrets.append(api_token)
        bearer = {"authorization": f"Bearer {api_token}"}
        assert httpx.get(f"{logged.url}/api/v1/submissions", headers=bearer).status_code == 200
        assert httpx.get(f"{logged.url}/api/v1/submissions?token={api_token}", headers=bearer).status_code == 200
        wrong = "mat khau sai de tim trong nhat ky"
        secrets.append(wrong)
        assert login(browser(logged, "10.8.0.2"), "nhatky@meovac.example.vn", wrong).status_code == 401
        assert client.get(link[1]).status_code == 404  # spent, and asked again: logged again
    finally:
        logged.stop()
    log = logged.log.read_text(encoding="utf-8", errors="replace")
    assert "GET /set-password/[redacted]" in log and "/api/v1/submissions" in log  # the access log is there
    assert [secret for secret in secrets if secret in log] == []
