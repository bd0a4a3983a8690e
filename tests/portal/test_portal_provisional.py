"""The verdict at once: a send's answer carries the verdict the loader will give, and the loader agrees.

Every good and bad file of the rule cases (tests/expectations/test_rules.py: every check of the
suites, both formats) is sent through a real `chiso serve`, each by its own unit's account, on the
same history as there (a unit's earlier quarters loaded, one slot accepted and locked, a data set
that closes). The answer to each `POST /api/v1/submissions` must already hold a verdict, marked
`being_loaded`; after `chiso inbox` has loaded the files, `GET /api/v1/submissions/{id}` must say
`confirmed` with the same status and checks.

Files that would judge one another (two accepted files for the same report, or the same bytes) are
sent in separate waves, each loaded before the next is sent, as a clerk's corrections arrive after the
first file's verdict (the rule cases need one wave). A last wave sends the same bytes again (duplicates)
and a correction of one case: the case it supersedes then shows its verdict `replaced`, and why.
"""

from __future__ import annotations

import importlib.util
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from portal_helpers import MAX_FILE_BYTES, PASSWORD, Home, Server, logged_in

from builders import PROJECT_ROOT, csv_bytes, department_report, write
from chiso.context import RunContext
from core.settings import load_settings

RULES = PROJECT_ROOT / "tests" / "expectations" / "test_rules.py"
PROVINCE = "theodoi@tinh.example.vn"
STRANGER_UNIT = "SKHDT"  # sends the files that name no unit the catalog knows


def rule_cases():
    spec = importlib.util.spec_from_file_location("rule_cases", RULES)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("rule_cases", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cases_home(tmp_path_factory):
    """A home with the rule cases' history and catalog, published, and an account with a token per unit."""
    from chiso.approval import Slot, act
    from chiso.pipeline import ingest_paths, publish_snapshot
    from portal.accounts import Accounts

    rules = rule_cases()
    root = tmp_path_factory.mktemp("provisional")
    catalog_dir = rules.closing_catalog(root / "catalog")
    settings = load_settings(home=root, catalog_dir=catalog_dir, max_file_bytes=MAX_FILE_BYTES)
    for name, (data, received) in rules.HISTORY.items():
        write(root / "history" / name, data, received=received)
    ingest_paths([root / "history"], RunContext.of(settings), publish_snapshot=True)
    for action in ("approve", "accept"):
        act(settings, Slot("DP-SN", rules.HISTORY_UNIT, rules.LOCKED_PERIOD), action, by="reviewer@example.vn")
    publish_snapshot(settings, cause="approval")  # as `chiso approval` does: the lock is in what the portal reads
    home = Home(root, settings)
    accounts = Accounts(settings.accounts)
    for unit in settings_units(settings):
        account = accounts.add(f"vanthu.{unit.lower()}@example.vn", unit, "unit")
        home.tokens[unit] = accounts.new_api_token(account.account_id)
        if unit == "SKHCN":  # a password costs a slow hash: only the clerk who opens a page has one
            accounts.set_password(account.account_id, PASSWORD)
    province = accounts.add(PROVINCE, "02", "province")
    home.tokens[PROVINCE] = accounts.new_api_token(province.account_id)
    return home, rules, {"CHISO_CATALOG_DIR": str(catalog_dir)}


def settings_units(settings) -> list[str]:
    from core.catalog import Catalog

    return sorted(Catalog(settings.catalog_dir).units)


def client(server: Server, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, timeout=120, headers={"authorization": f"Bearer {server.home.tokens[key]}"}
    )


def waves(slots: dict[str, tuple]) -> list[list[str]]:
    """The cases in as few waves as can be, no two in one wave for the same report or with the same bytes."""
    result: list[tuple[set, list[str]]] = []
    for name, keys in slots.items():
        wave = next((w for w in result if not keys & w[0]), None)
        if wave is None:
            wave = (set(), [])
            result.append(wave)
        wave[0].update(keys)
        wave[1].append(name)
    return [names for _, names in result]


@pytest.fixture(scope="module")
def server(cases_home):
    home, _, env = cases_home
    running = Server(home, CHISO_PORTAL_UPLOADS_PER_ACCOUNT="32", **env)  # one account sends many files at once
    yield running
    running.stop()


@pytest.fixture
def load(cases_home, monkeypatch):
    """`chiso inbox` in this process (GX imported once), as the scheduled job runs it."""
    from chiso.cli import main as chiso

    home, _, env = cases_home
    for key, value in {"CHISO_HOME": str(home.root), "CHISO_SETTLE_SECONDS": "0", **env}.items():
        monkeypatch.setenv(key, value)
    return lambda: chiso(["inbox", "--quiet"])


def test_every_rule_case_sent_gets_at_once_the_verdict_the_loader_confirms(cases_home, server, load):
    import hashlib

    home, rules, _ = cases_home
    # The province's dry runs name each case's report (and unit: who may send it), all in one batch.
    with client(server, PROVINCE) as province, ThreadPoolExecutor(16) as pool:
        checked = dict(
            zip(rules.CASES, pool.map(lambda item: post(province, "/api/v1/dry-run", *item), rules.CASES.items()))
        )
    known = set(settings_units(home.settings))
    sender, slots = {}, {}
    for name, answer in checked.items():
        verdict = answer.json() if answer.status_code == 200 else {}
        unit = verdict.get("unit_code")
        sender[name] = unit if unit in known else STRANGER_UNIT
        # Only a file that loads is history for another of its report (its correction, its supersession).
        loads = verdict.get("status") == "accepted"
        report = (verdict.get("dataset_code"), unit, verdict.get("period"))
        slots[name] = {hashlib.sha256(rules.CASES[name].data).hexdigest()} | ({report} if loads else set())

    sent: dict[str, dict] = {}
    refused: dict[str, int] = {}
    cases = dict(rules.CASES)
    # And the same bytes again, once every case is loaded: a duplicate of a file the unit sent.
    again = {f"again-{name}": name for name in ("good_comma_utf8.csv", "good_district.xlsx")}
    for name, original in again.items():
        cases[name], sender[name] = rules.CASES[original], sender[original]
    # And a correction of one, which supersedes it.
    corrected = csv_bytes(department_report("SKHCN", "2017Q1").setting("TT_TIN", 13))
    cases["corrected.csv"], sender["corrected.csv"] = rules.Case(corrected), "SKHCN"
    for wave in [*waves(slots), [*again, "corrected.csv"]]:

        def send(name: str) -> tuple[str, httpx.Response]:
            with client(server, sender[name]) as api:
                return name, post(api, "/api/v1/submissions", name, cases[name])

        with ThreadPoolExecutor(32) as pool:  # sent together, judged together (portal/dryrun.py)
            answers = dict(pool.map(send, wave))
        for name, answer in answers.items():
            if answer.status_code != 202:
                refused[name] = answer.status_code  # at the portal's door: no send, nothing to load
                continue
            at_once = answer.json()
            # The answer holds the verdict already: the loader's own judgment of these bytes, being loaded.
            assert at_once["status"] == "pending" and at_once["verdict_state"] == "being_loaded", (name, at_once)
            assert at_once["provisional"]["status"] in ("accepted", "rejected", "duplicate"), (name, at_once)
            sent[name] = at_once
        assert load() == 0
        with client(server, PROVINCE) as province:
            for name in [n for n in wave if n in sent]:
                final = province.get(f"/api/v1/submissions/{sent[name]['id']}").json()
                provisional = sent[name]["provisional"]
                assert final["status"] != "pending", (name, final)
                assert (final["verdict_state"], final["replaced"]) == ("confirmed", None), (
                    name,
                    provisional,
                    final,
                )
                assert (final["status"], checks(final["reasons"]), checks(final["warnings"])) == (
                    provisional["status"],
                    checks(provisional["reasons"]),
                    checks(provisional["warnings"]),
                ), name
                assert final["provisional"] == provisional  # kept as it was given

    # Every case was either judged at once and confirmed, or refused at the portal's door, never lost:
    # a type the readers refuse (422), a unit the catalog does not know (403: not the sender's own), too large.
    assert set(sent) | set(refused) == set(cases) and not set(sent) & set(refused)
    for name, code in refused.items():
        assert code == {".csv": 403, ".xlsx": 403}.get(Path(name).suffix.lower(), 422), (name, code)
        assert code == 422 or sender[name] == STRANGER_UNIT, name
    assert len(sent) >= 0.9 * len(rules.CASES), len(sent)
    statuses = {name: s["provisional"]["status"] for name, s in sent.items()}
    assert set(statuses.values()) == {"accepted", "rejected", "duplicate"}, statuses
    assert {statuses[name] for name in again} == {"duplicate"}

    # A file accepted, then superseded by a later wave's file for the same report: its verdict now says why.
    with client(server, PROVINCE) as province:
        now = {s["id"]: s for s in province.get("/api/v1/submissions").json()}
    superseded = {name for name, s in sent.items() if now[s["id"]]["status"] == "superseded"}
    assert superseded == {"good_comma_utf8.csv"}, superseded
    became = now[sent["good_comma_utf8.csv"]["id"]]
    assert became["verdict_state"] == "replaced" and became["replaced"]["because"] == "superseded", became
    assert "tệp mới hơn" in became["replaced"]["vi"] and "newer file" in became["replaced"]["en"]
    assert statuses["corrected.csv"] == "accepted" and now[sent["corrected.csv"]["id"]]["verdict_state"] == "confirmed"


def test_two_files_for_one_report_before_the_load_replace_their_verdicts_and_say_why(cases_home, server, load):
    """The second file was judged without the first (not loaded yet); loaded together, the first is superseded
    and the second becomes its correction: both verdicts are replaced, each with its reason, on the page too."""
    first, second = (csv_bytes(department_report("SKHCN", "2018Q1").setting("TT_TIN", tin)) for tin in (20, 21))
    with client(server, "SKHCN") as api:
        answers = [
            api.post("/api/v1/submissions", files={"file": (f"q1-{n}.csv", data)})
            for n, data in enumerate((first, second))
        ]
    assert [a.status_code for a in answers] == [202, 202]
    assert [a.json()["provisional"]["status"] for a in answers] == ["accepted", "accepted"]
    # Neither corrects the other yet: each is only late (2018 is long past).
    assert [[f["check"] for f in a.json()["provisional"]["warnings"]] for a in answers] == [["late"], ["late"]]
    assert load() == 0
    with client(server, "SKHCN") as api:
        first_now, second_now = (api.get(f"/api/v1/submissions/{a.json()['id']}").json() for a in answers)
    assert (first_now["status"], first_now["verdict_state"], first_now["replaced"]["because"]) == (
        "superseded",
        "replaced",
        "superseded",
    )
    assert (second_now["status"], second_now["verdict_state"], second_now["replaced"]["because"]) == (
        "accepted",
        "replaced",
        "arrived_between",
    )
    assert [f["check"] for f in second_now["warnings"]] == ["correction"]  # a correction, no longer late
    assert "1 other file" in second_now["replaced"]["en"] and "1 tệp khác" in second_now["replaced"]["vi"]

    clerk = logged_in(server, "vanthu.skhcn@example.vn")
    page = clerk.get(f"/sends/{second_now['id']}").text
    assert "đã thay đổi khi nạp" in page and "Kết quả lúc gửi" in page and "1 tệp khác" in page


def post(api: httpx.Client, path: str, name: str, case) -> httpx.Response:
    """The file posted; a file past the size limit is refused (413) while it streams, or its connection reset."""
    try:
        return api.post(path, files={"file": (name, case.data)})
    except httpx.TransportError:
        return httpx.Response(413)


def checks(findings: list[dict]) -> list[tuple]:
    return sorted((f["rule"], f["check"], f["severity"], tuple(f["rows"])) for f in findings)
